import { test, expect, type Page } from '@playwright/test';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { API, TEST_KEY, goTo, historyStored, openWith, script, uniqueModel, watchErrors, download as downloadFrom } from './helpers';

// History, exports and import: every run is kept in IndexedDB and can be
// opened, compared, exported and imported again.

const HTML_ANSWER = 'Fine <b>bold</b> <script>window.pwned = 1</script> & done';

test.afterEach(async ({ request }) => {
  await request.delete(`${API}/_llmock/scenario`);
});

async function run(page: Page, mode: 'parallel' | 'compare') {
  await page.getByTestId(`mode-${mode}`).check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await expect(page.getByTestId('run-saved')).toBeVisible();
}

/** A download from the last run's export buttons unless `scope` says otherwise. */
const download = (page: Page, testid: string, scope = page.getByTestId('run-saved')) => downloadFrom(page, testid, scope);

test('a run is kept after a reload and opens again with the same figures, charts and answers', async ({ page, request }) => {
  const errors = watchErrors(page);
  const model = uniqueModel('history');
  await script(request, model, [
    { type: 'delay', seconds: 0.3, times: null },
    { type: 'reply', text: HTML_ANSWER, times: null },
  ]);
  await openWith(page, { model });
  await goTo(page, 'history');
  await expect(page.getByTestId('history-empty')).toBeVisible();
  await goTo(page, 'run');
  await run(page, 'compare');
  const speedup = (await page.getByTestId('speedup').textContent())!.trim();
  expect(Number(speedup)).toBeGreaterThan(1);
  await expect(page.getByTestId('history-row')).toHaveCount(1);

  await historyStored(page);
  await page.reload();
  await goTo(page, 'history');
  const row = page.getByTestId('history-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(model);
  await expect(row).toContainText('compare');
  await expect(row.getByTestId('history-speedup')).toHaveText(speedup);
  await expect(page.getByTestId('history-size')).toContainText(/1 run\(s\) kept on this device, about [\d.]+ KB/);
  await row.getByTestId('history-open').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('fig-speedup')).toHaveText(speedup);
  // Six tasks in each mode on the timeline, six answers kept as text.
  await expect(view.getByTestId('timeline').locator('g.bar')).toHaveCount(12);
  await expect(view.getByTestId('per-task-table').locator('tbody tr')).toHaveCount(6);
  await expect(view.getByTestId('kept-answer')).toHaveCount(6);
  await view.getByTestId('kept-answer').first().locator('summary').click();
  await expect(view.getByTestId('kept-answer').first().locator('pre')).toHaveText(HTML_ANSWER);
  expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  // The key is in no record.
  const stored = await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((ok, bad) => {
      const r = indexedDB.open('fanout');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => bad(r.error);
    });
    const all: any[] = await new Promise((ok) => {
      const r = db.transaction('runs').objectStore('runs').getAll();
      r.onsuccess = () => ok(r.result);
    });
    return all.join('\n');
  });
  expect(stored).toContain(model);
  expect(stored).not.toContain(TEST_KEY);
  expect(errors).toEqual([]);
});

test('two runs compare side by side; filter, sort and delete work on the list', async ({ page, request }) => {
  const slow = uniqueModel('slow');
  const fast = uniqueModel('fast');
  await script(request, slow, [{ type: 'delay', seconds: 0.8, times: null }]);
  await script(request, fast, [{ type: 'delay', seconds: 0.1, times: null }]);
  await openWith(page, { model: slow });
  await run(page, 'parallel');
  await page.getByTestId('model').fill(fast);
  await run(page, 'parallel');
  await goTo(page, 'history');
  const rows = page.getByTestId('history-row');
  await expect(rows).toHaveCount(2);
  // Newest first by default; oldest first when unticked.
  await expect(rows.first()).toContainText(fast);
  await page.getByTestId('history-descending').uncheck();
  await expect(rows.first()).toContainText(slow);
  await page.getByTestId('history-sort').selectOption('parallel');
  await expect(rows.first()).toContainText(fast);
  await page.getByTestId('history-filter').fill(slow.slice(0, 12) + ' ' + 'slow');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(slow);
  await page.getByTestId('history-filter').fill('');
  await expect(rows).toHaveCount(2);
  // The trend: one latency point per model (no speedup: parallel-only runs).
  await expect(page.getByTestId('trend-latency').locator('circle')).toHaveCount(2);
  await expect(page.getByTestId('trend-latency')).toHaveAttribute('aria-label', new RegExp(`${fast}: \\d+ ms`));
  await expect(page.getByTestId('trend-speedup').locator('circle')).toHaveCount(0);

  await expect(page.getByTestId('history-compare')).toBeDisabled();
  await rows.nth(0).getByTestId('history-tick').check();
  await rows.nth(1).getByTestId('history-tick').check();
  await page.getByTestId('history-compare').click();
  const cmp = page.getByTestId('compare-view');
  await expect(cmp.getByTestId('run-view')).toHaveCount(2);
  await expect(cmp.getByTestId('run-view').first()).toContainText(slow);
  await expect(cmp.getByTestId('run-view').last()).toContainText(fast);
  // B (the newer, fast one) has the shorter parallel wall time.
  await expect(cmp.getByTestId('compare-parallel')).toContainText('(better)');
  await expect(cmp.getByTestId('compare-latency')).toContainText('(better)');

  await rows.filter({ hasText: slow }).getByTestId('history-delete').click();
  await expect(rows).toHaveCount(1);
  await expect(cmp).toHaveCount(0);
  await historyStored(page);
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await page.getByTestId('history-clear').click();
  await expect(page.getByTestId('history-clear-explained')).toContainText('Delete all 1 kept runs');
  await page.getByTestId('history-clear-confirm').click();
  await expect(page.getByTestId('history-empty')).toBeVisible();
  await historyStored(page);
  await page.reload();
  await expect(page.getByTestId('history-empty')).toBeVisible();
});

test('export JSON then import it gives the same run; a bad file changes nothing', async ({ page, request }) => {
  const model = uniqueModel('export');
  await script(request, model, [{ type: 'delay', seconds: 0.2, times: null }]);
  await openWith(page, { model });
  await run(page, 'compare');
  const json = await download(page, 'export-json');
  expect(json.name).toMatch(/^fanout-e2e-export-.*\.json$/);
  expect(json.text).not.toContain(TEST_KEY);
  const exported = JSON.parse(json.text);
  expect(exported.format).toBe('fanout.run');
  expect(exported.runs).toHaveLength(2);
  const figures = async () => page.getByTestId('run-view').locator('[data-testid^="fig-"]').allTextContents();
  await goTo(page, 'history');
  await page.getByTestId('history-open').click();
  const before = await figures();

  // Bad files: nothing is added or changed.
  const bad = [
    ['notes.json', 'not json at all', 'is not JSON'],
    ['other.json', '{"hello": "world"}', 'not a Fanout run'],
    ['damaged.json', JSON.stringify({ ...exported, runs: [{ ...exported.runs[0], tasks: [] }] }), 'damaged'],
  ];
  for (const [name, body, reason] of bad) {
    await page.getByTestId('history-import').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(body) });
    await expect(page.getByTestId('history-import-error')).toContainText(`"${name}" was not imported`);
    await expect(page.getByTestId('history-import-error')).toContainText(reason);
    await expect(page.getByTestId('history-row')).toHaveCount(1);
  }

  await page.getByTestId('history-delete').click();
  await expect(page.getByTestId('history-empty')).toBeVisible();
  await page.getByTestId('history-import').setInputFiles(json.path);
  await expect(page.getByTestId('history-import-note')).toContainText('was added to the history');
  await expect(page.getByTestId('history-import-error')).toHaveCount(0);
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('run-view')).toBeVisible();
  expect(await figures()).toEqual(before);
  // Exported again, the imported run is the same file.
  const again = await download(page, 'export-json', page.getByTestId('run-view'));
  expect(JSON.parse(again.text)).toEqual(exported);
  await historyStored(page);
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
});

test('the HTML report has the charts and answers, no script and no key; CSV and the copied summary', async ({ page, context, request }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const model = uniqueModel('report');
  await script(request, model, [
    { type: 'delay', seconds: 0.2, times: null },
    { type: 'reply', text: HTML_ANSWER, times: null },
  ]);
  await openWith(page, { model });
  await run(page, 'compare');
  const report = await download(page, 'export-report');
  expect(report.name).toMatch(/\.html$/);
  expect(report.text.toLowerCase()).not.toContain('<script');
  expect(report.text).not.toContain(TEST_KEY);
  expect(report.text).toContain('&lt;script&gt;window.pwned = 1&lt;/script&gt;');
  expect(report.text.match(/<svg /g)?.length).toBe(2);
  expect(report.text).toContain(model);

  // The report opens on its own: no requests, no script runs.
  const viewer = await context.newPage();
  const requests: string[] = [];
  viewer.on('request', (r) => requests.push(r.url()));
  // Saved under its own name, as a user would.
  const saved = join(mkdtempSync(join(tmpdir(), 'fanout-report-')), report.name);
  copyFileSync(report.path, saved);
  await viewer.goto(`file://${saved}`);
  await expect(viewer.locator('h1')).toContainText(model);
  await expect(viewer.locator('pre').first()).toHaveText(HTML_ANSWER);
  expect(await viewer.evaluate(() => (window as any).pwned)).toBeUndefined();
  expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
  await viewer.close();

  const csv = await download(page, 'export-csv');
  const lines = csv.text.trim().split('\n');
  expect(lines[0]).toBe('run,mode,k,task,status,sent_ms,first_token_ms,done_ms,total_ms,tokens_in,tokens_out,attempts,error,requests,agreement,tpot_ms,tokens_per_s,gap_max_ms,first_any_token_ms,reasoning_tokens,answer_tokens,output_tokens_per_s');
  expect(lines).toHaveLength(13);

  await page.getByTestId('run-saved').getByTestId('copy-summary').click();
  await expect(page.getByTestId('run-saved').getByTestId('export-note')).toHaveText('Summary copied as a Markdown table.');
  const md = await page.evaluate(() => navigator.clipboard.readText());
  expect(md).toContain('**Fanout run**');
  expect(md).toContain('| Figure | Value |');
  const speedup = (await page.getByTestId('speedup').textContent())!.trim();
  expect(md).toContain(`| Speedup | ${speedup} |`);
});

test('a batch is kept in the history too', async ({ page, request }) => {
  const model = uniqueModel('batchhist');
  await script(request, model, [{ type: 'delay', seconds: 0.1, times: null }]);
  await openWith(page, { model });
  for (const id of ['questions', 'translation', 'category', 'keywords']) {
    await page.getByTestId(`select-${id}`).uncheck();
  }
  await goTo(page, 'batch');
  await page.getByTestId('batch-paste').fill('First document.\n---\nSecond document.\n---\nThird document.');
  await page.getByTestId('batch-add-pasted').click();
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('6 done · 0 failed · 0 remaining', { timeout: 30_000 });
  await goTo(page, 'history');
  const row = page.getByTestId('history-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('batch');
  await expect(row).toContainText('3 documents');
  await row.getByTestId('history-open').click();
  await expect(page.getByTestId('fig-requests')).toHaveText('6 of 6');
  await expect(page.getByTestId('kept-batch').locator('tbody tr')).toHaveCount(3);
});
