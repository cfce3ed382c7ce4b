// A Chromium whose tab can really be hidden, as a background tab is: used by
// the browser tests (e2e/tests/hidden.ts) and the benchmark (scenario 13).
//
// Why not Playwright's own launch: Playwright turns on focus emulation in
// every page it creates, which keeps the page `visible` in any tab, and it
// starts Chromium with background timer throttling and renderer
// backgrounding off. Here Chromium is started by hand (headless, throttling
// on, and intensive throttling after `graceSeconds` hidden instead of
// Chrome's 5 minutes) and attached with `noDefaults`, so its first tab is
// hidden when another tab comes in front of it: no animation frames,
// timers aligned to 1 s, and chains of timers woken once a minute after the
// grace period (all seen in this Chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts Chromium (`executable`, with `args`) and attaches `chromium`
 * (Playwright's) to it: { browser, context, page, close }.
 */
export async function launchHideable({ chromium, executable, args, graceSeconds }) {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-hidden-'));
  const proc = spawn(
    executable,
    [
      ...args,
      '--headless',
      // Port 0: Chromium picks a free one and says which (loopback only).
      '--remote-debugging-port=0',
      `--user-data-dir=${dir}`,
      `--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/${graceSeconds}`,
      'about:blank',
    ],
    // Its own process group, so that closing ends its helper processes too.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  // Not left running if this process ends without closing it.
  const orphanGuard = () => signalGroup(proc.pid, 'SIGKILL');
  process.once('exit', orphanGuard);
  const endpoint = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${seen}`)), 30_000);
    proc.stderr.on('data', (d) => {
      seen += String(d);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`Chromium exited (${code}): ${seen}`)));
  });
  proc.stderr.resume();
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
  const context = browser.contexts()[0];
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    browser,
    context,
    page,
    async close() {
      await browser.close().catch(() => {});
      const exited =
        proc.exitCode !== null || proc.signalCode !== null
          ? Promise.resolve()
          : new Promise((r) => proc.once('exit', r));
      signalGroup(proc.pid, 'SIGTERM');
      await exited;
      // Chromium's helper processes can outlive it for a moment and still
      // write into its profile folder: wait for the whole group to be gone.
      for (let i = 0; i < 50 && signalGroup(proc.pid, 0); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      signalGroup(proc.pid, 'SIGKILL');
      process.off('exit', orphanGuard);
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch (e) {
        // A temporary folder left behind is no failure of the test.
        console.warn(`could not remove ${dir}: ${e.message}`);
      }
    },
  };
}

/** Sends `signal` to the process group `pid` leads; false when it is gone. */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
