import { test, expect, type Page } from '@playwright/test';
import { TASK_IDS, msOf, numberOf, openWith, resetScenario, runMode, script, uniqueModel, watchErrors } from './helpers';

const IDS = TASK_IDS;
const SHORT = 'A short answer.';

test.afterEach(async ({ request }) => resetScenario(request));

test('compare mode finishes all six tasks; parallel is far faster than sequential', async ({ page, request }) => {
  const errors = watchErrors(page);
  const model = uniqueModel('compare');
  const latency = 0.5;
  await script(request, model, [
    { type: 'delay', seconds: latency, times: null },
    { type: 'reply', text: SHORT, times: null },
  ]);
  await openWith(page, { model });
  await page.getByTestId('sample-select').selectOption({ label: 'Business report' });
  await expect(page.getByTestId('input-text')).toHaveValue(/Northwind/);
  await runMode(page, 'compare');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  for (const id of IDS) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId(`task-${id}-output`)).toHaveText(SHORT);
    expect(await msOf(page, `task-${id}-ms`)).toBeGreaterThanOrEqual(latency * 1000);
  }
  const seq = await msOf(page, 'total-sequential-ms');
  const par = await msOf(page, 'total-parallel-ms');
  // Wide-margin behaviour checks, not a benchmark.
  expect(seq).toBeGreaterThanOrEqual(6 * latency * 1000);
  expect(par).toBeLessThan(2 * latency * 1000);
  const speedup = await numberOf(page, 'speedup');
  expect(speedup).toBeCloseTo(seq / par, 1);
  expect(await msOf(page, 'time-saved')).toBeCloseTo(seq - par, -1);
  expect(Number(await page.getByTestId('speedup').getAttribute('data-value'))).toBeCloseTo(speedup, 2);
  expect(await numberOf(page, 'overhead')).toBeGreaterThanOrEqual(1);
  // The run as kept, for scripts: the same walls as the headline shows.
  const record = JSON.parse((await page.getByTestId('run-saved').getAttribute('data-record')) ?? '{}');
  expect(record.runs.map((r: any) => [r.mode, r.k])).toEqual([['Sequential', 1], ['Parallel', 6]]);
  expect(Math.round(record.runs[0].metrics.wall_ms)).toBe(seq);
  expect(Math.round(record.runs[1].metrics.wall_ms)).toBe(par);
  await expect(page.getByTestId('timeline')).toBeVisible();
  await expect(page.getByTestId('per-task-table')).toContainText('Translation');
  // One sequential and one parallel bar per task.
  await expect(page.getByTestId('per-task-bars').locator('rect.seq')).toHaveCount(6);
  await expect(page.getByTestId('per-task-bars').locator('rect.par')).toHaveCount(6);
  expect(errors).toEqual([]);
});

test('one failing task leaves the other five done, with a readable error', async ({ page, request }) => {
  const model = uniqueModel('onefail');
  await script(request, model, [
    { type: 'fail', status: 500, times: 1, message: 'upstream exploded' },
    { type: 'reply', text: SHORT, times: null },
  ]);
  await openWith(page, { model, retries: 0 });
  // Sequential: the first task (summary) gets the scripted failure.
  await runMode(page, 'sequential');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await expect(page.getByTestId('task-summary')).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('task-summary-error')).toContainText('The server failed (500)');
  await expect(page.getByTestId('task-summary-error')).toContainText('upstream exploded');
  await expect(page.getByTestId('task-summary-attempts').locator('li')).toHaveText([/^Attempt 1: HTTP 500 after /]);
  for (const id of IDS.slice(1)) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'done');
  }
  await expect(page.getByTestId('tokens')).toContainText('1 failed');
});

test('cancel mid-run marks unfinished tasks cancelled and leaves the page usable', async ({ page, request }) => {
  const model = uniqueModel('cancelrun');
  await script(request, model, [{ type: 'delay', seconds: 20, times: null }]);
  await openWith(page, { model });
  await runMode(page, 'parallel');
  for (const id of IDS) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'running');
  }
  await page.getByTestId('cancel').click();
  for (const id of IDS) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'cancelled');
  }
  await expect(page.getByTestId('phase')).toHaveText('Cancelled.');
  await expect(page.getByTestId('run')).toBeEnabled();
  await expect(page.getByTestId('input-text')).not.toHaveValue('');
});

test('a 429 with Retry-After is retried and shown as a retry in the timeline', async ({ page, request }) => {
  const model = uniqueModel('429run');
  await script(request, model, [
    { type: 'fail', status: 429, retry_after: 0.6, times: 1 },
    { type: 'reply', text: SHORT, times: null },
  ]);
  await openWith(page, { model });
  await runMode(page, 'sequential');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await expect(page.getByTestId('task-summary')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('task-summary')).toContainText('2 attempts');
  await expect(page.getByTestId('task-summary-attempts').locator('li')).toHaveText([
    /^Attempt 1: HTTP 429 after .*, then waited (600 ms|0\.6\d s)$/,
    /^Attempt 2: ok after /,
  ]);
  await expect(page.getByTestId('retry-mark')).toHaveCount(1);
  expect(await msOf(page, 'task-summary-ms')).toBeGreaterThanOrEqual(600);
});

test('model output is shown as text, never run as HTML', async ({ page, request }) => {
  const model = uniqueModel('xss');
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>';
  await script(request, model, [{ type: 'reply', text: evil, times: null }]);
  await openWith(page, { model });
  await page.getByTestId('select-sentiment').uncheck();
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  const out = page.getByTestId('task-summary-output');
  await expect(out).toHaveText(evil);
  expect(await out.locator('img, script, b').count()).toBe(0);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  // The unticked task did not run.
  await expect(page.getByTestId('task-sentiment')).toHaveAttribute('data-status', 'pending');
});

test('empty input is refused next to the text, and nothing is lost', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('select-keywords').uncheck();
  await page.getByTestId('input-text').fill('   ');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('input-error')).toContainText('The text is empty');
  await expect(page.getByTestId('select-keywords')).not.toBeChecked();
  await expect(page.getByTestId('select-summary')).toBeChecked();
  await page.getByTestId('input-text').fill('Some text here.');
  await expect(page.getByTestId('input-size')).toContainText('15 characters, about 4 tokens');
});

test('a .txt or .docx file from disk becomes the input; other files are refused with a reason', async ({ page }) => {
  const path = require('node:path');
  const fs = require('node:fs');
  const sample = path.join(__dirname, '..', '..', 'samples', 'technology-news.txt');
  await page.goto('./');
  await page.getByTestId('file-input').setInputFiles(sample);
  await expect(page.getByTestId('input-text')).toHaveValue(fs.readFileSync(sample, 'utf8'));
  await page.getByTestId('file-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50]) });
  await expect(page.getByTestId('input-error')).toContainText('"photo.png" is not a text file');
  // The text already loaded is kept.
  await expect(page.getByTestId('input-text')).toHaveValue(/chip maker/);
  // A Word file's text becomes the input; a damaged PDF is refused and the text stays.
  await page.getByTestId('file-input').setInputFiles(path.join(__dirname, '..', 'fixtures', 'ticket.docx'));
  await expect(page.getByTestId('input-text')).toHaveValue(/^Ticket 981: printer offline\nThe printer on the R&D floor/);
  await page.getByTestId('file-input').setInputFiles({ name: 'cut.pdf', mimeType: 'application/pdf', buffer: fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'claim.pdf')).subarray(0, 300) });
  await expect(page.getByTestId('input-error')).toContainText('"cut.pdf": this PDF could not be read');
  await expect(page.getByTestId('input-text')).toHaveValue(/R&D floor/);
});

test('compare over two rounds reports the spread of each mode', async ({ page, request }) => {
  const model = uniqueModel('rounds');
  await script(request, model, [
    { type: 'delay', seconds: 0.2, times: null },
    { type: 'reply', text: SHORT, times: null },
  ]);
  await openWith(page, { model });
  await page.getByTestId('rounds').fill('2');
  await page.getByTestId('rounds').dispatchEvent('change');
  await runMode(page, 'compare');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  // Lowest–highest wall time, each in the page's one unit rule.
  const spread = /^2 runs, (\d+ ms|\d+\.\d\d s)–(\d+ ms|\d+\.\d\d s)$/;
  await expect(page.getByTestId('spread-sequential')).toContainText(spread);
  await expect(page.getByTestId('spread-parallel')).toContainText(spread);
});

test('cost is estimated from the reported tokens and the edited price table', async ({ page, request }) => {
  const model = uniqueModel('cost');
  await script(request, model, [{ type: 'reply', text: SHORT, times: null }]);
  await openWith(page, { model });
  await page.getByTestId('price-input').fill('1000');
  await page.getByTestId('price-input').dispatchEvent('change');
  await page.getByTestId('price-output').fill('2000');
  await page.getByTestId('price-output').dispatchEvent('change');
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  const tokens = (await page.getByTestId('tokens').textContent()) ?? '';
  const m = tokens.match(/(\d+) in \/ (\d+) out/);
  expect(m, tokens).not.toBeNull();
  const expected = (Number(m![1]) * 1000 + Number(m![2]) * 2000) / 1e6;
  expect(expected).toBeGreaterThan(0);
  await expect(page.getByTestId('cost')).toHaveText(`$${expected.toFixed(4)}`);
});

test('a concurrency sweep measures speedup at K = 1, 2, 4, 6 against the ideal', async ({ page, request }) => {
  const model = uniqueModel('sweep');
  await script(request, model, [
    { type: 'delay', seconds: 0.3, times: null },
    { type: 'reply', text: SHORT, times: null },
  ]);
  await openWith(page, { model });
  await runMode(page, 'sweep');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  const rows = page.getByTestId('sweep-table').locator('tbody tr');
  await expect(rows.locator('th')).toHaveText(['1', '2', '4', '6']);
  await expect(rows.nth(0).locator('td').nth(1)).toHaveText('1.00');
  await expect(rows.nth(3).locator('td').nth(2)).toHaveText('6.00');
  // Wide margin: six at once is well over twice as fast as one at a time.
  const fastest = Number(await rows.nth(3).locator('td').nth(1).textContent());
  expect(fastest).toBeGreaterThan(2);
  await expect(page.getByTestId('sweep-chart')).toBeVisible();
  // The sweep's runs are not mixed into the compare figures.
  await expect(page.getByTestId('total-parallel-ms')).toHaveText('');
});
