import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import config, { SITE_PORT } from '../playwright.config';

/** The built site, as a page of a browser started here opens it. */
export const SITE = `http://127.0.0.1:${SITE_PORT}/`;

/** A Chromium whose tab can really be hidden (see `e2e/hideable.mjs`). */
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
  const { launchHideable } = await import('../hideable.mjs');
  const started = await launchHideable({
    chromium,
    executable: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: (config.use?.launchOptions?.args as string[]) ?? [],
    graceSeconds: opts.graceSeconds,
  });
  const { browser, context, page } = started as { browser: Browser; context: BrowserContext; page: Page };
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
    close: started.close,
  };
}
