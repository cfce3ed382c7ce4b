// Soak: 1,000 batch requests against a server that fails at random (5 %
// 500s, 2 % 429s with Retry-After, 1 % streams cut after the first chunk;
// seeded). Nothing may be lost or stuck, the attempts the page recorded must
// equal the requests the server saw, and the JS heap must come back to
// about where it was. `make soak` runs this file alone.
import { test, expect } from '@playwright/test';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TEST_KEY, goTo, openSettings } from './helpers';
import { CHAOS_PORT } from '../playwright.config';

const CHAOS = `http://127.0.0.1:${CHAOS_PORT}`;
const DOCS = 200;
const TASKS = ['summary', 'sentiment', 'keywords', 'questions', 'translation'];

test('soak: 1,000 requests under random faults all end done or error, every attempt accounted for, no heap growth', async ({ page, request }) => {
  test.setTimeout(300_000);
  await page.goto('./');
  await openSettings(page);
  await page.getByTestId('api-key').fill(TEST_KEY);
  await page.getByTestId('base-url').fill(`${CHAOS}/v1`);
  await page.getByTestId('model').fill('soak-model');
  await page.getByTestId('select-category').uncheck();
  await goTo(page, 'batch');
  const texts = Array.from({ length: DOCS }, (_, i) => `Soak document ${i + 1}: a short text about item ${i + 1}.`);
  await page.getByTestId('batch-paste').fill(texts.join('\n---\n'));
  await page.getByTestId('batch-add-pasted').click();
  await expect(page.getByTestId('batch-docs').locator('caption')).toHaveText(`${DOCS} documents, ${DOCS} usable`);
  const before = (await request.get(`${CHAOS}/_chaos/stats`).then((r) => r.json())).chat_requests;

  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize as number;
  };
  const heapBefore = await heap();
  const started = Date.now();
  await page.getByTestId('batch-run').click();
  const figures = async () => JSON.parse((await page.getByTestId('batch-progress').getAttribute('data-figures')) ?? '{}');
  await expect.poll(async () => { const f = await figures(); return f.done + f.failed; }, { timeout: 280_000, intervals: [1000] }).toBe(DOCS * TASKS.length);
  await expect(page.getByTestId('batch-run')).toBeEnabled();
  const seconds = (Date.now() - started) / 1000;

  // Every cell ended, none pending or running (the table draws only the
  // rows in view: the counts are the progress's).
  const progress = page.getByTestId('batch-progress');
  await expect(progress).toHaveAttribute('data-remaining', '0');
  const ended = Number(await progress.getAttribute('data-done')) + Number(await progress.getAttribute('data-failed'));
  expect(ended).toBe(DOCS * TASKS.length);

  // The export holds every result, and its attempts are the server's requests.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('batch-export-json').click()]);
  const file = join(mkdtempSync(join(tmpdir(), 'fanout-soak-')), 'soak.json');
  await download.saveAs(file);
  const results = JSON.parse(readFileSync(file, 'utf8')).results as any[];
  expect(results).toHaveLength(DOCS * TASKS.length);
  const count = (st: string) => results.filter((r) => r.result?.status === st).length;
  expect(count('done') + count('error')).toBe(DOCS * TASKS.length);
  const attempts = results.reduce((n, r) => n + r.result.attempts, 0);
  const stats = await request.get(`${CHAOS}/_chaos/stats`).then((r) => r.json());
  expect(attempts).toBe(stats.chat_requests - before);
  // A cut stream is reported, not retried; 500s and 429s are retried.
  expect(count('error')).toBeGreaterThan(0);
  expect(count('error')).toBeLessThanOrEqual(stats.cut + 5);

  const heapAfter = await heap();
  const grew = (heapAfter - heapBefore) / 1_048_576;
  console.log(
    `soak: ${results.length} results (${count('done')} done, ${count('error')} error) in ${seconds.toFixed(1)} s; ` +
      `server saw ${stats.chat_requests - before} requests (${stats['500']} × 500, ${stats['429']} × 429, ${stats.cut} cut); ` +
      `page attempts ${attempts}; JS heap ${(heapBefore / 1_048_576).toFixed(1)} → ${(heapAfter / 1_048_576).toFixed(1)} MB`,
  );
  expect(grew).toBeLessThan(20);
});
