import { test, expect } from '@playwright/test';
import { BASE_URL, TEST_KEY, appReady, goTo, openSettings, watchErrors } from './helpers';

test('the built page loads without console errors', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  await expect(page.getByRole('heading', { name: 'Fanout', exact: true })).toBeVisible();
  await expect(page.getByTestId('send')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('Test connection lists the server models', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  await openSettings(page);
  await page.getByTestId('base-url').fill(BASE_URL);
  await page.getByTestId('api-key').fill(TEST_KEY);
  await page.getByTestId('test-connection').click();
  const list = page.getByTestId('model-list');
  await expect(list).toContainText('gpt-4o-mini');
  await expect(list).toContainText('gpt-3.5-turbo');
  // Picking a model from the list fills the model field.
  await list.getByRole('button', { name: 'gpt-3.5-turbo' }).click();
  await expect(page.getByTestId('model')).toHaveValue('gpt-3.5-turbo');
  expect(errors).toEqual([]);
});

test('Test connection to a closed port explains what to check', async ({ page }) => {
  await page.goto('./');
  await openSettings(page);
  await page.getByTestId('base-url').fill('http://127.0.0.1:9/v1');
  await page.getByTestId('test-connection').click();
  const err = page.getByTestId('connection-error');
  await expect(err).toContainText('Could not reach 127.0.0.1:9');
  await expect(err).toContainText('CORS');
});

test('a bad base URL is explained next to the field and nothing else is lost', async ({ page }) => {
  await page.goto('./#/prompt');
  await openSettings(page);
  await page.getByTestId('model').fill('my-model');
  await page.getByTestId('base-url').fill('localhost:8080');
  await expect(page.getByTestId('base-url-error')).toContainText('http:// or https://');
  await page.getByTestId('send').click();
  await expect(page.getByTestId('form-error')).toContainText('http:// or https://');
  await expect(page.getByTestId('model')).toHaveValue('my-model');
  await expect(page.getByTestId('prompt-input')).not.toHaveValue('');
});

test('the key stays in memory unless "remember" is ticked', async ({ page }) => {
  await page.goto('./');
  await openSettings(page);
  await page.getByTestId('api-key').fill(TEST_KEY);
  await page.getByTestId('model').fill('kept-model');
  await page.reload();
  await openSettings(page);
  await expect(page.getByTestId('api-key')).toHaveValue('');
  await expect(page.getByTestId('model')).toHaveValue('kept-model');
  expect(JSON.stringify(await page.evaluate(() => ({ ...localStorage })))).not.toContain(TEST_KEY);

  await page.getByTestId('api-key').fill(TEST_KEY);
  await page.getByTestId('remember-key').check();
  await page.reload();
  await openSettings(page);
  await expect(page.getByTestId('api-key')).toHaveValue(TEST_KEY);

  await page.getByTestId('remember-key').uncheck();
  expect(JSON.stringify(await page.evaluate(() => ({ ...localStorage })))).not.toContain(TEST_KEY);
  expect(page.url()).not.toContain(TEST_KEY);
});

test('a 360 px wide phone screen needs no horizontal scrolling: before and after a demo run, a batch, the history', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('./');
  await appReady(page);
  const width = () => page.evaluate(() => document.scrollingElement!.scrollWidth);
  expect(await width()).toBeLessThanOrEqual(360);
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  expect(await width()).toBeLessThanOrEqual(360);
  await goTo(page, 'batch');
  await page.getByTestId('batch-paste').fill('One.\n---\nTwo.');
  await page.getByTestId('batch-add-pasted').click();
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('0 remaining', { timeout: 30_000 });
  expect(await width()).toBeLessThanOrEqual(360);
  // The history with a run opened, then the two kept runs compared.
  await goTo(page, 'history');
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await page.getByTestId('history-open').first().click();
  await expect(page.getByTestId('run-view')).toBeVisible();
  expect(await width()).toBeLessThanOrEqual(360);
  for (const tick of await page.getByTestId('history-tick').all()) await tick.check();
  await page.getByTestId('history-compare').click();
  await expect(page.getByTestId('compare-view')).toBeVisible();
  expect(await width()).toBeLessThanOrEqual(360);
});
