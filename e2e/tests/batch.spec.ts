import { test, expect, type Page } from '@playwright/test';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { goTo, onlyTasks, openWith, received, resetScenario, script, settled, uniqueModel } from './helpers';

const THREE = ['summary', 'sentiment', 'keywords'];

test.afterEach(async ({ request }) => resetScenario(request));

async function pasteDocs(page: Page, n: number) {
  const texts = Array.from({ length: n }, (_, i) => `Document number ${i + 1} talks about topic ${i + 1}.`);
  await page.getByTestId('batch-paste').fill(texts.join('\n---\n'));
  await page.getByTestId('batch-add-pasted').click();
  await expect(page.getByTestId('batch-docs').locator('tbody tr:not(.spacer)')).toHaveCount(n);
}

async function setK(page: Page, k: number) {
  await page.getByTestId('batch-k').fill(String(k));
  await page.getByTestId('batch-k').dispatchEvent('change');
}

/** Most requests the server had open at once, from its journal. */
function maxConcurrent(reqs: any[]): number {
  const events = reqs.flatMap((r) => [[r.started_at, 1], [r.ended_at, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0, max = 0;
  for (const [, d] of events) { cur += d; max = Math.max(max, cur); }
  return max;
}

test('10 documents × 3 tasks at K = 4 give 30 results in order, never more than 4 at once', async ({ page, request }) => {
  const model = uniqueModel('batch');
  await script(request, model, [{ type: 'delay', seconds: 0.3, times: null }]);
  await openWith(page, { model });
  await onlyTasks(page, THREE);
  // The start order is one setting, on the Run view, for runs and batches.
  await page.getByTestId('order').selectOption('as-listed');
  await goTo(page, 'batch');
  await expect(page.getByTestId('batch-tasks')).toContainText('Each document gets Summary, Sentiment, Keywords:');
  await pasteDocs(page, 10);
  await setK(page, 4);
  await expect(page.getByTestId('batch-order')).toContainText('Requests start as listed');
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('30 done · 0 failed · 0 remaining', { timeout: 30_000 });
  const rows = page.getByTestId('batch-results').locator('tbody tr:not(.spacer)');
  await expect(rows).toHaveCount(10);
  for (let d = 0; d < 10; d++) {
    await expect(rows.nth(d).locator('th')).toHaveText(`Pasted text ${d + 1}`);
    for (let t = 0; t < 3; t++) {
      await expect(page.getByTestId(`cell-${d}-${t}`)).toHaveAttribute('data-status', 'done');
    }
  }
  // A cell's answer is the one for its document.
  await page.getByTestId('cell-6-0').click();
  await expect(page.getByTestId('batch-output').locator('h3')).toHaveText('Pasted text 7 × Summary');
  const sent = await received(request, model);
  expect(sent).toHaveLength(30);
  expect(maxConcurrent(sent)).toBeLessThanOrEqual(4);
  expect(maxConcurrent(sent)).toBeGreaterThanOrEqual(3);
  // As listed: the first four to start are document 1's three and one of
  // document 2's (the four arrive together, in any order).
  const first = [...sent].sort((a, b) => a.started_at - b.started_at).slice(0, 4);
  const ofDoc = (n: number) => first.filter((r) => r.body.messages[1].content.includes(`Document number ${n} `)).length;
  expect([ofDoc(1), ofDoc(2)]).toEqual([3, 1]);
  await expect(page.getByTestId('batch-inflight')).toBeVisible();
  await expect(page.getByTestId('batch-current-k')).toHaveText('4');
});

test('a forced 500 leaves one failed cell, and "Retry failed" re-runs only that one', async ({ page, request }) => {
  const model = uniqueModel('batchfail');
  await script(request, model, [{ type: 'fail', status: 500, times: 1, message: 'one bad apple' }]);
  await openWith(page, { model, retries: 0 });
  await onlyTasks(page, THREE);
  await goTo(page, 'batch');
  await pasteDocs(page, 4);
  await setK(page, 1);
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('11 done · 1 failed · 0 remaining', { timeout: 30_000 });
  await expect(page.getByTestId('cell-0-0')).toHaveAttribute('data-status', 'error');
  await page.getByTestId('batch-filter').selectOption('error');
  await expect(page.getByTestId('batch-results').locator('tbody tr:not(.spacer)')).toHaveCount(1);
  await page.getByTestId('cell-0-0').click();
  await expect(page.getByTestId('batch-output')).toContainText('one bad apple');
  await page.getByTestId('batch-filter').selectOption('all');
  await page.getByTestId('batch-retry-failed').click();
  await expect(page.getByTestId('batch-progress')).toContainText('12 done · 0 failed', { timeout: 30_000 });
  await expect(page.getByTestId('cell-0-0')).toHaveAttribute('data-status', 'done');
  expect(await received(request, model)).toHaveLength(13);
});

test('files: CSV rows, a JSONL field, a broken PDF; export CSV', async ({ page, request }) => {
  const model = uniqueModel('batchfiles');
  await openWith(page, { model });
  await onlyTasks(page, ['summary']);
  await goTo(page, 'batch');
  const dir = mkdtempSync(join(tmpdir(), 'fanout-batch-'));
  const csv = join(dir, 'tickets.csv');
  writeFileSync(csv, 'id,text\n1,"Printer jams, again"\n2,"Login fails\nafter reset"\n');
  const jsonl = join(dir, 'notes.jsonl');
  writeFileSync(jsonl, '{"text": "Café order ☕"}\n{"body": "wrong field"}\n');
  const pdf = join(dir, 'scan.pdf');
  writeFileSync(pdf, '%PDF-1.4');
  await page.getByTestId('batch-files').setInputFiles([csv, jsonl, pdf]);
  const docs = page.getByTestId('batch-docs').locator('tbody tr:not(.spacer)');
  await expect(docs).toHaveCount(5);
  await expect(page.getByTestId('batch-docs')).toContainText('tickets.csv row 3');
  await expect(page.getByTestId('batch-docs')).toContainText('no "text" field');
  await expect(page.getByTestId('batch-docs')).toContainText('this PDF could not be read');
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('3 done · 0 failed · 0 remaining', { timeout: 30_000 });
  const prompts = (await received(request, model)).map((r) => r.body.messages[1].content as string);
  expect(prompts.some((p) => p.endsWith('Login fails\nafter reset'))).toBe(true);
  expect(prompts.some((p) => p.endsWith('Café order ☕'))).toBe(true);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('batch-export-csv').click(),
  ]);
  const file = join(dir, 'out.csv');
  await download.saveAs(file);
  const out = readFileSync(file, 'utf8');
  expect(out.split('\n')[0]).toBe('document,error,summary,summary_ms,simulated');
  expect(out.split('\n')[1].endsWith(',no')).toBe(true);
  expect(out).toContain('tickets.csv row 2');
  expect(out).toContain('scan.pdf');
});

test('PDF and Word files: text read in a worker loaded only then, bad ones refused with the reason', async ({ page, request }) => {
  const model = uniqueModel('batchpdf');
  const wasm: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
  await openWith(page, { model });
  await onlyTasks(page, ['summary']);
  await goTo(page, 'batch');
  // The page itself never downloads the reader.
  expect(wasm.some((u) => u.includes('extract'))).toBe(false);
  const fixtures = join(__dirname, '..', 'fixtures');
  const dir = mkdtempSync(join(tmpdir(), 'fanout-pdf-'));
  const renamed = join(dir, 'notes.pdf');
  writeFileSync(renamed, 'plain text saved with the wrong name');
  const old = join(dir, 'memo.doc');
  writeFileSync(old, 'old word');
  await page.getByTestId('batch-files').setInputFiles([
    join(fixtures, 'claim.pdf'), join(fixtures, 'ticket.docx'), join(fixtures, 'blank.pdf'), renamed, old,
  ]);
  const docs = page.getByTestId('batch-docs');
  await expect(docs.locator('tbody tr:not(.spacer)')).toHaveCount(5);
  await expect(page.getByTestId('docs-reading')).toHaveCount(0);
  await expect(docs.locator('tr', { hasText: 'memo.doc' })).toContainText('save it as .docx');
  await expect(docs.locator('tr', { hasText: 'notes.pdf' })).toContainText('not a PDF file');
  await expect(docs.locator('tr', { hasText: 'blank.pdf' })).toContainText('OCR');
  expect(wasm.filter((u) => u.includes('extract'))).toHaveLength(1);
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('2 done · 0 failed · 0 remaining', { timeout: 30_000 });
  const prompts = (await received(request, model)).map((r) => r.body.messages[1].content as string);
  expect(prompts).toHaveLength(2);
  const pdf = prompts.find((p) => p.includes('Claim 4471'));
  expect(pdf).toContain('The pipe under the sink burst');
  expect(pdf).toContain('Second page: the adjuster');
  const word = prompts.find((p) => p.includes('Ticket 981'));
  expect(word).toContain('printer on the R&D floor');
  expect(word).toContain('Steps:\tcheck the cable');
});

test('a reload mid-batch keeps the finished results and resume runs only the rest', async ({ page, request }) => {
  const model = uniqueModel('resume');
  await script(request, model, [{ type: 'delay', seconds: 0.4, times: null }]);
  await openWith(page, { model, key: 'sk-test-resume' });
  await page.getByTestId('remember-key').check();
  await onlyTasks(page, THREE);
  await goTo(page, 'batch');
  await pasteDocs(page, 10);
  await setK(page, 2);
  await page.getByTestId('batch-run').click();
  // Let some finish, then reload in the middle.
  await expect(page.getByTestId('batch-progress')).toContainText(/^([6-9]|1\d) done/, { timeout: 20_000 });
  await page.reload();
  const offer = page.getByTestId('batch-resume-offer');
  await expect(offer).toBeVisible();
  const [, finished] = (await offer.textContent())!.match(/(\d+) of 30 requests finished/)!;
  const kept = Number(finished);
  expect(kept).toBeGreaterThanOrEqual(6);
  // The finished cells are back, as they were.
  await expect(page.getByTestId('cell-0-0')).toHaveAttribute('data-status', 'done');
  // Requests cut by the reload end on the server within their 0.4 s delay:
  // count once the server's journal stops growing.
  const before = await settled(async () => (await received(request, model)).length);
  await page.getByTestId('batch-resume').click();
  await expect(page.getByTestId('batch-progress')).toContainText('30 done · 0 failed · 0 remaining', { timeout: 30_000 });
  const sentAfter = (await received(request, model)).length - before;
  // Exactly the unfinished requests were sent again; nothing finished was redone.
  expect(sentAfter).toBe(30 - kept);
  await expect(offer).toHaveCount(0);
});

test('a batch stopped mid-way resumes after a reload with what was cut off, not only what never started', async ({ page, request }) => {
  const model = uniqueModel('stop-resume');
  await script(request, model, [{ type: 'delay', seconds: 0.4, times: null }]);
  await openWith(page, { model, key: 'sk-test-stop' });
  await page.getByTestId('remember-key').check();
  await onlyTasks(page, ['sentiment']);
  await goTo(page, 'batch');
  await pasteDocs(page, 12);
  await setK(page, 3);
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText(/^([3-8]) done/, { timeout: 20_000 });
  await page.getByTestId('batch-cancel').click();
  await expect(page.getByTestId('batch-run')).toBeEnabled();
  // The requests in flight at the Stop end cancelled, not done.
  const cut = await page.locator('[data-testid^="cell-"][data-status="cancelled"]').count();
  const done = await page.locator('[data-testid^="cell-"][data-status="done"]').count();
  expect(cut).toBeGreaterThan(0);
  await page.reload();
  const offer = page.getByTestId('batch-resume-offer');
  await expect(offer).toBeVisible();
  await expect(offer).toContainText(`${done} of 12 requests finished`);
  const before = await settled(async () => (await received(request, model)).length);
  await page.getByTestId('batch-resume').click();
  await expect(page.getByTestId('batch-progress')).toContainText('12 done · 0 failed · 0 remaining', { timeout: 30_000 });
  // The resume sent every request not done, the cut ones included, and
  // nothing done twice.
  expect((await received(request, model)).length - before).toBe(12 - done);
});

test('the Batch API: input file, submit–poll–download against the server, and an imported output', async ({ page, request }) => {
  const model = uniqueModel('batchapi');
  await openWith(page, { model });
  await onlyTasks(page, ['summary', 'keywords']);
  await goTo(page, 'batch');
  await pasteDocs(page, 2);
  await page.getByTestId('batch-api-output').evaluate((el) => (el.closest('details') as HTMLDetailsElement).open = true);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('batch-api-input').click(),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'fanout-batchapi-'));
  const input = join(dir, 'input.jsonl');
  await download.saveAs(input);
  const lines = readFileSync(input, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.custom_id)).toEqual(['0:summary', '0:keywords', '1:summary', '1:keywords']);
  expect(lines.every((l) => l.url === '/v1/chat/completions' && l.method === 'POST' && l.body.stream === false)).toBe(true);
  expect(lines[2].body.messages[1].content).toContain('Document number 2 ');

  // Submit: upload, create, poll until completed, download, fill the table.
  await page.getByTestId('batch-api-submit').click();
  await expect(page.getByTestId('batch-api-status')).toContainText('Read 4 results', { timeout: 40_000 });
  for (const cell of ['cell-0-0', 'cell-0-1', 'cell-1-0', 'cell-1-1']) {
    await expect(page.getByTestId(cell)).toHaveAttribute('data-status', 'done');
  }

  // An output file from elsewhere: one answer, one failure, one stranger.
  const output = join(dir, 'output.jsonl');
  const answer = (id: string, text: string) => JSON.stringify({ id: 'r', custom_id: id, response: { status_code: 200, body: {
    id: 'c', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } } }, error: null });
  writeFileSync(output, [
    answer('1:keywords', 'imported answer'),
    JSON.stringify({ id: 'r2', custom_id: '0:summary', response: null, error: { code: 'batch_expired', message: 'expired before it ran' } }),
    answer('7:summary', 'not ours'),
  ].join('\n'));
  await page.getByTestId('batch-api-output').setInputFiles(output);
  await expect(page.getByTestId('batch-api-status')).toContainText('Read 2 results');
  await expect(page.getByTestId('batch-api-status')).toContainText('"7:summary" is not a request of this batch');
  await expect(page.getByTestId('cell-0-0')).toHaveAttribute('data-status', 'error');
  await page.getByTestId('cell-1-1').click();
  await expect(page.getByTestId('batch-output')).toContainText('imported answer');
});
