import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { download, goTo, historyStored, onlyTasks, openSettings } from './helpers';

// Other tools' result files, written by hand from each tool's documented
// schema (tests/fixtures/foreign/README.md says which version and source).
const FIXTURES = '../tests/fixtures/foreign';
const FILES: [string, string][] = [
  ['vllm_bench_serve.json', 'vllm'],
  ['vllm_bench_serve_detailed.json', 'vllm'],
  ['guidellm_benchmarks.json', 'guidellm'],
  ['profile_export_genai_perf.json', 'genai-perf'],
  ['profile_export.jsonl', 'aiperf'],
  ['profile_export_aiperf.json', 'aiperf'],
  ['llmperf_summary.json', 'llmperf'],
  ['llmperf_individual_responses.json', 'llmperf'],
  ['promptfoo_results.json', 'promptfoo'],
];

async function importFile(page: Page, name: string) {
  await page.getByTestId('history-import').setInputFiles(`${FIXTURES}/${name}`);
  await expect(page.getByTestId('history-import-note')).toContainText(`"${name}" was added to the history`);
}

/** The row of the run whose input (the file) is `name`. */
const rowOf = (page: Page, name: string) => page.getByTestId('history-row').filter({ hasText: name });

test('each tool\'s result file is imported as a run of its own kind, with its figures in ms and per second', async ({ page }) => {
  await page.goto('./#/history');
  for (const [name] of FILES) await importFile(page, name);
  await expect(page.getByTestId('history-row')).toHaveCount(FILES.length);
  for (const [name, source] of FILES) await expect(rowOf(page, name)).toHaveAttribute('data-source', source);
  // GuideLLM: two benchmarks; request latency in seconds shown as ms.
  await rowOf(page, 'guidellm_benchmarks.json').getByTestId('history-open').click();
  const view = page.getByTestId('view-history').getByTestId('run-view');
  const points = view.getByTestId('imported-point');
  await expect(points).toHaveCount(2);
  const four = points.and(page.locator('[data-label="concurrent, 4 streams"]'));
  await expect(four.locator('[data-metric="e2el"]')).toHaveText('1.10 s / 1.05 s / 1.40 s / 1.90 s');
  await expect(four.locator('[data-metric="ttft"]')).toHaveText('150 ms / 140 ms / 220 ms / 300 ms');
  // No pooled ITL in GuideLLM's files: absent, not 0.
  await expect(four.locator('[data-metric="itl"]')).toHaveText('– / – / – / –');
  await expect(four.locator('[data-metric="goodput"]')).toHaveText('3.50');
  await expect(view.getByTestId('fig-concurrency')).toHaveText('4');
  // Its requests with their start times, on the timeline as ours are: the
  // errored one marked.
  const bars = view.getByTestId('timeline').locator('g.bar');
  await expect(bars).toHaveCount(3);
  await expect(bars.and(page.locator('.error'))).toHaveCount(1);
  // AIPerf's statistics file: its counts, seconds and configuration.
  await rowOf(page, 'profile_export_aiperf.json').getByTestId('history-open').click();
  const aiperf = view.getByTestId('imported-point');
  await expect(aiperf.locator('td').first()).toHaveText('200 / 4');
  await expect(aiperf.locator('[data-metric="e2el"]')).toHaveText('2.40 s / 2.30 s / 3.10 s / 3.90 s');
  await expect(aiperf.locator('[data-metric="goodput"]')).toHaveText('10.00');
  await expect(view.getByTestId('fig-concurrency')).toHaveText('32');
  await expect(view.getByTestId('timeline')).toHaveCount(0);
  // llmperf: seconds to ms, per minute to per second.
  await rowOf(page, 'llmperf_summary.json').getByTestId('history-open').click();
  await expect(view.getByTestId('imported-point').locator('[data-metric="ttft"]')).toHaveText('280 ms / 250 ms / 400 ms / 600 ms');
  await expect(view.getByTestId('fig-req-rate')).toHaveText('2.50');
  // vLLM with --save-detailed: each request, drawn as our per-request figures.
  await rowOf(page, 'vllm_bench_serve_detailed.json').getByTestId('history-open').click();
  const perRequest = view.getByTestId('kept-request-figures').locator('tbody tr').first();
  await expect(perRequest.locator('td').first()).toHaveText('3 (1 failed)');
  await expect(view.getByTestId('imported-point').locator('[data-metric="goodput"]')).toHaveText('0.67');
  // A file of another kind, or a broken one: refused, saying what it was.
  for (const [name, body, says] of [
    ['other.json', '{"hello": "world"}', 'an object with hello'],
    ['bench.jsonl', '{"a": 1}\n{"b": 2}', 'neither vLLM results nor AIPerf records'],
    ['cut.json', readFileSync(`${FIXTURES}/vllm_bench_serve.json`, 'utf8').slice(0, 200), 'not JSON'],
  ]) {
    await page.getByTestId('history-import').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(body) });
    await expect(page.getByTestId('history-import-error')).toContainText(says);
  }
  await expect(page.getByTestId('history-row')).toHaveCount(FILES.length);
  // Kept across a reload like any run.
  await historyStored(page);
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(FILES.length);
});

test('a vLLM bench run compares with a Fanout capacity search, and a search exports as vLLM\'s format', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('./#/run');
  await openSettings(page);
  await page.getByTestId('demo-settings-open').click();
  for (const [id, v] of [['demo-slots', '3'], ['demo-ttft', '300'], ['demo-ttft-sigma', '0'], ['demo-rate', '400'], ['demo-rate-jitter', '0']]) {
    await page.getByTestId(id).fill(v);
    await page.getByTestId(id).dispatchEvent('change');
  }
  await onlyTasks(page, ['sentiment']);
  await page.getByTestId('mode-capacity').check();
  await page.getByTestId('capacity-ttft-ms').fill('500');
  await page.getByTestId('capacity-ttft-ms').press('Tab');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('capacity-result')).toHaveAttribute('data-k', '3', { timeout: 90_000 });
  // The search as vLLM result lines: one per K, read back by the importer.
  const file = await download(page, 'export-vllm', page.getByTestId('run-saved'));
  const lines = file.text.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.max_concurrency)).toContain(3);
  const at3 = lines.find((l) => l.max_concurrency === 3);
  expect(at3.model_id).toBeTruthy();
  expect(at3.median_ttft_ms).toBeGreaterThan(250);
  expect(at3.completed).toBeGreaterThan(0);

  await goTo(page, 'history');
  await importFile(page, 'vllm_bench_serve.json');
  const rows = page.getByTestId('history-row');
  await expect(rows).toHaveCount(2);
  await rows.filter({ hasText: 'vllm_bench_serve.json' }).getByTestId('history-tick').check();
  await rows.filter({ hasNotText: 'vllm_bench_serve.json' }).getByTestId('history-tick').check();
  await page.getByTestId('history-compare').click();
  const cmp = page.getByTestId('compare-view');
  // The same figures side by side across the two sources.
  for (const key of ['concurrency', 'ttft-p50', 'e2el-p50', 'req-rate']) {
    await expect(cmp.getByTestId(`compare-${key}`)).toBeVisible();
    await expect(cmp.getByTestId(`compare-${key}`).locator('td').nth(0)).not.toHaveText('–');
    await expect(cmp.getByTestId(`compare-${key}`).locator('td').nth(1)).not.toHaveText('–');
  }
  await expect(cmp.getByTestId('compare-concurrency')).toContainText('8');
  await expect(cmp.getByTestId('compare-concurrency')).toContainText('3');
});
