import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { API, BASE_URL, TEST_KEY, appReady, goTo, openSettings, script, uniqueModel, watchErrors } from './helpers';

// The finished interface: accessibility scan of the main views, the main
// flow with the keyboard alone, themes and first-visit guidance.

test.afterEach(async ({ request }) => {
  await request.delete(`${API}/_llmock/scenario`);
});

/** Serious and critical accessibility violations on the page as it is. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('axe finds no serious or critical violation in the main views, light and dark', async ({ page }) => {
  await page.goto('./');
  // First visit, demo mode: guidance and the Run view, then the settings open.
  await expect(page.getByTestId('welcome')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await openSettings(page);
  expect(await violations(page)).toEqual([]);
  await page.getByTestId('settings-close').click();
  // After a (simulated) compare run: cards, charts, figures, exports, history.
  await page.getByTestId('welcome-dismiss').click();
  await page.getByTestId('mode-compare').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 60_000 });
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 60_000 });
  expect(await violations(page)).toEqual([]);
  for (const view of ['batch', 'prompt'] as const) {
    await goTo(page, view);
    expect(await violations(page)).toEqual([]);
  }
  // History: a run opened, then two compared.
  await goTo(page, 'history');
  await page.getByTestId('history-open').first().click();
  await expect(page.getByTestId('run-view')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  for (const tick of await page.getByTestId('history-tick').all()) await tick.check();
  await page.getByTestId('history-compare').click();
  await expect(page.getByTestId('compare-view')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByTestId('theme').selectOption('dark');
  expect(await violations(page)).toEqual([]);
  for (const view of ['run', 'batch', 'prompt'] as const) {
    await goTo(page, view);
    expect(await violations(page)).toEqual([]);
  }
  await openSettings(page);
  expect(await violations(page)).toEqual([]);
});

/** Presses Tab until the element with `testid` has focus (fails if it never does). */
async function tabTo(page: Page, testid: string) {
  for (let i = 0; i < 400; i++) {
    if ((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === testid) {
      // Focus must be visible where it lands.
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      expect(outline, `focus ring on ${testid}`).not.toBe('none');
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${testid}`);
}

test('the main flow works with the keyboard alone', async ({ page, request }) => {
  const errors = watchErrors(page);
  const model = uniqueModel('keyboard');
  await script(request, model, [{ type: 'delay', seconds: 0.2, times: null }]);
  await page.goto('./');
  await appReady(page);
  await page.locator('body').focus();
  await tabTo(page, 'welcome-dismiss');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('welcome')).toHaveCount(0);
  await tabTo(page, 'settings-open');
  await page.keyboard.press('Enter');
  await tabTo(page, 'api-key');
  await page.keyboard.type(TEST_KEY);
  await tabTo(page, 'base-url');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(BASE_URL);
  await tabTo(page, 'model');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(model);
  await tabTo(page, 'sample-select');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('input-text')).toHaveValue(/Northwind/);
  await tabTo(page, 'select-category');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('select-category')).not.toBeChecked();
  await tabTo(page, 'mode-compare');
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('mode-parallel')).toBeChecked();
  await tabTo(page, 'run');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  for (const id of ['summary', 'sentiment', 'keywords', 'questions', 'translation']) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'done');
  }
  // The figures explain themselves when focused.
  await tabTo(page, 'run');
  const overhead = page.locator('.metric', { has: page.getByTestId('overhead') });
  await overhead.focus();
  await expect(overhead.locator('.explain')).toBeVisible();
  await expect(overhead.locator('.explain')).toContainText('slowest task');
  // Open the kept run from the history.
  await tabTo(page, 'nav-history');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-history')).toBeVisible();
  await tabTo(page, 'history-open');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-view')).toBeVisible();
  await expect(page.getByTestId('run-view').getByTestId('kept-answer')).toHaveCount(5);
  expect(errors).toEqual([]);
});

test('the theme follows the system until one is chosen, and the choice is kept', async ({ page }) => {
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('./');
  await appReady(page);
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await background();
  expect(dark).not.toBe(light);
  // Chosen light wins over a dark system, also after a reload.
  await page.getByTestId('theme').selectOption('light');
  expect(await background()).toBe(light);
  await page.reload();
  await expect(page.getByTestId('theme')).toHaveValue('light');
  expect(await background()).toBe(light);
  await page.getByTestId('theme').selectOption('dark');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await background()).toBe(dark);
  await page.getByTestId('theme').selectOption('');
  expect(await background()).toBe(light);
  expect(await page.evaluate(() => localStorage.getItem('fanout.theme'))).toBeNull();
});

test('first-visit guidance says what a key is, where it stays and what a run costs, once', async ({ page }) => {
  await page.goto('./');
  const welcome = page.getByTestId('welcome');
  await expect(welcome).toContainText('API key');
  await expect(welcome).toContainText('sent only to the base URL');
  await expect(page.getByTestId('welcome-cost')).toContainText(/sends 13 requests and costs at most \$0\.\d{4}/);
  // The estimate follows the model: no price, no figure.
  await openSettings(page);
  await page.getByTestId('model').fill('my-local-model');
  await expect(page.getByTestId('welcome-cost')).toContainText('has no price');
  await page.getByTestId('welcome-dismiss').click();
  await expect(welcome).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('workflow-title')).toHaveCount(0);
  await expect(page.getByTestId('run')).toBeVisible();
  await expect(welcome).toHaveCount(0);
});
