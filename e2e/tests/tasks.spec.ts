import { test, expect, type Page } from '@playwright/test';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { API, TASK_IDS, onlyTasks, openWith, received, script, uniqueModel, watchErrors } from './helpers';

const IDS = TASK_IDS;

test.afterEach(async ({ request }) => {
  await request.delete(`${API}/_llmock/scenario`);
});

const only = onlyTasks;

async function runSequential(page: Page) {
  await page.getByTestId('mode-sequential').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 20_000 });
}

/** The user message of a journalled request. */
function userPrompt(r: any): string {
  const msgs = r.body.messages as { role: string; content: string }[];
  return msgs[msgs.length - 1].content;
}

async function addTask(page: Page, id: string, label: string, prompt: string) {
  await page.getByTestId('add-task').click();
  await page.getByTestId('task-form-id').fill(id);
  await page.getByTestId('task-form-label').fill(label);
  await page.getByTestId('task-form-system').fill('You are terse.');
  await page.getByTestId('task-form-prompt').fill(prompt);
  await page.getByTestId('task-form-max-tokens').fill('60');
  await page.getByTestId('task-form-save').click();
}

test('an edited built-in prompt is what gets sent, survives a reload, and resets', async ({ page, request }) => {
  const errors = watchErrors(page);
  const model = uniqueModel('edit');
  await openWith(page, { model });
  await page.getByTestId('edit-summary').click();
  await page.getByTestId('task-form-prompt').fill('In one line, please: {text}');
  await page.getByTestId('task-form-max-tokens').fill('77');
  await page.getByTestId('task-form-save').click();
  await expect(page.getByTestId('task-form')).toHaveCount(0);
  await expect(page.getByTestId('reset-summary')).toBeVisible();

  await only(page, ['summary']);
  await runSequential(page);
  await expect(page.getByTestId('task-summary')).toHaveAttribute('data-status', 'done');
  const sent = await received(request, model);
  expect(sent).toHaveLength(1);
  expect(userPrompt(sent[0])).toMatch(/^In one line, please: /);
  expect(sent[0].body.max_tokens).toBe(77);

  await page.reload();
  await page.getByTestId('edit-summary').click();
  await expect(page.getByTestId('task-form-prompt')).toHaveValue('In one line, please: {text}');
  await page.getByTestId('task-form-cancel').click();
  await page.getByTestId('reset-summary').click();
  await expect(page.getByTestId('reset-summary')).toHaveCount(0);
  await page.getByTestId('edit-summary').click();
  await expect(page.getByTestId('task-form-prompt')).toHaveValue(/^Summarise the following text/);
  expect(errors).toEqual([]);
});

test('a task without {text} is refused next to the form, and what was typed stays', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('edit-keywords').click();
  await page.getByTestId('task-form-prompt').fill('List keywords.');
  await page.getByTestId('task-form-save').click();
  await expect(page.getByTestId('task-form-error')).toContainText('{text}');
  await expect(page.getByTestId('task-form-prompt')).toHaveValue('List keywords.');
  // A new task with a taken id is refused too.
  await page.getByTestId('task-form-cancel').click();
  await addTask(page, 'summary', 'Again', 'Again: {text}');
  await expect(page.getByTestId('task-form-error')).toContainText('already has the id "summary"');
  await page.getByTestId('task-form-id').fill('Bad Id!');
  await page.getByTestId('task-form-save').click();
  await expect(page.getByTestId('task-form-error')).toContainText('lowercase letters');
  await expect(page.getByTestId('task-form-label')).toHaveValue('Again');
});

test('a custom task gets its own card, runs with the others and persists', async ({ page, request }) => {
  const model = uniqueModel('custom');
  await script(request, model, [{ type: 'reply', text: 'Calm and factual.', times: null }]);
  await openWith(page, { model });
  await addTask(page, 'tone', 'Tone', 'Describe the tone of: {text}');
  await expect(page.getByTestId('task-tone')).toBeVisible();
  await expect(page.getByTestId('select-tone')).toBeChecked();
  await only(page, ['summary']);
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 20_000 });
  await expect(page.getByTestId('task-tone')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('task-tone-output')).toHaveText('Calm and factual.');
  await expect(page.getByTestId('task-tone-breakdown')).toContainText('first token');
  const prompts = (await received(request, model)).map(userPrompt);
  expect(prompts.some((p) => p.startsWith('Describe the tone of: '))).toBe(true);

  await page.reload();
  await expect(page.getByTestId('task-tone')).toBeVisible();
  await page.getByTestId('remove-tone').click();
  await expect(page.getByTestId('task-tone')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('select-tone')).toHaveCount(0);
});

test('tasks export to JSON and import back; a bad file changes nothing', async ({ page }) => {
  await page.goto('./');
  await addTask(page, 'risk', 'Risks', 'List the risks in: {text}');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-tasks').click(),
  ]);
  expect(download.suggestedFilename()).toBe('fanout-tasks.json');
  const dir = mkdtempSync(join(tmpdir(), 'fanout-tasks-'));
  const file = join(dir, 'fanout-tasks.json');
  await download.saveAs(file);
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  expect(exported.format).toBe('fanout-tasks');
  expect(exported.tasks.map((t: any) => t.id)).toEqual(['risk']);

  await page.getByTestId('remove-risk').click();
  await expect(page.getByTestId('task-risk')).toHaveCount(0);
  await page.getByTestId('import-tasks').setInputFiles(file);
  await expect(page.getByTestId('tasks-status')).toContainText('Imported 1 task');
  await expect(page.getByTestId('task-risk')).toBeVisible();

  // A file with one bad task is refused whole, with the reason.
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({
    format: 'fanout-tasks', version: 1,
    tasks: [
      { id: 'fine', label: 'Fine', system: '', prompt: 'Ok: {text}', max_tokens: 10 },
      { id: 'broken', label: 'Broken', system: '', prompt: 'no placeholder', max_tokens: 10 },
    ],
  }));
  await page.getByTestId('import-tasks').setInputFiles(bad);
  await expect(page.getByTestId('tasks-error')).toContainText('Task 2 ("broken")');
  await expect(page.getByTestId('tasks-error')).toContainText('Nothing was changed');
  await expect(page.getByTestId('task-fine')).toHaveCount(0);
  await expect(page.getByTestId('task-risk')).toBeVisible();
  const notJson = join(dir, 'notes.txt');
  writeFileSync(notJson, 'hello');
  await page.getByTestId('import-tasks').setInputFiles(notJson);
  await expect(page.getByTestId('tasks-error')).toContainText('not a task file');
});

test('sentiment asks for a JSON schema and shows the parsed fields', async ({ page, request }) => {
  const model = uniqueModel('structured');
  await openWith(page, { model });
  await only(page, ['sentiment', 'category']);
  await runSequential(page);
  await expect(page.getByTestId('task-sentiment')).toHaveAttribute('data-status', 'done');
  const fields = page.getByTestId('task-sentiment-fields');
  await expect(fields.locator('dt')).toHaveText(['sentiment', 'reason']);
  await expect(fields.locator('dd').first()).toHaveText(/^(positive|negative|neutral|mixed)$/);
  await expect(page.getByTestId('task-category-fields').locator('dd').first())
    .toHaveText(/^(Business|Technology|Health|Education|Entertainment|News|Other)$/);
  // The fields are the answer; the raw JSON is there on demand, not twice.
  const raw = page.getByTestId('task-sentiment-output');
  await expect(raw).toBeHidden();
  await page.getByTestId('task-sentiment').locator('details.raw summary').click();
  await expect(raw).toBeVisible();
  expect(JSON.parse((await raw.textContent())!).sentiment).toBe(await fields.locator('dd').first().textContent());
  const sent = await received(request, model);
  expect(sent.map((r) => r.body.response_format?.json_schema?.name)).toEqual(['sentiment', 'category']);
  expect(sent[0].body.response_format.type).toBe('json_schema');
});

test('a server that refuses the schema gets the task again as plain text', async ({ page, request }) => {
  const model = uniqueModel('refuse');
  await script(request, model, [
    { type: 'fail', status: 400, times: 1, message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model." },
    { type: 'reply', text: 'Positive: the outlook is upbeat.', times: null },
  ]);
  await openWith(page, { model });
  await only(page, ['sentiment', 'keywords']);
  await runSequential(page);
  await expect(page.getByTestId('task-sentiment')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('task-sentiment-output')).toHaveText('Positive: the outlook is upbeat.');
  await expect(page.getByTestId('task-sentiment-note')).toContainText('refused structured output');
  await expect(page.getByTestId('task-keywords')).toHaveAttribute('data-status', 'done');
  const sent = await received(request, model);
  // Refused once, resent plain; the next task does not ask again.
  expect(sent.map((r) => r.status)).toEqual([400, 200, 200]);
  expect(sent.map((r) => Boolean(r.body.response_format))).toEqual([true, false, false]);
});
