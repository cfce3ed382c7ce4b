import { test, expect } from '@playwright/test';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { download, goTo, onlyTasks, openWith, uniqueModel, watchErrors } from './helpers';

// Tight timings live in `make bench` (scenario 9); this checks behaviour at
// scale with wide margins.
test('3,000 documents: every cell ends done, the export holds 3,000 rows, and the page never stalls 200 ms', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    (window as any).__long = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => (window as any).__long.push(e.duration)))
      .observe({ type: 'longtask', buffered: true });
  });
  await openWith(page, { model: uniqueModel('scale') });
  await onlyTasks(page, ['summary']);
  // The test server's echo hook answers at once with the document's text.
  const n = 3000;
  const file = join(mkdtempSync(join(tmpdir(), 'fanout-scale-')), 'docs.csv');
  writeFileSync(file, 'text\n' + Array.from({ length: n }, (_, i) => `"echo-ms-per-word=0 Document ${i + 1} of the batch."`).join('\n') + '\n');
  await goTo(page, 'batch');
  await page.getByTestId('batch-files').setInputFiles(file);
  await expect(page.getByTestId('batch-docs').locator('caption')).toHaveText(`${n} documents, ${n} usable`);
  // Only the rows in view are in the page.
  expect(await page.locator('[data-testid="batch-docs"] tbody tr:not(.spacer)').count()).toBeLessThan(200);
  await page.getByTestId('batch-k').fill('6');
  await page.getByTestId('batch-k').dispatchEvent('change');
  await page.getByTestId('batch-run').click();
  const progress = page.getByTestId('batch-progress');
  await expect(progress).toHaveAttribute('data-done', String(n), { timeout: 200_000 });
  await expect(progress).toHaveAttribute('data-failed', '0');
  await expect(progress).toHaveAttribute('data-remaining', '0');
  await expect(page.getByTestId('batch-run')).toBeEnabled();
  const results = page.getByTestId('batch-results');
  await expect(results).toHaveAttribute('data-rows', String(n));
  expect(await results.locator('tbody tr:not(.spacer)').count()).toBeLessThan(200);
  // Scrolled to the end, the last document's cell is there, done.
  await results.locator('xpath=..').evaluate((el) => { el.scrollTop = el.scrollHeight; el.dispatchEvent(new Event('scroll')); });
  await expect(page.getByTestId(`cell-${n - 1}-0`)).toHaveAttribute('data-status', 'done');
  const csv = await download(page, 'batch-export-csv');
  const lines = csv.text.trim().split('\n');
  expect(lines).toHaveLength(n + 1);
  expect(lines[n]).toContain(`Document ${n} of the batch.`);
  const longest = await page.evaluate(() => Math.max(0, ...(window as any).__long));
  expect(longest).toBeLessThan(200);
  expect(errors).toEqual([]);
});
