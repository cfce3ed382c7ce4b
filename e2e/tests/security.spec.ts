import { test, expect, type Page } from '@playwright/test';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { API, TEST_KEY, goTo, openSettings, openWith, script, uniqueModel, watchErrors } from './helpers';
import { SITE_PORT } from '../playwright.config';

const SITE = `http://127.0.0.1:${SITE_PORT}`;

test.afterEach(async ({ request }) => {
  await request.delete(`${API}/_llmock/scenario`);
});

/** Every Content-Security-Policy violation the page reports. */
async function watchViolations(page: Page) {
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__violations.push(`${e.effectiveDirective} ${e.blockedURI}`),
    );
  });
  return () => page.evaluate(() => (window as any).__violations as string[]);
}

async function runSixTasks(page: Page) {
  await goTo(page, 'run');
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
}

async function batchOfTwo(page: Page) {
  await goTo(page, 'batch');
  await page.getByTestId('batch-paste').fill('First document.\n---\nSecond document.');
  await page.getByTestId('batch-add-pasted').click();
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('0 remaining', { timeout: 30_000 });
}

async function download(page: Page, testid: string, dir: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const file = join(dir, d.suggestedFilename());
  await d.saveAs(file);
  return readFileSync(file, 'utf8');
}

test('the built page runs under its Content-Security-Policy with no violation, and the policy is enforced', async ({ page, request }) => {
  const violations = await watchViolations(page);
  // The browser reports a policy it cannot parse in the console.
  const errors = watchErrors(page);
  const model = uniqueModel('csp');
  await script(request, model, [{ type: 'reply', text: 'Fine.', times: null }]);
  await openWith(page, { model });
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
  expect(policy).not.toContain('__');
  expect(policy).not.toContain('unsafe-inline');
  // Any https provider and servers on this machine under the loopback
  // names lanes use (localhost, 127.0.0.1 to 127.0.0.8), nothing else.
  const loopback = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `http://127.0.0.${i}:*`).join(' ');
  expect(policy).toContain(`connect-src 'self' https: http://localhost:* ${loopback};`);
  for (const base of ['https://openrouter.ai/api/v1', 'https://api.groq.com/openai/v1', 'http://127.0.0.1:11434/v1']) {
    await page.getByTestId('base-url').fill(base);
    await expect(page.getByTestId('csp-warning'), base).toHaveCount(0);
  }
  await page.getByTestId('base-url').fill('http://192.0.2.10:8000/v1');
  await expect(page.getByTestId('csp-warning')).toContainText('the browser will refuse this base URL');
  await page.getByTestId('base-url').fill(`${API}/v1`);
  await page.getByTestId('test-connection').click();
  await expect(page.getByTestId('model-list')).toBeAttached();
  await runSixTasks(page);
  // The PDF reader worker loads and runs under it too.
  await goTo(page, 'batch');
  await page.getByTestId('batch-files').setInputFiles(join(__dirname, '..', 'fixtures', 'claim.pdf'));
  await expect(page.getByTestId('batch-docs')).toContainText('claim.pdf');
  await expect(page.getByTestId('batch-doc-0-error')).toHaveCount(0);
  await batchOfTwo(page);
  expect(await violations()).toEqual([]);
  expect(errors).toEqual([]);

  // Enforced: plain http to another machine and an injected inline script
  // are refused.
  const outcome = await page.evaluate(() =>
    fetch('http://example.com/steal').then(() => 'sent', () => 'blocked'),
  );
  expect(outcome).toBe('blocked');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__ran = true';
    document.body.appendChild(s);
  });
  expect(await page.evaluate(() => (window as any).__ran ?? false)).toBe(false);
  await expect.poll(violations).toEqual(
    expect.arrayContaining([expect.stringMatching(/^connect-src http:\/\/example\.com/), expect.stringMatching(/^script-src-elem inline/)]),
  );
});

test('the key goes only to the base URL, only in the Authorization header, and nowhere else', async ({ page, request }) => {
  const model = uniqueModel('key');
  await script(request, model, [{ type: 'reply', text: 'Fine.', times: null }]);
  const seen: { url: string; method: string; auth?: string }[] = [];
  page.context().on('request', (r) => seen.push({ url: r.url(), method: r.method(), auth: r.headers()['authorization'] }));
  const consoleText: string[] = [];
  page.on('console', (m) => consoleText.push(m.text()));
  await openWith(page, { model });
  await page.getByTestId('test-connection').click();
  await expect(page.getByTestId('model-list')).toBeAttached();
  await runSixTasks(page);
  await goTo(page, 'prompt');
  await page.getByTestId('prompt-input').fill('Say hello.');
  await page.getByTestId('send').click();
  await expect(page.getByTestId('status')).toContainText('done', { timeout: 15_000 });
  await batchOfTwo(page);
  const dir = mkdtempSync(join(tmpdir(), 'fanout-key-'));
  const files = [
    await download(page, 'batch-export-csv', dir),
    await download(page, 'batch-export-json', dir),
    await download(page, 'batch-export-jsonl', dir),
  ];
  await goTo(page, 'run');
  files.push(await download(page, 'export-tasks', dir));

  const apiCalls = seen.filter((r) => r.url.startsWith(`${API}/v1/`) && r.method !== 'OPTIONS');
  expect(apiCalls.length).toBeGreaterThanOrEqual(1 + 6 + 1 + 2);
  for (const r of seen) {
    expect([SITE, API]).toContain(new URL(r.url).origin);
    expect(r.url).not.toContain(TEST_KEY);
    if (r.auth !== undefined) expect(r.url.startsWith(`${API}/v1/`)).toBe(true);
  }
  for (const r of apiCalls) expect(r.auth).toBe(`Bearer ${TEST_KEY}`);
  for (const text of [...files, consoleText.join('\n')]) expect(text).not.toContain(TEST_KEY);
  const stored = await page.evaluate(async () => {
    const local = JSON.stringify({ ...localStorage });
    const db: IDBDatabase = await new Promise((ok, err) => {
      const open = indexedDB.open('fanout');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => err(open.error);
    });
    const stores = Array.from(db.objectStoreNames);
    const all = await Promise.all(stores.map((name) => new Promise((ok) => {
      const get = db.transaction(name).objectStore(name).getAll();
      get.onsuccess = () => ok(get.result);
    })));
    return { local, idb: JSON.stringify(all), stores };
  });
  expect(stored.stores.length).toBeGreaterThan(0);
  expect(stored.idb).toContain('First document.');
  expect(stored.local).not.toContain(TEST_KEY);
  expect(stored.idb).not.toContain(TEST_KEY);

  // Kept only when asked, and removed when no longer wanted.
  await page.getByTestId('remember-key').check();
  await expect.poll(() => page.evaluate(() => JSON.stringify({ ...localStorage }))).toContain(TEST_KEY);
  await page.getByTestId('remember-key').uncheck();
  await expect.poll(() => page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(TEST_KEY);
});

test('a key is not sent over plain http to another machine until the user accepts that', async ({ page }) => {
  const remote = 'http://192.0.2.10:8000/v1';
  const seen: string[] = [];
  page.context().on('request', (r) => seen.push(r.url()));
  await page.goto('./#/prompt');
  await openSettings(page);
  await page.getByTestId('api-key').fill(TEST_KEY);
  await page.getByTestId('model').fill('gpt-4o-mini');
  await page.getByTestId('base-url').fill(remote);
  await expect(page.getByTestId('plain-http-warning')).toContainText('cross the network unencrypted');
  await page.getByTestId('prompt-input').fill('Hi');
  await page.getByTestId('send').click();
  await expect(page.getByTestId('form-error')).toContainText('plain http:// to another machine');
  expect(seen.some((u) => u.startsWith('http://192.0.2.10'))).toBe(false);
  // What was typed is kept.
  await expect(page.getByTestId('prompt-input')).toHaveValue('Hi');
  // A server on this machine needs no such consent.
  await page.getByTestId('base-url').fill(`${API}/v1`);
  await expect(page.getByTestId('plain-http-warning')).toHaveCount(0);
  await expect(page.getByTestId('csp-warning')).toHaveCount(0);
  // Accepted, the page tries; this build's policy then refuses the server,
  // and the page said so beforehand.
  await page.getByTestId('base-url').fill(remote);
  await expect(page.getByTestId('csp-warning')).toContainText('the browser will refuse this base URL');
  await page.getByTestId('allow-plain-http').check();
  await page.getByTestId('send').click();
  await expect(page.getByTestId('error-message')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('form-error')).toHaveCount(0);
});

test('"forget everything" removes the key, settings, tasks, durations, the saved batch and the history, and only Fanout\'s data', async ({ page, request }) => {
  const model = uniqueModel('forget');
  await script(request, model, [{ type: 'reply', text: 'Fine.', times: null }]);
  await openWith(page, { model });
  await page.evaluate(() => localStorage.setItem('another-app', 'keep me'));
  await page.getByTestId('remember-key').check();
  await page.getByTestId('edit-summary').click();
  await page.getByTestId('task-form-system').fill('Edited system message.');
  await page.getByTestId('task-form-save').click();
  await runSixTasks(page);
  await batchOfTwo(page);
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await page.getByTestId('theme').selectOption('dark');
  await goTo(page, 'run');
  await page.getByTestId('welcome-dismiss').click();
  const stored = () => page.evaluate(() => JSON.stringify({ ...localStorage }));
  await expect.poll(stored).toContain(TEST_KEY);
  expect(await stored()).toContain('Edited system message.');
  expect(await stored()).toContain(model);

  await page.getByTestId('forget').click();
  await expect(page.getByTestId('forget-explained')).toContainText('removes the API key');
  await page.getByTestId('forget-cancel').click();
  expect(await stored()).toContain(TEST_KEY);
  await page.getByTestId('forget').click();
  await Promise.all([page.waitForEvent('load'), page.getByTestId('forget-confirm').click()]);
  await openSettings(page);

  await expect(page.getByTestId('api-key')).toHaveValue('');
  await expect(page.getByTestId('model')).not.toHaveValue(model);
  const after = await stored();
  for (const gone of [TEST_KEY, model, 'Edited system message.', 'First document.']) expect(after).not.toContain(gone);
  expect(after).toContain('keep me');
  // The page writes its defaults again on load; the theme and "welcomed" are gone.
  expect(await page.evaluate(() => localStorage.getItem('fanout.theme'))).toBeNull();
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('batch-resume-offer')).toHaveCount(0);
  await goTo(page, 'history');
  await expect(page.getByTestId('history-empty')).toBeVisible();
  const idb = await page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('fanout')) return '';
    const db: IDBDatabase = await new Promise((ok) => { const o = indexedDB.open('fanout'); o.onsuccess = () => ok(o.result); });
    const stores = Array.from(db.objectStoreNames);
    const all = await Promise.all(stores.map((n) => new Promise((ok) => { const g = db.transaction(n).objectStore(n).getAll(); g.onsuccess = () => ok(g.result); })));
    return JSON.stringify(all);
  });
  expect(idb).not.toContain('First document.');
  expect(idb).not.toContain(model);
});
