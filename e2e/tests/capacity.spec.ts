import { test, expect, type Page } from '@playwright/test';
import { appReady, goTo, historyStored, onlyTasks, openSettings, openWith, uniqueModel, watchErrors } from './helpers';

// The test server's `slots=N serve-ms=D` hook: at most N requests at once
// per model, the rest queued first come, first served; each takes D ms to
// its first token, then 20 tokens 5 ms apart (one request ≈ D + 100 ms).
const SERVE_MS = 400;
const ONE_REQUEST_MS = SERVE_MS + 100;

/** Runs the capacity mode with a first-token target and returns the result. */
async function capacity(page: Page, ttftTarget: number) {
  await page.getByTestId('mode-capacity').check();
  await page.getByTestId('capacity-ttft-ms').fill(String(ttftTarget));
  await page.getByTestId('capacity-ttft-ms').press('Tab');
  await page.getByTestId('run').click();
  const result = page.getByTestId('capacity-result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  return result;
}

for (const slots of [2, 4]) {
  test(`a server working on ${slots} requests at once holds K = ${slots}, and queueing is named as the reason`, async ({ page }) => {
    test.setTimeout(180_000);
    const errors = watchErrors(page);
    await openWith(page, { model: uniqueModel(`capacity${slots}`) });
    await onlyTasks(page, ['summary', 'sentiment']);
    await page.getByTestId('input-text').fill(`slots=${slots} serve-ms=${SERVE_MS}\n\nA short review: the product works.`);
    // Between one and two requests' durations: a request served at once
    // meets it, one that waited for a slot does not.
    const result = await capacity(page, Math.round(ONE_REQUEST_MS * 1.4));
    await expect(result).toHaveAttribute('data-k', String(slots));
    await expect(result).toHaveText(new RegExp(`^Holds ${slots} at once: first token p90 \\d+ ms`));
    await expect(result).toHaveAttribute('data-queueing', 'true');
    await expect(page.getByTestId('capacity-reason')).toContainText(`At K = ${slots + 1}: first token p90`);
    await expect(page.getByTestId('capacity-reason')).toContainText('queued on the server');
    // Each K measured once, the answer held and the one above it broke.
    const steps = page.getByTestId('capacity-steps').locator('tbody tr');
    const ks = await steps.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-k'))));
    expect(new Set(ks).size).toBe(ks.length);
    await expect(steps.and(page.locator(`[data-k="${slots}"]`))).toHaveAttribute('data-held', 'true');
    await expect(steps.and(page.locator(`[data-k="${slots + 1}"]`))).toHaveAttribute('data-held', 'false');
    // SLO attainment: every request met the targets at K = slots; at one
    // more, the queued ones did not.
    await expect(steps.and(page.locator(`[data-k="${slots}"]`))).toHaveAttribute('data-attainment', '1.000');
    expect(Number(await steps.and(page.locator(`[data-k="${slots + 1}"]`)).getAttribute('data-attainment'))).toBeLessThan(0.9);
    // A verdict too close to call is measured again: at K = 5 over 4 slots
    // one request in 5 queues (80 % met, 95 % interval 49–94 % at 10
    // requests, holding the 90 % a p90 asks for), so K = 5 is measured
    // twice more and is still close at 30; at K = 3 over 2 slots one in 3
    // queues (67 %, 39–86 % at 12): clearly broken, measured once.
    const above = steps.and(page.locator(`[data-k="${slots + 1}"]`));
    if (slots === 4) {
      await expect(above).toHaveAttribute('data-again', '2');
      await expect(above).toHaveAttribute('data-close', 'true');
      await expect(page.getByTestId('capacity-close')).toContainText('K = 5 (30 requests: 80.0 % met every target');
    } else {
      await expect(above).toHaveAttribute('data-again', '0');
      await expect(page.getByTestId('capacity-close')).toHaveCount(0);
    }
    await expect(steps.and(page.locator(`[data-k="${slots}"]`))).toHaveAttribute('data-again', '0');
    // Plain http: the browser's 6 connections bound the search.
    expect(Math.max(...ks)).toBeLessThanOrEqual(6);
    await expect(page.getByTestId('capacity-ttft-chart').locator('line.chosen')).toHaveCount(1);
    // This server lets the page read its x-ratelimit-* headers.
    await expect(page.getByTestId('capacity-rate-limit')).toContainText(/of 10,000 requests left/);
    // "Use this K" sets the batch panel's K and the Run view's K.
    await page.getByTestId('capacity-use').click();
    await expect(page.getByTestId('concurrency')).toHaveValue(String(slots));
    await goTo(page, 'batch');
    await expect(page.getByTestId('batch-k')).toHaveValue(String(slots));
    // Kept in the history, drawn again after a reload.
    await historyStored(page);
    await page.reload();
    await goTo(page, 'history');
    await expect(page.getByTestId('history-row').first()).toContainText('capacity');
    await expect(page.getByTestId('history-row').first().getByTestId('history-headline')).toHaveText(`holds ${slots} at once`);
    await page.getByTestId('history-open').first().click();
    await expect(page.getByTestId('run-view').getByTestId('kept-capacity-result')).toHaveAttribute('data-k', String(slots));
    expect(errors).toEqual([]);
  });
}

test('targets carry as vLLM\'s --goodput text, are kept on the device, and an end-to-end target breaks the search where it is missed', async ({ page }) => {
  test.setTimeout(90_000);
  await openWith(page, { model: uniqueModel('capacity-goodput') });
  await onlyTasks(page, ['sentiment']);
  await page.getByTestId('mode-capacity').check();
  const goodput = page.getByTestId('capacity-goodput');
  await expect(goodput).toHaveValue('ttft:1000');
  await goodput.fill('ttft:700 tpot:40, e2el:450');
  await goodput.press('Tab');
  await expect(page.getByTestId('capacity-ttft-ms')).toHaveValue('700');
  await expect(page.getByTestId('capacity-tpot-ms')).toHaveValue('40');
  await expect(page.getByTestId('capacity-e2el-ms')).toHaveValue('450');
  await expect(goodput).toHaveValue('ttft:700 tpot:40 e2el:450');
  // A text it cannot read is refused next to it; the targets stay.
  await goodput.fill('ttft:700 itl:20');
  await goodput.press('Tab');
  await expect(page.getByTestId('capacity-goodput-error')).toContainText('“itl” is no target here');
  await expect(page.getByTestId('capacity-e2el-ms')).toHaveValue('450');
  // Kept on the device.
  await page.reload();
  await appReady(page);
  await page.getByTestId('mode-capacity').check();
  await expect(page.getByTestId('capacity-goodput')).toHaveValue('ttft:700 tpot:40 e2el:450');
  // One request alone takes about 500 ms end to end: the 450 ms target
  // breaks K = 1, and the reason names it.
  await onlyTasks(page, ['sentiment']);
  await page.getByTestId('input-text').fill(`slots=2 serve-ms=${SERVE_MS}\n\nA short review: the product works.`);
  await page.getByTestId('run').click();
  const result = page.getByTestId('capacity-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(result).toHaveAttribute('data-k', '0');
  await expect(page.getByTestId('capacity-reason')).toContainText(/At K = 1: end to end p90 \d+ ms is over the 450 ms target/);
  await expect(page.getByTestId('capacity-results')).toContainText('As vLLM\'s --goodput: ttft:700 tpot:40 e2el:450.');
});

test('capacity with a server that lets every request through at once stops at the browser\'s 6 connections and says so', async ({ page }) => {
  test.setTimeout(120_000);
  await openWith(page, { model: uniqueModel('capacity-wide') });
  await onlyTasks(page, ['sentiment']);
  await page.getByTestId('input-text').fill(`slots=32 serve-ms=150\n\nA short review.`);
  const result = await capacity(page, 1000);
  await expect(result).toHaveAttribute('data-k', '6');
  // Nothing broke up to 6: a lower bound, said as one.
  await expect(result).toHaveText(/^Holds at least 6 at once \(6 is the most this search tries\): /);
  await expect(page.getByTestId('capacity-capped')).toContainText('6 connections');
  await expect(page.getByTestId('capacity-reason')).toHaveCount(0);
});

test('the demo server\'s capacity setting is found without a key', async ({ page }) => {
  test.setTimeout(120_000);
  // A new visitor, without a key, is on the simulated provider.
  await page.goto('./#/run');
  await openSettings(page);
  await expect(page.getByTestId('provider-demo')).toBeChecked();
  await page.getByTestId('demo-settings-open').click();
  for (const [id, v] of [['demo-slots', '3'], ['demo-ttft', '300'], ['demo-ttft-sigma', '0'], ['demo-rate', '400'], ['demo-rate-jitter', '0']]) {
    await page.getByTestId(id).fill(v);
    await page.getByTestId(id).dispatchEvent('change');
  }
  await onlyTasks(page, ['sentiment']);
  const result = await capacity(page, 500);
  await expect(result).toHaveAttribute('data-k', '3');
  await expect(page.getByTestId('capacity-reason')).toContainText('queued on the server');
});

test('a run shows per-request figures, and the rate limits left where the server lets the page read them', async ({ page }) => {
  const errors = watchErrors(page);
  await openWith(page, { model: uniqueModel('perrequest') });
  await onlyTasks(page, ['summary', 'sentiment', 'keywords']);
  await page.getByTestId('input-text').fill('slots=8 serve-ms=200\n\nA short review: the product works.');
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  const table = page.getByTestId('run-request-figures');
  const row = table.locator('tr[data-group="parallel"] td');
  await expect(row.nth(0)).toHaveText('3');
  // First token about 200 ms; 19 gaps of about 5 ms between 20 tokens.
  const [p50] = ((await row.nth(1).textContent()) ?? '').split(' / ');
  expect(Number(p50.replace(' ms', ''))).toBeGreaterThanOrEqual(190);
  await expect(row.nth(2)).toHaveText(/^\d+\.\d ms \/ /);
  // ITL pools the three streams' 57 gaps: about 5 ms each.
  const [, itlP50] = ((await row.nth(3).textContent()) ?? '').split(' / ').map((v) => parseFloat(v));
  expect(itlP50).toBeGreaterThan(1);
  expect(itlP50).toBeLessThan(20);
  await expect(page.getByTestId('run-request-figures')).toContainText('goodput: requests per second with a first token within 1.00 s, at least 20 tokens/s (ttft:1000)');
  await expect(page.getByTestId('run-rate-limit')).toContainText('parallel: ');
  await expect(page.getByTestId('run-rate-limit')).toContainText(/of 10,000 requests left \(resets in 6ms\)/);
  // Each card says its time per token and its stream's longest gap.
  await expect(page.getByTestId('task-summary')).toContainText(/ms per token · longest gap \d+ ms/);
  // llmock sends no rate-limit headers: the page says so rather than nothing.
  await page.getByTestId('input-text').fill('A short review: the product works.');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await expect(page.getByTestId('run-rate-limit')).toContainText('does not let the page read them');
  expect(errors).toEqual([]);
});
