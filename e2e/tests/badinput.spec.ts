// Bad input: each case gets a clear message next to where it came from, and
// nothing already entered is lost.
import { test, expect } from '@playwright/test';
import { API, BASE_URL, goTo, openSettings, openWith, received, script, uniqueModel } from './helpers';

test.afterEach(async ({ request }) => {
  await request.delete(`${API}/_llmock/scenario`);
});

test('whitespace-only text is refused as empty; the settings stay', async ({ page }) => {
  const model = uniqueModel('blank');
  await openWith(page, { model });
  await page.getByTestId('input-text').fill('   \n\t  ');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('input-error')).toContainText('The text is empty');
  await expect(page.getByTestId('model')).toHaveValue(model);
});

test('1 MB of text is warned about and the page stays responsive', async ({ page }) => {
  await page.goto('./');
  const big = 'Lorem ipsum dolor sit amet. '.repeat(37_500); // 1,050,000 characters
  const started = Date.now();
  await page.getByTestId('input-text').fill(big);
  await expect(page.getByTestId('input-size')).toContainText('1050000 characters, about 262500 tokens');
  await expect(page.getByText("likely longer than many models' context window")).toBeVisible();
  // Still answering input: a checkbox flips at once.
  await page.getByTestId('select-summary').uncheck();
  await expect(page.getByTestId('select-summary')).not.toBeChecked();
  expect(Date.now() - started).toBeLessThan(10_000);
});

test('binary junk, opened as .txt or pasted, is refused and the text is kept', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByTestId('input-text')).toHaveValue(/\S/);
  const kept = await page.getByTestId('input-text').inputValue();
  const junk = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x03, 0x00, 0x3e, 0x00]);
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: junk });
  await expect(page.getByTestId('input-error')).toContainText('"notes.txt" looks like a binary file, not text');
  await expect(page.getByTestId('input-text')).toHaveValue(kept);
  await page.getByTestId('input-text').fill('\u0001\u0002\u0003\u0004 MZ\u0005\u0006\u0007\u0008\u000e\u000f');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('input-error')).toContainText('looks like binary data');
  // In a batch, the junk file gets its own row with the reason; the rest run.
  await goTo(page, 'batch');
  await page.getByTestId('batch-files').setInputFiles([
    { name: 'junk.txt', mimeType: 'text/plain', buffer: junk },
    { name: 'fine.txt', mimeType: 'text/plain', buffer: Buffer.from('A fine text.') },
  ]);
  await expect(page.getByTestId('batch-docs').locator('tr', { hasText: 'junk.txt' })).toContainText('binary data');
  await expect(page.getByTestId('batch-docs').locator('tr', { hasText: 'fine.txt' })).not.toContainText('binary');
});

test('a model id with spaces is refused next to its field, and nothing is sent', async ({ page, request }) => {
  const model = uniqueModel('spaces');
  await openWith(page, { model });
  await page.getByTestId('model').fill('gpt 4o mini');
  await expect(page.getByTestId('model-error')).toContainText('A model id has no spaces (got "gpt 4o mini")');
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('input-error')).toContainText('no spaces');
  expect(await received(request, 'gpt 4o mini')).toHaveLength(0);
  await page.getByTestId('model').fill(model);
  await expect(page.getByTestId('model-error')).toHaveCount(0);
});

test('a pasted endpoint URL or a trailing slash is normalised to the base URL', async ({ page, request }) => {
  const model = uniqueModel('endpoint');
  await script(request, model, [{ type: 'reply', text: 'Hi.', times: null }]);
  await openWith(page, { model });
  await page.getByTestId('base-url').fill(`${BASE_URL}/chat/completions/`);
  await expect(page.getByTestId('base-url-error')).toHaveCount(0);
  await goTo(page, 'prompt');
  await page.getByTestId('prompt-input').fill('Hello');
  await page.getByTestId('send').click();
  await expect(page.getByTestId('status')).toHaveText('done');
  const sent = await received(request, model);
  expect(sent.map((r) => r.path)).toEqual(['/v1/chat/completions']);
});

test('a /models answer that is not JSON is explained', async ({ page }) => {
  await openWith(page, { model: 'm' });
  await page.getByTestId('base-url').fill(`${API}/junk/v1`);
  await page.getByTestId('test-connection').click();
  await expect(page.getByTestId('connection-error')).toContainText('the model list was not the expected JSON');
});

test('a negative or empty price, or a number out of range, is refused next to the field', async ({ page }) => {
  await page.goto('./');
  await openSettings(page);
  const enter = async (testid: string, value: string) => {
    await page.getByTestId(testid).fill(value);
    await page.getByTestId(testid).dispatchEvent('change');
  };
  await enter('price-input', '-1');
  await expect(page.getByTestId('price-error')).toContainText('A price cannot be negative (got -1).');
  await enter('price-input', '');
  await expect(page.getByTestId('price-error')).toContainText('Enter a price');
  await enter('price-input', '0.5');
  await expect(page.getByTestId('price-error')).toHaveCount(0);
  await enter('concurrency', '99');
  await expect(page.getByTestId('concurrency-error')).toHaveText('Enter a value from 0 to 64.');
  await enter('concurrency', '3');
  await expect(page.getByTestId('concurrency-error')).toHaveCount(0);
});
