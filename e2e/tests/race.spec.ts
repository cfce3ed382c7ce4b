import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { RACE_PORT, API_PORT } from '../playwright.config';
import { TEST_KEY, goTo, historyStored, openWith, script, uniqueModel, watchErrors } from './helpers';

const RACE_API = `http://127.0.0.1:${RACE_PORT}`;
const SECOND_KEY = 'sk-race-second-endpoint-5678';

/** Scripts the second server (the race's endpoint 2) for `model`. */
async function scriptSecond(request: APIRequestContext, model: string, behaviors: object[]) {
  const res = await request.post(`${RACE_API}/_llmock/scenario`, {
    data: { behaviors: behaviors.map((b) => ({ ...b, match: { model } })) },
  });
  expect(res.status(), await res.text()).toBe(201);
}

/** Adds endpoint 2 pointing at `baseUrl` with `model` and `key`. */
async function addEndpoint(page: Page, baseUrl: string, model: string, key: string) {
  await page.getByTestId('endpoint-add').click();
  await expect(page.getByTestId('mode-race')).toBeChecked();
  await page.getByTestId('endpoint-2-base-url').fill(baseUrl);
  await page.getByTestId('endpoint-2-model').fill(model);
  await page.getByTestId('endpoint-2-key').fill(key);
}

const wallOf = async (page: Page, testid: string) => Number(await page.getByTestId(testid).getAttribute('data-wall-ms'));

test('a race on two servers takes the slower one\'s time, not the sum; each server gets only its own key; history keeps it', async ({ page, request }) => {
  const errors = watchErrors(page);
  const slow = uniqueModel('race-slow');
  const fast = uniqueModel('race-fast');
  await script(request, slow, [{ type: 'delay', seconds: 0.9, times: null }]);
  await scriptSecond(request, fast, [{ type: 'delay', seconds: 0.3, times: null }]);
  const sent: { url: string; auth?: string }[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/chat/completions')) sent.push({ url: r.url(), auth: r.headers()['authorization'] });
  });
  await openWith(page, { model: slow });
  await addEndpoint(page, `${RACE_API}/v1`, fast, SECOND_KEY);
  await expect(page.getByTestId('race-1')).toHaveCount(0);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('race-1')).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('race-2')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('race-1')).toHaveAttribute('data-done', '6');
  await expect(page.getByTestId('race-2')).toHaveAttribute('data-done', '6');
  for (const id of ['summary', 'sentiment', 'keywords', 'questions', 'translation', 'category']) {
    await expect(page.getByTestId(`race-1-task-${id}`)).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId(`race-2-task-${id}`)).toHaveAttribute('data-status', 'done');
  }
  const [w1, w2] = [await wallOf(page, 'race-1'), await wallOf(page, 'race-2')];
  expect(w1).toBeGreaterThanOrEqual(900);
  expect(w2).toBeGreaterThanOrEqual(300);
  expect(w2).toBeLessThan(w1);
  // Both ran at once: the race lasts about the slower endpoint, well under the sum.
  await expect(page.getByTestId('race-wall')).not.toHaveAttribute('data-ms', '');
  const race = Number(await page.getByTestId('race-wall').getAttribute('data-ms'));
  expect(race).toBeGreaterThanOrEqual(w1);
  expect(race).toBeLessThan(w1 + 0.5 * w2);
  // The faster endpoint is marked best for wall time.
  await expect(page.getByTestId('race-fig-wall').locator('td').nth(1)).toHaveAttribute('data-best', 'true');
  await expect(page.getByTestId('race-fig-wall').locator('td').nth(0)).toHaveAttribute('data-best', 'false');
  // Six requests to each server, each with its own key only.
  const first = sent.filter((s) => s.url.includes(`:${API_PORT}/`));
  const second = sent.filter((s) => s.url.includes(`:${RACE_PORT}/`));
  expect(first).toHaveLength(6);
  expect(second).toHaveLength(6);
  expect(first.every((s) => s.auth === `Bearer ${TEST_KEY}`)).toBe(true);
  expect(second.every((s) => s.auth === `Bearer ${SECOND_KEY}`)).toBe(true);

  // One record in the history, reopened after a reload with both endpoints.
  await goTo(page, 'history');
  const row = page.getByTestId('history-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('race');
  await expect(row).toContainText(`${slow} vs ${fast}`);
  // Its headline: the race's wall time and the faster endpoint.
  await expect(row.getByTestId('history-headline')).toHaveText(/^\d+(\.\d+)? m?s wall · fastest: Endpoint 2$/);
  const saved = await page.getByTestId('run-saved').getAttribute('data-record');
  expect(saved).not.toContain(SECOND_KEY);
  expect(saved).not.toContain(TEST_KEY);
  await historyStored(page);
  await page.reload();
  await goTo(page, 'history');
  await page.getByTestId('history-open').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('kept-race-1')).toHaveAttribute('data-status', 'done');
  await expect(view.getByTestId('kept-race-2')).toHaveAttribute('data-wall-ms', String(w2));
  await expect(view.getByTestId('fig-race-wall')).not.toHaveText('–');
  await expect(view.getByTestId('timeline').locator('g.bar')).toHaveCount(12);
  expect(errors).toEqual([]);
});

test('one endpoint failing every request leaves the other\'s tasks all done', async ({ page, request }) => {
  const model = uniqueModel('race-up');
  await script(request, model, [{ type: 'delay', seconds: 0.3, times: null }]);
  await openWith(page, { model, retries: 0 });
  // Nothing listens on port 9: every request of endpoint 2 is refused.
  await addEndpoint(page, 'http://127.0.0.1:9/v1', model, SECOND_KEY);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('race-2')).toHaveAttribute('data-status', 'error', { timeout: 30_000 });
  await expect(page.getByTestId('race-1')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('race-1')).toHaveAttribute('data-done', '6');
  await expect(page.getByTestId('race-2')).toHaveAttribute('data-done', '0');
  await expect(page.getByTestId('race-2-task-summary')).toHaveAttribute('data-status', 'error');
  // The failing endpoint is never marked best, however fast it failed.
  await expect(page.getByTestId('race-fig-wall').locator('td[data-best="true"]')).toHaveCount(0);
  await expect(page.getByTestId('run')).toBeEnabled();
});

test('a newcomer races simulated endpoints of different speeds without a key', async ({ page }) => {
  await page.goto('./#/run');
  await expect(page.getByTestId('bar-provider')).toContainText('Demo');
  await page.getByTestId('endpoint-add').click();
  await page.getByTestId('endpoint-add').click();
  await expect(page.getByTestId('endpoint-3-name')).toHaveValue('Demo slow');
  await page.getByTestId('run').click();
  for (const n of [1, 2, 3]) {
    await expect(page.getByTestId(`race-${n}`)).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  }
  // "Demo fast" beats "Demo slow".
  expect(await wallOf(page, 'race-2')).toBeLessThan(await wallOf(page, 'race-3'));
  await expect(page.getByTestId('race-agree-sentiment')).not.toHaveText('–');
  // Structured answers read as fields, as on the cards; the JSON stays one click away.
  for (const n of [1, 2, 3]) {
    const fields = page.getByTestId(`race-${n}-fields-sentiment`);
    await expect(fields.locator('dt').first()).toHaveText('sentiment');
    await expect(page.getByTestId(`race-${n}-task-sentiment`).locator('details.raw pre')).toContainText('"sentiment"');
  }
  await expect(page.getByTestId('race-1-fields-summary')).toHaveCount(0);
});
