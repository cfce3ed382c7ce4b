import { test, expect, type Page } from '@playwright/test';
import { TASK_IDS, msOf, openWith, received, resetScenario, runMode, script, uniqueModel, watchErrors } from './helpers';

async function runParallel(page: Page) {
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  for (const id of TASK_IDS) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'done');
  }
  return msOf(page, 'total-parallel-ms');
}

test.afterEach(async ({ request }) => resetScenario(request));

test('K = 2 with the slow task listed last: longest-first, learned from the first run, ends sooner and says by how much', async ({ page, request }) => {
  const errors = watchErrors(page);
  const model = uniqueModel('order');
  await script(request, model, [
    { type: 'delay', seconds: 0.4, times: null },
    { type: 'reply', text: 'A short answer.', times: null },
  ]);
  await openWith(page, { model });
  // Category, listed last, gets 2.5 s more from the server than the others.
  await page.getByTestId('edit-category').click();
  await page.getByTestId('task-form-system').fill('You sort texts into categories. latency-ms=2500');
  await page.getByTestId('task-form-save').click();
  await page.getByTestId('concurrency').fill('2');
  await page.getByTestId('concurrency').dispatchEvent('change');

  await page.getByTestId('order').selectOption('as-listed');
  const listed = await runParallel(page);
  // The first run's measurements now set the figures.
  await page.getByTestId('expected-details').locator('summary').click();
  await expect(page.getByTestId('expected-table').locator('tr', { hasText: 'Category' })).toContainText('measured runs');
  await expect(page.getByTestId('timeline').getByTestId('expected-bar')).toHaveCount(6);

  await page.getByTestId('order').selectOption('longest-first');
  const lpt = await runParallel(page);
  // Wide margins: as listed, Category starts after four others (about 1 s
  // in); started first, it runs beside them.
  expect(lpt).toBeLessThan(listed - 400);
  await expect(page.getByTestId('order-saving')).toContainText('Order: longest expected first saved');
  await expect(page.getByTestId('order-saving')).toContainText('K = 2');
  // The server got Category last in the first run and first in the second
  // (llmock logs a request after the test server held it, so its arrival
  // is 2.5 s before that).
  const slow = (r: any) => JSON.stringify(r.body).includes('latency-ms=2500');
  const arrived = (r: any) => r.started_at - (slow(r) ? 2.5 : 0);
  const sent = (await received(request, model)).sort((a, b) => arrived(a) - arrived(b));
  expect(sent).toHaveLength(12);
  // Two start at once on two slots: Category is among the last pair of
  // the first run and the first pair of the second.
  expect(sent.slice(0, 6).findIndex(slow)).toBeGreaterThanOrEqual(4);
  expect(sent.slice(6).findIndex(slow)).toBeLessThanOrEqual(1);
  expect(sent.slice(6).findIndex(slow)).toBeGreaterThanOrEqual(0);
  expect(errors).toEqual([]);
});

test('a priority overrides the estimate, and the expected-duration figures can be edited', async ({ page, request }) => {
  const model = uniqueModel('priority');
  await script(request, model, [{ type: 'reply', text: 'Ok.', times: null }]);
  await openWith(page, { model });
  await page.getByTestId('expected-details').locator('summary').click();
  const table = page.getByTestId('expected-table');
  await expect(table.locator('tr', { hasText: 'Summary' })).toContainText('request estimate');
  const before = await table.locator('tr', { hasText: 'Summary' }).locator('td').first().textContent();
  await page.getByTestId('speed-rate').fill('10');
  await page.getByTestId('speed-rate').dispatchEvent('change');
  await expect(table.locator('tr', { hasText: 'Summary' }).locator('td').first()).not.toHaveText(before ?? '');
  // Sentiment (the shortest estimate) gets priority 5.
  await page.getByTestId('edit-sentiment').click();
  await page.getByTestId('task-form-priority').fill('5');
  await page.getByTestId('task-form-save').click();
  await page.getByTestId('concurrency').fill('1');
  await page.getByTestId('concurrency').dispatchEvent('change');
  await runParallel(page);
  const sent = (await received(request, model)).sort((a, b) => a.started_at - b.started_at);
  expect(sent[0].body.messages[1].content).toMatch(/^Classify the overall sentiment/);
  // An out-of-range priority is refused next to the form.
  await page.getByTestId('edit-summary').click();
  await page.getByTestId('task-form-priority').fill('12');
  await page.getByTestId('task-form-save').click();
  await expect(page.getByTestId('task-form-error')).toContainText('priority must be between 0 and 9');
});
