import { test, expect } from '@playwright/test';
import { onlyTasks, openSettings, openWith, uniqueModel } from './helpers';

// The test server's `reasoning=FORM:NT:TMS:NA:AMS` hook: a role frame with
// empty content, then 60 thinking tokens over 1.5 s, then the answer (a
// JSON object for the structured sentiment task) in 40 tokens over 0.5 s.
const THINK_MS = 1500;
const ANSWER_MS = 500;

for (const form of ['reasoning_content', 'reasoning', 'think']) {
  for (const usage of ['details', 'plain']) {
    test(`thinking sent as ${form} (usage ${usage === 'details' ? 'with' : 'without'} reasoning tokens) is shown apart, and each figure is the field's`, async ({ page }) => {
      await openWith(page, { model: uniqueModel(`think-${form}`) });
      await onlyTasks(page, ['sentiment']);
      const marker = `reasoning=${form}:60:${THINK_MS}:40:${ANSWER_MS}${usage === 'plain' ? ' reasoning-usage=plain' : ''}`;
      await page.getByTestId('input-text').fill(`${marker}\n\nA short review: the product works.`);
      await page.getByTestId('mode-parallel').check();
      await page.getByTestId('run').click();
      const card = page.getByTestId('task-sentiment');
      // The thinking streams into its own place while the answer is empty.
      await expect(page.getByTestId('task-sentiment-reasoning')).toContainText('t0 t1', { timeout: 5_000 });
      await expect(card).toHaveAttribute('data-status', 'done', { timeout: 15_000 });
      // The answer holds no thinking, and the structured answer parses.
      await expect(page.getByTestId('task-sentiment-output')).not.toContainText('t0');
      await expect(page.getByTestId('task-sentiment-output')).not.toContainText('think>');
      await expect(page.getByTestId('task-sentiment-fields')).toContainText('positive');
      await expect(page.getByTestId('task-sentiment-reasoning')).toHaveText(/^t0 t1 .* t59 $/);
      // Folded once done.
      await expect(page.locator('[data-testid="task-sentiment"] details.thinking')).not.toHaveAttribute('open');
      const n = async (attr: string) => Number(await card.getAttribute(attr));
      // First token of any kind: the first thinking token (25 ms in), not
      // the empty role frame; the first answer token after 1.5 s of thinking.
      expect(await n('data-ttft-ms')).toBeLessThan(400);
      const firstAnswer = await n('data-first-answer-ms');
      expect(firstAnswer).toBeGreaterThanOrEqual(THINK_MS);
      expect(firstAnswer).toBeLessThan(THINK_MS + 700);
      // 60 thinking tokens: reported, or counted from the 60 thinking chunks.
      expect(await n('data-reasoning-tokens')).toBe(60);
      expect(await n('data-answer-tokens')).toBe(40);
      // 40 answer tokens over the answer's ~0.5 s (not 100 tokens over it).
      const tps = await n('data-answer-tps');
      expect(tps).toBeGreaterThan(40);
      expect(tps).toBeLessThan(100);
      await expect(page.getByTestId('task-sentiment-breakdown')).toContainText('60 thinking + 40 answer');
      // vLLM's ITL pools the gap before every output chunk after the first,
      // thinking included: 59 gaps of 25 ms, then 40 of about 12.5 ms, so
      // the median is a thinking gap and the mean about 20 ms; TPOT, (end −
      // first token of any kind) ÷ 99, is the same mean for one request.
      const row = page.getByTestId('run-request-figures').locator('tbody tr').first();
      const ms = async (col: number) => (await row.locator('td').nth(col).textContent() ?? '').split(' / ').map((v) => parseFloat(v));
      const [itlMean, itlP50] = await ms(3);
      expect(itlP50).toBeGreaterThan(20);
      expect(itlP50).toBeLessThan(32);
      expect(itlMean).toBeGreaterThan(15);
      expect(itlMean).toBeLessThan(26);
      const [tpotP50] = await ms(2);
      expect(Math.abs(tpotP50 - itlMean)).toBeLessThan(3);
    });
  }
}

test('llama.cpp\'s own timings are shown beside the page\'s, with the wait outside the server', async ({ page }) => {
  await openWith(page, { model: uniqueModel('server-timings') });
  await onlyTasks(page, ['sentiment']);
  await page.getByTestId('input-text').fill(`reasoning=reasoning_content:60:${THINK_MS}:40:${ANSWER_MS} server-timings\n\nA short review.`);
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('task-sentiment')).toHaveAttribute('data-status', 'done', { timeout: 15_000 });
  // 100 tokens over the 2 s the server says it generated for: 50 tokens/s.
  await expect(page.getByTestId('task-sentiment-breakdown')).toContainText("server's own timings: prompt 500 tokens/s, generation 50 tokens/s");
  await expect(page.getByTestId('task-sentiment-breakdown')).toContainText("of the first token's wait outside the server's prompt time");
});

test('a model that does not think shows no thinking, and its first tokens are one', async ({ page }) => {
  await openWith(page, { model: uniqueModel('no-think') });
  await onlyTasks(page, ['summary']);
  await page.getByTestId('input-text').fill('A short review: the product works.');
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  const card = page.getByTestId('task-summary');
  await expect(card).toHaveAttribute('data-status', 'done', { timeout: 15_000 });
  await expect(page.getByTestId('task-summary-reasoning')).toHaveCount(0);
  expect(await card.getAttribute('data-ttft-ms')).toBe(await card.getAttribute('data-first-answer-ms'));
  expect(await card.getAttribute('data-reasoning-tokens')).toBe('0');
});

test('demo mode simulates a reasoning model without a key', async ({ page }) => {
  // A new visitor, without a key, is on the simulated provider.
  await page.goto('./#/run');
  await openSettings(page);
  await expect(page.getByTestId('provider-demo')).toBeChecked();
  await page.getByTestId('demo-settings-open').click();
  for (const [id, v] of [['demo-thinking', '30'], ['demo-ttft', '200'], ['demo-ttft-sigma', '0'], ['demo-rate', '100'], ['demo-rate-jitter', '0']]) {
    await page.getByTestId(id).fill(v);
    await page.getByTestId(id).dispatchEvent('change');
  }
  await onlyTasks(page, ['sentiment']);
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  const card = page.getByTestId('task-sentiment');
  await expect(card).toHaveAttribute('data-status', 'done', { timeout: 15_000 });
  await expect(page.getByTestId('task-sentiment-reasoning')).toHaveText(/^Reading the text again;/);
  await expect(page.getByTestId('task-sentiment-output')).not.toContainText('Reading the text');
  await expect(page.getByTestId('task-sentiment-fields')).toBeVisible();
  expect(Number(await card.getAttribute('data-reasoning-tokens'))).toBe(30);
  // 30 thinking tokens at 100 a second come between the two first tokens.
  const thinking = Number(await card.getAttribute('data-first-answer-ms')) - Number(await card.getAttribute('data-ttft-ms'));
  expect(thinking).toBeGreaterThan(250);
  expect(thinking).toBeLessThan(600);
});
