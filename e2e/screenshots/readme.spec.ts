import { test, expect, type Locator } from '@playwright/test';

/** The element's box in page (not viewport) coordinates. */
async function pageBox(l: Locator) {
  return l.evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
  });
}

// Writes docs/screenshots/*.png for the README. Demo mode (seeded
// simulation), so anyone can take the same pictures without a key.
const OUT = '../docs/screenshots';

test('README screenshots: the timeline after a compare run, and two runs compared', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await page.goto('./');
  await page.getByTestId('welcome-dismiss').click();
  await page.getByTestId('mode-compare').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 60_000 });
  const workflow = page.locator('section.workflow');
  const top = await pageBox(page.getByTestId('headline'));
  const bottom = await pageBox(page.getByTestId('timeline'));
  const box = await pageBox(workflow);
  await page.screenshot({
    path: `${OUT}/timeline.png`,
    fullPage: true,
    clip: { x: box.x, y: top.y - 40, width: box.width, height: bottom.y + bottom.height - top.y + 56 },
  });

  // A second run at K = 1 (parallel mode one at a time), then both compared
  // from the history.
  await page.getByTestId('concurrency').fill('1');
  await page.getByTestId('concurrency').dispatchEvent('change');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 60_000 });
  for (const tick of await page.getByTestId('history-tick').all()) await tick.check();
  await page.getByTestId('history-compare').click();
  const cmp = page.getByTestId('compare-view');
  await expect(cmp.getByTestId('run-view')).toHaveCount(2);
  const table = await pageBox(cmp.getByTestId('compare-table'));
  const firstTimeline = await pageBox(cmp.getByTestId('run-view').first().getByTestId('timeline'));
  const panel = await pageBox(page.locator('section.history'));
  await page.screenshot({
    path: `${OUT}/compare.png`,
    fullPage: true,
    clip: { x: panel.x, y: table.y - 40, width: panel.width, height: firstTimeline.y + firstTimeline.height - table.y + 56 },
  });
});
