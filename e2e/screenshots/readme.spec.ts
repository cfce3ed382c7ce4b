import { test, expect, type Page } from '@playwright/test';

// Writes docs/screenshots/<view>-<theme>-<device>.png: every view (and a
// race on the Run view), light and
// dark, desktop and phone. Demo mode (seeded simulation), so anyone can take
// the same pictures without a key; what each shows is the screen a user
// sees there, not the whole page.
const OUT = '../docs/screenshots';
const DEVICES = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

async function shoot(page: Page, name: string) {
  // No hover tooltip left from the last click.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${OUT}/${name}.png` });
}

for (const device of DEVICES) {
  for (const theme of ['light', 'dark'] as const) {
    test(`every view, ${theme}, ${device.name}`, async ({ page }) => {
      test.setTimeout(240_000);
      const suffix = `${theme}-${device.name}`;
      await page.setViewportSize({ width: device.width, height: device.height });
      await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
      await page.goto('./');
      // The first screen, as a first visit shows it.
      await expect(page.getByTestId('welcome')).toBeVisible();
      await shoot(page, `welcome-${suffix}`);
      await page.getByTestId('settings-open').click();
      await page.getByTestId('demo-settings-open').click();
      await shoot(page, `settings-${suffix}`);
      await page.getByTestId('settings-close').click();

      await page.getByTestId('welcome-run-demo').click();
      await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 120_000 });
      await shoot(page, `run-${suffix}`);

      await page.getByTestId('nav-batch').click();
      await page.getByTestId('batch-paste').fill('The first document.\n---\nThe second document.\n---\nThe third document.');
      await page.getByTestId('batch-add-pasted').click();
      await page.getByTestId('batch-run').click();
      await expect(page.getByTestId('batch-progress')).toContainText('0 remaining', { timeout: 60_000 });
      await shoot(page, `batch-${suffix}`);

      await page.getByTestId('nav-prompt').click();
      await page.getByTestId('prompt-input').fill('Say hello in three languages.');
      await page.getByTestId('send').click();
      await expect(page.getByTestId('status')).toContainText('done', { timeout: 30_000 });
      await shoot(page, `prompt-${suffix}`);

      await page.getByTestId('nav-history').click();
      await page.getByTestId('history-open').last().click();
      await expect(page.getByTestId('run-view')).toBeVisible();
      await page.getByTestId('run-view').scrollIntoViewIfNeeded();
      await shoot(page, `history-${suffix}`);

      // A race of three simulated endpoints at different speeds.
      await page.getByTestId('nav-run').click();
      await page.getByTestId('endpoint-add').click();
      await page.getByTestId('endpoint-add').click();
      await page.getByTestId('run').click();
      for (const n of [1, 2, 3]) {
        await expect(page.getByTestId(`race-${n}`)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
      }
      await page.getByTestId('race').scrollIntoViewIfNeeded();
      await shoot(page, `race-${suffix}`);
    });
  }
}
