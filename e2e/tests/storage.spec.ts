import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { SITE_PORT } from '../playwright.config';
import { addBatchDocs, appReady, download, goTo, historyStored, onlyTasks, openWith, uniqueModel } from './helpers';

const ORIGIN = `http://127.0.0.1:${SITE_PORT}`;

/**
 * A page whose origin may store at most `bytes`, set through the DevTools
 * protocol before the page opens its database: Chromium applies a quota
 * override when IndexedDB's store for the origin is opened, not to one
 * already open.
 */
async function pageWithQuota(context: BrowserContext, bytes: number): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: ORIGIN, quotaSize: bytes });
  return page;
}

test('a full storage says why with the figures, keeps the run on screen and exportable, and offers to free space', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ baseURL: `${ORIGIN}/` });
  // An empty database takes 72 KB here: room for small runs, not a big one.
  const page = await pageWithQuota(context, 72 * 1024 + 16 * 1024);
  await openWith(page, { model: uniqueModel('storage') });
  const runView = page.getByTestId('view-run');
  // Two small runs are kept.
  await onlyTasks(page, ['sentiment']);
  await page.getByTestId('mode-parallel').check();
  for (let i = 0; i < 2; i++) {
    await page.getByTestId('run').click();
    await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
    await historyStored(page);
    await expect(runView.getByTestId('storage-error')).toHaveCount(0);
  }
  const kept = 2;
  // A compare run of every task over a long text is more than is left.
  await onlyTasks(page, ['summary', 'sentiment', 'keywords', 'questions', 'translation', 'category']);
  await page.getByTestId('input-text').fill('A long review of a product that works. '.repeat(120));
  await page.getByTestId('mode-compare').check();
  await page.getByTestId('rounds').fill('3');
  await page.getByTestId('rounds').dispatchEvent('change');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 60_000 });
  await historyStored(page);
  const error = runView.getByTestId('storage-error');
  await expect(error).toContainText('The run could not be kept');
  await expect(error).toContainText('storage is full');
  // The browser's figures, once it gives them.
  await expect(error).toContainText('Used');
  const figures = runView.getByTestId('storage-used');
  expect(Number(await figures.getAttribute('data-used'))).toBeGreaterThan(0);
  expect(Number(await figures.getAttribute('data-quota'))).toBeGreaterThan(0);
  // The run stays on screen and exportable.
  const id = JSON.parse((await page.getByTestId('run-saved').getAttribute('data-record'))!).id;
  const file = await download(page, 'export-json', page.getByTestId('run-saved'));
  expect(JSON.parse(file.text).id).toBe(id);
  await goTo(page, 'history');
  const rows = page.getByTestId('history-row');
  // Listed (not stored) in the history too, with the same message there.
  await expect(rows).toHaveCount(kept + 1);
  await expect(page.getByTestId('view-history').getByTestId('storage-error')).toContainText('storage is full');
  // "Free space" deletes the oldest kept runs.
  const free = page.getByTestId('view-history').getByTestId('storage-free-up');
  await expect(free).toContainText(`delete the ${Math.ceil(kept / 2)} oldest`);
  const oldest = await rows.last().getAttribute('data-id');
  await free.click();
  await historyStored(page);
  await expect(rows).toHaveCount(kept + 1 - Math.ceil(kept / 2));
  await expect(page.locator(`[data-testid="history-row"][data-id="${oldest}"]`)).toHaveCount(0);
  // The run that was not kept is still listed (tried again).
  await expect(page.locator(`[data-testid="history-row"][data-id="${id}"]`)).toHaveCount(1);
  await context.close();
});

test('a batch whose results cannot be written pauses, and nothing is lost: a new page with room resumes what was not kept', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ baseURL: `${ORIGIN}/` });
  const page = await pageWithQuota(context, 72 * 1024 + 16 * 1024);
  const model = uniqueModel('storage-batch');
  await openWith(page, { model });
  await onlyTasks(page, ['summary']);
  await goTo(page, 'batch');
  // Small answers are kept; an answer with 3,000 thinking tokens (about
  // 17,000 characters kept with it) is more than is left.
  const small = Array.from({ length: 4 }, (_, i) => `Doc ${i + 1} is short.`);
  const big = Array.from({ length: 4 }, (_, i) => `reasoning=reasoning_content:3000:200:5:50\n\nDoc ${i + 5} thinks long.`);
  const docs = small.length + big.length;
  await addBatchDocs(page, [...small, ...big], 1);
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-persist')).toHaveAttribute('data-granted', /true|false/);
  await expect(page.getByTestId('batch-paused')).toContainText('Paused', { timeout: 60_000 });
  await expect(page.getByTestId('batch-paused')).toContainText('storage is full');
  await expect(page.getByTestId('batch-run')).toBeEnabled();
  const done = Number(await page.getByTestId('batch-progress').getAttribute('data-done'));
  expect(done).toBeLessThan(docs);
  // It stopped: nothing more runs after the pause.
  await page.waitForTimeout(1500);
  expect(Number(await page.getByTestId('batch-progress').getAttribute('data-done'))).toBe(done);
  // What ran is on screen and exportable.
  const jsonl = (await download(page, 'batch-export-jsonl')).text.trim().split('\n').map((l) => JSON.parse(l));
  expect(jsonl.filter((l) => l.result?.status === 'done')).toHaveLength(done);
  // Room again (a new page, once the browser has closed the database), and
  // the batch resumes what was not kept: every document ends answered.
  await page.close();
  await new Promise((r) => setTimeout(r, 3000));
  const again = await pageWithQuota(context, 1024 * 1024 * 1024);
  await again.goto('./#/batch');
  await appReady(again);
  await expect(again.getByTestId('batch-resume-offer')).toBeVisible();
  await again.getByTestId('batch-resume').click();
  const progress = again.getByTestId('batch-progress');
  await expect(progress).toHaveAttribute('data-remaining', '0', { timeout: 60_000 });
  // Every document answered by the resume alone: the request the pause cut
  // off (kept as cancelled) is run again with what was never written.
  await expect(progress).toHaveAttribute('data-done', String(docs), { timeout: 60_000 });
  await expect(progress).toHaveAttribute('data-failed', '0');
  const all = (await download(again, 'batch-export-jsonl')).text.trim().split('\n').map((l) => JSON.parse(l));
  expect(all.filter((l) => l.result?.status === 'done')).toHaveLength(docs);
  await context.close();
});
