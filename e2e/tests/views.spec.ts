import { test, expect, type Page } from '@playwright/test';
import { appReady, goTo, openSettings, openWith, resetScenario, runMode, script, uniqueModel } from './helpers';

// A view per job: each has its own URL hash, the Run view puts its
// controls first and its results on screen, dates are the reader's own.

const VIEWS = ['run', 'batch', 'history', 'prompt'] as const;

async function shown(page: Page) {
  const visible = [];
  for (const v of VIEWS) if (await page.getByTestId(`view-${v}`).isVisible()) visible.push(v);
  return visible;
}

test.afterEach(async ({ request }) => resetScenario(request));

test('each view has its own hash; reload and Back keep the view', async ({ page }) => {
  await page.goto('./');
  await appReady(page);
  expect(await shown(page)).toEqual(['run']);
  await goTo(page, 'batch');
  expect(page.url()).toMatch(/#\/batch$/);
  expect(await shown(page)).toEqual(['batch']);
  await expect(page.getByTestId('nav-batch')).toHaveAttribute('aria-current', 'page');
  await page.reload();
  await appReady(page);
  expect(await shown(page)).toEqual(['batch']);
  await goTo(page, 'history');
  await goTo(page, 'prompt');
  await page.goBack();
  await expect(page.getByTestId('view-history')).toBeVisible();
  expect(await shown(page)).toEqual(['history']);
  await page.goBack();
  await expect(page.getByTestId('view-batch')).toBeVisible();
  // A link to a view that does not exist opens the Run view.
  await page.goto('./#/nowhere');
  await expect(page.getByTestId('view-run')).toBeVisible();
  // The connection bar is on every view; the settings open from it.
  for (const v of VIEWS) {
    await goTo(page, v);
    await expect(page.getByTestId('connection-bar')).toBeVisible();
  }
  await expect(page.getByTestId('api-key')).toHaveCount(0);
  await page.getByTestId('settings-open').click();
  await expect(page.getByTestId('api-key')).toBeVisible();
  await page.getByTestId('settings-close').click();
  await expect(page.getByTestId('api-key')).toHaveCount(0);
});

for (const size of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
  test(`at ${size.width}×${size.height} the Run view's controls are on screen at first, its figures after a run`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.goto('./');
    // Faster simulated tokens keep the test short (kept on the device).
    await openSettings(page);
    await page.getByTestId('demo-settings-open').click();
    await page.getByTestId('demo-rate').fill('400');
    await page.getByTestId('demo-rate').dispatchEvent('change');
    await page.reload();
    await expect(page.getByTestId('welcome')).toBeVisible();
    for (const hook of ['sample-select', 'select-summary', 'select-category', 'mode-compare', 'run']) {
      await expect(page.getByTestId(hook), hook).toBeInViewport({ ratio: 1 });
    }
    // The welcome's demo compare (simulated, fast tokens) runs from there.
    await page.getByTestId('welcome-run-demo').click();
    await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 60_000 });
    for (const hook of ['speedup', 'wall-bars', 'timeline']) {
      await expect(page.getByTestId(hook), hook).toBeInViewport();
    }
    expect(Number(await page.getByTestId('speedup').getAttribute('data-value'))).toBeGreaterThan(1);
  });
}

test.describe('in another time zone and locale', () => {
  test.use({ timezoneId: 'Asia/Kolkata', locale: 'en-GB' });

  test('dates are local, written as the browser writes them', async ({ page, request }) => {
    const model = uniqueModel('dates');
    await script(request, model, [{ type: 'reply', text: 'ok', times: null }]);
    await openWith(page, { model });
    await runMode(page, 'parallel');
    await expect(page.getByTestId('run-saved')).toBeVisible({ timeout: 30_000 });
    const at = JSON.parse((await page.getByTestId('run-saved').getAttribute('data-record'))!).at;
    const expected = await page.evaluate(
      (ms) => new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Kolkata' }),
      at,
    );
    await goTo(page, 'history');
    const row = page.getByTestId('history-row');
    await expect(row).toContainText(expected);
    await expect(row).not.toContainText('GMT');
    await row.getByTestId('history-open').click();
    await expect(page.getByTestId('run-view')).toContainText(expected);
  });
});
