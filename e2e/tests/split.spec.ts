import { test, expect, type Page } from '@playwright/test';
import { goTo, msOf, onlyTasks, openWith, received, resetScenario, runMode, script, uniqueModel, watchErrors } from './helpers';

test.afterEach(async ({ request }) => resetScenario(request));

/** The user message of a journalled request. */
function userPrompt(r: any): string {
  const msgs = r.body.messages as { role: string; content: string }[];
  return msgs[msgs.length - 1].content;
}

/** Opens a task's options and types a number into one of them. */
async function setOption(page: Page, id: string, option: 'split' | 'votes', value: string) {
  if (!(await page.getByTestId(`${option}-${id}`).isVisible())) {
    await page.getByTestId(`task-options-${id}`).click();
  }
  await page.getByTestId(`${option}-${id}`).fill(value);
  await page.getByTestId(`${option}-${id}`).press('Tab');
}

test('a task split into 3 parts sends each part once and joins the answers in order', async ({ page, request }) => {
  const errors = watchErrors(page);
  const model = uniqueModel('split');
  await script(request, model, [{ type: 'reply', text: 'Parte traducida.', times: null }]);
  await openWith(page, { model });
  const text = await page.getByTestId('input-text').inputValue();
  await onlyTasks(page, ['translation']);
  await setOption(page, 'translation', 'split', '3');
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 20_000 });
  const card = page.getByTestId('task-translation');
  await expect(card).toHaveAttribute('data-status', 'done');
  await expect(card).toHaveAttribute('data-requests', '3');
  await expect(page.getByTestId('task-translation-output')).toHaveText(
    ['Parte traducida.', 'Parte traducida.', 'Parte traducida.'].join('\n\n'),
  );
  // Three requests, each with its own piece; together every word of the text.
  const sent = await received(request, model);
  expect(sent).toHaveLength(3);
  const prompts = sent.map(userPrompt);
  expect(new Set(prompts).size).toBe(3);
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  const covered = prompts.map((p) => words(text).filter((w) => p.includes(w)).length);
  for (const c of covered) expect(c).toBeLessThan(words(text).length);
  // Each part under the task's bar on the timeline.
  await expect(page.getByTestId('timeline').getByTestId('part-mark')).toHaveCount(3);
  // The parts are shown on demand.
  await expect(page.getByTestId('task-translation-requests').locator('summary')).toHaveText(
    /^3 requests, about \d+ more prompt tokens than one request$/,
  );
  await page.getByTestId('task-translation-requests').locator('summary').click();
  await expect(page.getByTestId('task-translation-requests').locator('li')).toHaveCount(3);
  // The options are kept on this device.
  await page.reload();
  await page.getByTestId('task-options-translation').click();
  await expect(page.getByTestId('split-translation')).toHaveValue('3');
  expect(errors).toEqual([]);
});

test('a summary split in 3 sends 3 requests and one more that combines every part\'s answer', async ({ page, request }) => {
  const model = uniqueModel('combine');
  await script(request, model, [{ type: 'reply', text: 'A summary.', times: null }]);
  await openWith(page, { model });
  await onlyTasks(page, ['summary']);
  await setOption(page, 'summary', 'split', '3');
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 20_000 });
  await expect(page.getByTestId('task-summary')).toHaveAttribute('data-requests', '4');
  await expect(page.getByTestId('timeline').locator('rect.combine')).toHaveCount(1);
  const sent = await received(request, model);
  expect(sent).toHaveLength(4);
  const last = userPrompt(sent[3]);
  for (const n of [1, 2, 3]) expect(last).toContain(`Part ${n} of 3:\nA summary.`);
});

test('translation split in 4, against a server whose answer follows its input: 4 pieces that stitch back into the whole text, and a much shorter wall', async ({ page, request }) => {
  const model = uniqueModel('echo');
  await script(request, model, [{ type: 'reply', text: 'Short.', times: null }]);
  await openWith(page, { model });
  // The translation's requests go to the echoing hook: 8 ms per word.
  await page.getByTestId('edit-translation').click();
  await page.getByTestId('task-form-system').fill('You are a professional translator. echo-ms-per-word=8');
  await page.getByTestId('task-form-save').click();
  await page.getByTestId('sample-select').selectOption({ label: 'Business report' });
  const text = await page.getByTestId('input-text').inputValue();
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  const unsplit = await msOf(page, 'total-parallel-ms');
  await setOption(page, 'translation', 'split', '4');
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await expect(page.getByTestId('task-translation')).toHaveAttribute('data-requests', '4');
  const words = (s: string | null) => (s ?? '').split(/\s+/).filter(Boolean);
  // Each part echoed its piece: stitched in order, they are the whole text.
  expect(words(await page.getByTestId('task-translation-output').textContent())).toEqual(words(text));
  const pieces = page.getByTestId('task-translation-requests').locator('li pre');
  await expect(pieces).toHaveCount(4);
  const all = await pieces.allTextContents();
  expect(all.every((p) => words(p).length > 0)).toBe(true);
  expect(all.flatMap(words)).toEqual(words(text));
  // Wide margin: the split wall is well under the unsplit one.
  expect(await msOf(page, 'total-parallel-ms')).toBeLessThan(unsplit * 0.6);
});

test('votes on sentiment: three answers, the majority is the answer, the agreement is shown', async ({ page, request }) => {
  const model = uniqueModel('votes');
  await script(request, model, [
    { type: 'reply', text: '{"sentiment":"positive","reason":"first"}', times: 2 },
    { type: 'reply', text: '{"sentiment":"negative","reason":"other"}', times: null },
  ]);
  await openWith(page, { model });
  await onlyTasks(page, ['sentiment']);
  await setOption(page, 'sentiment', 'votes', '3');
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 20_000 });
  await expect(page.getByTestId('task-sentiment')).toHaveAttribute('data-requests', '3');
  await expect(page.getByTestId('task-sentiment-agreement')).toHaveText('2 of 3 agree: positive');
  expect(await received(request, model)).toHaveLength(3);
  // The history keeps the votes and their agreement.
  await page.getByTestId('nav-history').click();
  await page.getByTestId('history-row').first().getByTestId('history-open').click();
  await expect(page.getByTestId('kept-agreement')).toHaveText('2 of 3 agree: positive');
  await expect(page.getByTestId('kept-requests')).toHaveText('3 requests: Answer 1, Answer 2, Answer 3');
  // Back on the Run view (shown) before its options are read.
  await goTo(page, 'run');
  // A task without options still makes one request.
  await setOption(page, 'sentiment', 'votes', '1');
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 20_000 });
  await expect(page.getByTestId('task-sentiment')).toHaveAttribute('data-requests', '1');
  await expect(page.getByTestId('task-sentiment-agreement')).toHaveCount(0);
});

test('after a parallel run the page suggests splitting the task that sets the wall time, then checks its estimate', async ({ page }) => {
  // Demo provider (no key): the translation of the business report is the
  // long task, its time mostly generation.
  await page.goto('./#/run');
  await page.getByTestId('sample-select').selectOption({ label: 'Business report' });
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  const advice = page.getByTestId('split-advice');
  await expect(advice).toContainText('Translation sets the wall time. Split into ');
  const parts = /Split into (\d+) parts/.exec((await advice.textContent()) ?? '')![1];
  const before = await page.getByTestId('total-parallel-ms').getAttribute('data-ms');
  await setOption(page, 'translation', 'split', parts);
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await expect(page.getByTestId('task-translation')).toHaveAttribute('data-requests', parts);
  await expect(page.getByTestId('split-checked')).toContainText(`Translation in ${parts} parts, as suggested: estimated `);
  const after = await page.getByTestId('total-parallel-ms').getAttribute('data-ms');
  expect(Number(after)).toBeLessThan(Number(before));
  // A split task is not suggested again.
  await expect(advice).toHaveCount(0);
});

test('in a batch, a voted task asks each document three times and keeps one answer per cell', async ({ page, request }) => {
  const model = uniqueModel('batch-votes');
  await script(request, model, [{ type: 'reply', text: '{"sentiment":"neutral","reason":"same"}', times: null }]);
  await openWith(page, { model });
  await onlyTasks(page, ['sentiment']);
  await setOption(page, 'sentiment', 'votes', '3');
  await page.getByTestId('nav-batch').click();
  const texts = ['First document, calm.', 'Second document, also calm.'];
  await page.getByTestId('batch-paste').fill(texts.join('\n---\n'));
  await page.getByTestId('batch-add-pasted').click();
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toContainText('2 done · 0 failed · 0 remaining', { timeout: 20_000 });
  const sent = await received(request, model);
  expect(sent).toHaveLength(6);
  for (const t of texts) {
    expect(sent.filter((r) => userPrompt(r).includes(t))).toHaveLength(3);
  }
  for (const d of [0, 1]) await expect(page.getByTestId(`cell-${d}-0`)).toHaveAttribute('data-status', 'done');
});
