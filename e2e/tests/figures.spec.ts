import { test, expect } from '@playwright/test';
import { DURATION_TEXT, TASK_IDS, goTo, msOf, openWith, resetScenario, runMode, script, uniqueModel } from './helpers';

// Figures that never mislead: derived figures count only the tasks that
// succeeded in both modes, and every time follows one unit rule.

test.afterEach(async ({ request }) => resetScenario(request));

test('a compare run in which every task fails shows no speedup and says why', async ({ page }) => {
  await openWith(page, { model: uniqueModel('allfail'), retries: 0 });
  // Nothing listens there: every request is refused.
  await page.getByTestId('base-url').fill('http://127.0.0.1:8199/v1');
  await runMode(page, 'compare');
  await expect(page.getByTestId('run')).toBeEnabled({ timeout: 30_000 });
  for (const id of TASK_IDS) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'error');
  }
  await expect(page.getByTestId('figures-note')).toContainText('No task finished in both modes');
  await expect(page.getByTestId('speedup')).toHaveText('');
  await expect(page.getByTestId('speedup')).toHaveAttribute('data-value', '');
  await expect(page.getByTestId('time-saved')).toHaveText('');
  await expect(page.getByTestId('efficiency')).toHaveText('');
  await expect(page.getByTestId('overhead')).toHaveText('');
  // The kept run says the same.
  await goTo(page, 'history');
  await page.getByTestId('history-open').first().click();
  await expect(page.getByTestId('fig-speedup')).toHaveText('–');
  await expect(page.getByTestId('kept-figures-note')).toContainText('No task finished in both modes');
});

test('a task that failed in one mode is left out of speedup, and the page says so', async ({ page, request }) => {
  const model = uniqueModel('onemode');
  await script(request, model, [
    // The warm-up, then the first sequential task.
    { type: 'fail', status: 500, times: 2, message: 'twice' },
    { type: 'delay', seconds: 0.3, times: null },
    { type: 'reply', text: 'ok', times: null },
  ]);
  await openWith(page, { model, retries: 0 });
  await runMode(page, 'compare');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  // The sequential run goes first, so its first task took the failure.
  await expect(page.getByTestId('figures-note')).toHaveText(
    'Over the 5 of 6 tasks that finished in both modes (Summary left out).',
  );
  const speedup = Number(await page.getByTestId('speedup').getAttribute('data-value'));
  // Five 300 ms tasks one after another against the same five at once.
  expect(speedup).toBeGreaterThan(2);
  expect(speedup).toBeLessThan(6);
  // The failed task's own time is still shown where it belongs.
  await expect(page.getByTestId('task-summary')).toHaveAttribute('data-status', 'done');
});

test('times follow one unit rule and carry integer ms; the task that set the wall is named', async ({ page, request }) => {
  const model = uniqueModel('units');
  await script(request, model, [
    { type: 'delay', seconds: 0.4, times: null },
    { type: 'reply', text: 'ok', times: null },
  ]);
  await openWith(page, { model });
  await runMode(page, 'compare');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  for (const hook of ['total-sequential-ms', 'total-parallel-ms', ...TASK_IDS.map((id) => `task-${id}-ms`)]) {
    const text = ((await page.getByTestId(hook).textContent()) ?? '').trim();
    expect(text, hook).toMatch(DURATION_TEXT);
    const ms = await msOf(page, hook);
    // The text is the same time, rounded the way it reads.
    const shown = text.endsWith(' ms') ? Number(text.slice(0, -3)) : Number(text.slice(0, -2)) * 1000;
    expect(Math.abs(shown - ms), hook).toBeLessThanOrEqual(5);
  }
  // Six 400 ms tasks in a row read in seconds, at once in ms.
  await expect(page.getByTestId('total-sequential-ms')).toHaveText(/^\d+\.\d\d s$/);
  await expect(page.getByTestId('total-parallel-ms')).toHaveText(/^\d{3} ms$/);
  await expect(page.getByTestId('figures-note')).toHaveCount(0);
  await expect(page.getByTestId('critical-path')).toContainText(/^\w+: \d+ ms of the \d+ ms parallel wall/);
  await expect(page.getByTestId('wall-bars').locator('rect')).toHaveCount(2);
});
