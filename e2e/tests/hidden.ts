import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import config, { SITE_PORT } from '../playwright.config';

/** The built site, as a page of a browser started here opens it. */
export const SITE = `http://127.0.0.1:${SITE_PORT}/`;

/**
 * A Chromium whose tab can really be hidden, as a background tab is.
 *
 * Why not the test's own browser: Playwright turns on focus emulation in
 * every page it creates, which keeps the page `visible` in any tab, and it
 * starts Chromium with background timer throttling and renderer
 * backgrounding off. Here Chromium is started by hand (headless, with
 * throttling on, and intensive throttling after `graceSeconds` hidden
 * instead of Chrome's 5 minutes) and attached with `noDefaults`, so its
 * first tab is hidden when another tab comes in front of it: no animation
 * frames, timers aligned to 1 s, and chains of timers woken once a minute
 * after the grace period (all seen in this Chromium).
 */
export interface Hideable {
  browser: Browser;
  context: BrowserContext;
  /** The tab under test. */
  page: Page;
  /** Puts another tab (`url`, blank by default) in front: `page` is hidden. */
  hide(url?: string): Promise<Page>;
  /** Brings `page` back in front. */
  show(): Promise<void>;
  /** Whether `page` is hidden, as it says itself. */
  hidden(): Promise<boolean>;
  close(): Promise<void>;
}

export async function hideablePage(opts: { graceSeconds: number }): Promise<Hideable> {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-hidden-'));
  const args = [
    ...((config.use?.launchOptions?.args as string[]) ?? []),
    '--headless',
    // Port 0: Chromium picks a free one and says which (loopback only).
    '--remote-debugging-port=0',
    `--user-data-dir=${dir}`,
    `--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/${opts.graceSeconds}`,
    'about:blank',
  ];
  const proc: ChildProcess = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${seen}`)), 30_000);
    proc.stderr!.on('data', (d) => {
      seen += String(d);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`Chromium exited (${code}): ${seen}`)));
  });
  proc.stderr!.resume();
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
  const context = browser.contexts()[0];
  const page = context.pages()[0] ?? (await context.newPage());
  const hidden = () => page.evaluate(() => document.visibilityState === 'hidden');
  return {
    browser,
    context,
    page,
    hidden,
    async hide(url = 'about:blank') {
      const cover = await context.newPage();
      await cover.goto(url);
      await expect.poll(hidden).toBe(true);
      return cover;
    },
    async show() {
      await page.bringToFront();
      await expect.poll(hidden).toBe(false);
    },
    async close() {
      await browser.close().catch(() => {});
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill();
      await exited;
      // Its helper processes may still be writing there for a moment.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}
