import { test, expect, type Page } from '@playwright/test';
import { goTo, openSettings, watchErrors } from './helpers';
import { SITE_PORT } from '../playwright.config';

const IDS = ['summary', 'sentiment', 'keywords', 'questions', 'translation', 'category'];

/** Sets a number in the settings (the demo's knobs are folded in them). */
async function setNumber(page: Page, testid: string, value: string) {
  await openSettings(page);
  if (testid.startsWith('demo-') && !(await page.getByTestId(testid).isVisible())) {
    await page.getByTestId('demo-settings-open').click();
  }
  await page.getByTestId(testid).fill(value);
  await page.getByTestId(testid).dispatchEvent('change');
}

test('with no key the page runs compare mode on the simulated provider, offline, labelled simulated', async ({ page }) => {
  const errors = watchErrors(page);
  const origin = `http://127.0.0.1:${SITE_PORT}`;
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && u.origin !== origin) foreign.push(r.url());
  });
  await page.goto('./');
  await expect(page.getByTestId('demo-banner')).toBeVisible();
  await expect(page.getByTestId('bar-provider')).toHaveText('Demo (simulated)');
  await openSettings(page);
  await expect(page.getByTestId('provider-demo')).toBeChecked();
  // Faster simulated tokens keep the test short; the timeline keeps its shape.
  await setNumber(page, 'demo-rate', '400');
  await page.getByTestId('mode-compare').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 60_000 });
  for (const id of IDS) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId(`task-${id}-simulated`)).toBeVisible();
  }
  // Prepared answers for the first sample.
  await expect(page.getByTestId('task-summary-output')).toContainText('AI has moved quickly from research');
  await expect(page.getByTestId('task-translation-output')).toContainText('La inteligencia artificial');
  await expect(page.getByTestId('task-sentiment-fields').locator('dd').first()).toHaveText('mixed');
  await expect(page.getByTestId('simulated-label')).toBeVisible();
  const speedup = Number((await page.getByTestId('speedup').textContent())?.trim());
  expect(speedup).toBeGreaterThan(1);
  await expect(page.getByTestId('timeline')).toBeVisible();
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});

test('the simulated rate limit answers 429 past its budget, and the other tasks finish', async ({ page }) => {
  await page.goto('./');
  await setNumber(page, 'demo-rpm', '3');
  await setNumber(page, 'demo-rate', '400');
  await setNumber(page, 'max-retries', '0');
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  const cards = page.locator('[data-testid^="task-"][data-status]');
  await expect(cards.and(page.locator('[data-status="done"]'))).toHaveCount(3);
  const failed = cards.and(page.locator('[data-status="error"]'));
  await expect(failed).toHaveCount(3);
  await expect(failed.first()).toContainText('Rate limited (429)');
  await expect(failed.first()).toContainText('Simulated rate limit of 3 requests per minute');
});

test('entering a key switches to the real API and the banner goes', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByTestId('demo-banner')).toBeVisible();
  await openSettings(page);
  await page.getByTestId('api-key').fill('sk-test-switch');
  await expect(page.getByTestId('provider-api')).toBeChecked();
  await expect(page.getByTestId('demo-banner')).toHaveCount(0);
  await expect(page.getByTestId('demo-settings')).toHaveCount(0);
  // And back, by choice.
  await page.getByTestId('provider-demo').check();
  await expect(page.getByTestId('demo-banner')).toBeVisible();
});

test('a demo batch is labelled simulated in its progress and its exports', async ({ page }) => {
  await page.goto('./');
  await setNumber(page, 'demo-rate', '400');
  for (const id of ['sentiment', 'keywords', 'questions', 'translation', 'category']) {
    await page.getByTestId(`select-${id}`).uncheck();
  }
  await goTo(page, 'batch');
  await page.getByTestId('batch-paste').fill('One text.\n---\nAnother text.');
  await page.getByTestId('batch-add-pasted').click();
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('2 done', { timeout: 20_000 });
  await expect(page.locator('.batch-progress')).toContainText('simulated (demo provider)');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('batch-export-jsonl').click(),
  ]);
  const text = await (await download.createReadStream()).toArray();
  const lines = Buffer.concat(text).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(2);
  expect(lines.every((l) => l.simulated === true)).toBe(true);
});
