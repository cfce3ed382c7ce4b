import { test, expect, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { API_PORT, SITE_PORT } from '../playwright.config';
import { addBatchDocs, appReady, download, goTo, historyStored, onlyTasks, openWith, uniqueModel } from './helpers';

const ORIGIN = `http://127.0.0.1:${SITE_PORT}`;

/**
 * The chat requests the test server got for `model`, with the start of
 * each one's user message (answers with thinking come from the server's
 * own code, which llmock's log misses; its lane log has them all).
 */
async function asked(request: APIRequestContext, model: string): Promise<{ user: string }[]> {
  const res = await request.get(`http://127.0.0.1:${API_PORT}/_lanes/requests`);
  return ((await res.json()).requests as any[]).filter((r) => r.model === model);
}

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

/**
 * The Batch view, with summaries ticked, in a fresh context whose origin
 * has 16 KB of room past an empty database (72 KB here).
 */
async function batchWithLittleRoom(browser: Browser, name: string) {
  const context = await browser.newContext({ baseURL: `${ORIGIN}/` });
  const page = await pageWithQuota(context, 72 * 1024 + 16 * 1024);
  const model = uniqueModel(name);
  await openWith(page, { model });
  await onlyTasks(page, ['summary']);
  await goTo(page, 'batch');
  return { context, page, model };
}

test('a batch whose results cannot be written pauses, and nothing is lost: a new page with room resumes what was not kept', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page, model } = await batchWithLittleRoom(browser, 'storage-batch');
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

test('a paused batch frees space by dropping the answers its export holds, runs on to the end, and a reload asks for nothing again', async ({ browser, request }) => {
  test.setTimeout(240_000);
  const { context, page, model } = await batchWithLittleRoom(browser, 'storage-drop');
  // Each answer comes with 3,000 thinking tokens (about 17,000 characters
  // kept): the 16 KB left hold about one of them.
  const DOCS = 8;
  const texts = Array.from({ length: DOCS }, (_, i) => `Doc ${i + 1} thinks.\n\nreasoning=reasoning_content:3000:100:5:20`);
  await addBatchDocs(page, texts, 1);
  await page.getByTestId('batch-run').click();
  const progress = page.getByTestId('batch-progress');
  // Each answer, by document, as the exports held it.
  const exported = new Map<string, string>();
  let pauses = 0;
  // The batch has started once the page says what persistent storage the
  // browser granted; from then on, Cancel is enabled while it runs.
  await expect(page.getByTestId('batch-persist')).toBeVisible();
  const paused = page.getByTestId('batch-paused');
  const storageError = page.getByTestId('view-batch').getByTestId('storage-error');
  // Exports the results, then drops from the device the answers the
  // export holds: space again, nothing sent.
  const exportAndDrop = async () => {
    // Nothing to drop before an export holds the answers.
    await expect(page.getByTestId('storage-free-batch')).toHaveCount(0);
    const lines = (await download(page, 'batch-export-jsonl')).text.trim().split('\n').map((l) => JSON.parse(l));
    const answered = lines.filter((l) => l.result && !l.result.dropped && (l.result.text || l.result.reasoning));
    for (const l of answered.filter((l) => l.result.status === 'done')) exported.set(l.document, l.result.text);
    const sent = (await asked(request, model)).length;
    await page.getByTestId('storage-free-batch').click();
    const freed = page.getByTestId('storage-freed');
    await expect(freed).toBeVisible();
    await expect(freed).toHaveAttribute('data-count', String(answered.length));
    await expect(storageError).toHaveCount(0);
    expect((await asked(request, model)).length).toBe(sent);
  };
  for (let round = 0; round < 3 * DOCS; round++) {
    await expect(page.getByTestId('batch-cancel')).toBeDisabled({ timeout: 60_000 });
    if (!(await paused.isVisible())) break;
    pauses++;
    await expect(paused).toContainText('storage is full');
    await exportAndDrop();
    await page.getByTestId('batch-retry-failed').click();
  }
  // The last cell's write (or the batch's record) may be refused after the
  // batch has ended: the note says so, and the same drop keeps it.
  await page.waitForTimeout(1500);
  if (await storageError.isVisible()) await exportAndDrop();
  expect(pauses).toBeGreaterThan(0);
  await expect(progress).toHaveAttribute('data-done', String(DOCS), { timeout: 60_000 });
  await expect(progress).toHaveAttribute('data-failed', '0');
  // Every answer reached an export: the dropped ones in the export made
  // before their drop, the rest in one made now.
  const last = (await download(page, 'batch-export-jsonl')).text.trim().split('\n').map((l) => JSON.parse(l));
  for (const l of last) {
    expect(l.result.status).toBe('done');
    if (l.result.dropped) expect(exported.get(l.document)).toBeTruthy();
    else exported.set(l.document, l.result.text);
  }
  expect(exported.size).toBe(DOCS);
  for (const text of exported.values()) expect(text.length).toBeGreaterThan(0);
  // Each document asked once, and again only for a request a pause cut off.
  const log = await asked(request, model);
  expect(new Set(log.map((r) => /Doc (\d+) /.exec(r.user)?.[1])).size).toBe(DOCS);
  expect(log.length).toBeLessThanOrEqual(DOCS + pauses);
  console.log(`storage drop: ${pauses} pauses, ${log.length} requests for ${DOCS} documents`);
  // A reload finds every cell done (the dropped ones marked), offers no
  // resume and asks for nothing.
  await page.close();
  await new Promise((r) => setTimeout(r, 3000));
  const again = await pageWithQuota(context, 1024 * 1024 * 1024);
  await again.goto('./#/batch');
  await appReady(again);
  await expect(again.getByTestId('batch-progress')).toHaveAttribute('data-done', String(DOCS));
  await expect(again.getByTestId('batch-resume-offer')).toHaveCount(0);
  const droppedDoc = last.findIndex((l) => l.result.dropped);
  expect(droppedDoc).toBeGreaterThanOrEqual(0);
  await again.getByTestId(`cell-${droppedDoc}-0`).click();
  await expect(again.getByTestId('batch-output')).toHaveAttribute('data-dropped', 'true');
  await again.waitForTimeout(1000);
  expect((await asked(request, model)).length).toBe(log.length);
  await context.close();
});
