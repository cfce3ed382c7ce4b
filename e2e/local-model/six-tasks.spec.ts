import { test, expect } from '@playwright/test';
import { TASK_IDS, openSettings, runMode } from '../tests/helpers';
import { LOCAL_MODEL_PORT } from '../local-model.config';

// A real model: its answers are poor, but its tokens, timing and JSON are
// real. Found by detection, then the six tasks in compare mode.
test('the six tasks run against a real local model that "Find local servers" found, over its lanes', async ({ page }) => {
  const base = `http://127.0.0.1:${LOCAL_MODEL_PORT}/v1`;
  await page.goto('./');
  await openSettings(page);
  await page.getByTestId('detect-local').click();
  const found = page.getByTestId('local-server').and(page.locator(`[data-base-url="${base}"]`));
  await expect(found).toContainText('SmolLM2-135M-Instruct', { timeout: 15_000 });
  await found.getByTestId('local-server-use').click();
  await expect(page.getByTestId('base-url')).toHaveValue(base);
  await expect(page.getByTestId('model')).toHaveValue('SmolLM2-135M-Instruct');
  // It listens on 127.0.0.1 to 127.0.0.4: with localhost, five lanes.
  await page.getByTestId('lanes-detect').click();
  await expect(page.getByTestId('lanes-note')).toContainText('5 lanes found', { timeout: 15_000 });
  await expect(page.getByTestId('lanes')).toHaveAttribute('data-count', '5');
  await runMode(page, 'compare');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 200_000 });
  for (const id of TASK_IDS) {
    await expect(page.getByTestId(`task-${id}`), id).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId(`task-${id}-output`), id).not.toHaveText('');
  }
  // Structured tasks are held to their JSON schema by a grammar: each
  // answer is JSON from its first character. A small model may still run
  // into the token limit inside a string (then the page says the answer was
  // not the JSON asked for); at least one parses into its fields.
  for (const id of ['sentiment', 'keywords', 'category']) {
    await expect(page.getByTestId(`task-${id}-output`), id).toHaveText(/^\s*\{/);
  }
  expect(await page.locator('[data-testid$="-fields"]').count()).toBeGreaterThan(0);
  // Real token counts, nothing unknown, and figures over all six tasks.
  await expect(page.getByTestId('tokens')).toHaveText(/^\d+ in \/ \d+ out$/);
  await expect(page.getByTestId('figures-note')).toHaveCount(0);
  expect(Number(await page.getByTestId('speedup').getAttribute('data-value'))).toBeGreaterThan(0);
});
