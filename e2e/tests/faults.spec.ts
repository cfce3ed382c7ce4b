// The fault matrix: one row per way the network or the API misbehaves.
// Category is the affected task (its system message carries markers the
// test server acts on, see scripts/llmock_server.py); the other five run
// normally. Every row checks: Category ends done, error or cancelled with a
// message a person can act on; its attempts are listed and match what the
// server saw; the other tasks are unaffected; the page stays usable.
import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { API, openWith, received, script, uniqueModel, type Setup } from './helpers';

const OTHERS = ['summary', 'sentiment', 'keywords', 'questions', 'translation'];

interface Row {
  name: string;
  /// llmock behaviours for Category's requests only.
  behaviors?: object[];
  /// More markers for the test server (fault=...).
  marker?: string;
  setup?: Partial<Setup>;
  outcome: 'done' | 'error';
  message?: RegExp;
  /// Requests the server saw for Category (attempts).
  attempts: number;
}

const ROWS: Row[] = [
  { name: '429 with a Retry-After header, then ok', behaviors: [{ type: 'fail', status: 429, retry_after: 0.5, times: 1 }], outcome: 'done', attempts: 2 },
  { name: '429 with the wait only in its message, then ok', behaviors: [{ type: 'fail', status: 429, message: 'Rate limit reached for requests. Please try again in 0.6s.', times: 1 }], outcome: 'done', attempts: 2 },
  { name: '429 every time gives up after the retries', behaviors: [{ type: 'fail', status: 429, retry_after: 0.2, times: null }], setup: { retries: 2 }, outcome: 'error', message: /Rate limited \(429\).*lower the concurrency/, attempts: 3 },
  { name: '500 once is retried and succeeds', behaviors: [{ type: 'fail', status: 500, times: 1 }], outcome: 'done', attempts: 2 },
  { name: '502 once is retried and succeeds', behaviors: [{ type: 'fail', status: 502, times: 1 }], outcome: 'done', attempts: 2 },
  { name: '503 once is retried and succeeds', behaviors: [{ type: 'fail', status: 503, times: 1 }], outcome: 'done', attempts: 2 },
  { name: '500 always ends in an error after the retries', behaviors: [{ type: 'fail', status: 500, message: 'internal boom', times: null }], setup: { retries: 1 }, outcome: 'error', message: /The server failed \(500\).*internal boom/, attempts: 2 },
  { name: '503 always ends in an error after the retries', behaviors: [{ type: 'fail', status: 503, times: null }], setup: { retries: 1 }, outcome: 'error', message: /The server failed \(503\)/, attempts: 2 },
  { name: '401 is not retried and names the key', behaviors: [{ type: 'fail', status: 401, message: 'Incorrect API key provided.', times: null }], outcome: 'error', message: /The API key was rejected \(401\)/, attempts: 1 },
  { name: '403 is not retried', behaviors: [{ type: 'fail', status: 403, message: 'Country, region, or territory not supported.', times: null }], outcome: 'error', message: /Access denied \(403\).*not supported/, attempts: 1 },
  { name: '404 model not found names the model and suggests Test connection', behaviors: [{ type: 'fail', status: 404, message: "The model 'gpt-9' does not exist or you do not have access to it.", times: null }], outcome: 'error', message: /Not found \(404\).*Test connection.*'gpt-9'/, attempts: 1 },
  { name: '400 context length shows the API message', behaviors: [{ type: 'fail', status: 400, message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens.", times: null }], outcome: 'error', message: /refused \(400\).*maximum context length is 8192 tokens/, attempts: 1 },
  { name: 'a server that never answers times out at the limit', behaviors: [{ type: 'delay', seconds: 4, times: null }], setup: { timeout: 2, retries: 0 }, outcome: 'error', message: /No answer within 2 s/, attempts: 1 },
  { name: 'a server that refuses browser calls (CORS) is explained', marker: 'fault=no-cors', setup: { retries: 0 }, outcome: 'error', message: /CORS.*llama\.cpp.*vLLM.*OLLAMA_ORIGINS/, attempts: 1 },
  { name: 'a stream cut mid-way keeps the text and is not retried', behaviors: [{ type: 'stream_fault', kind: 'disconnect', after_chunks: 2, times: null }], outcome: 'error', message: /broke off/, attempts: 1 },
  { name: 'a stream that stalls past the timeout', behaviors: [{ type: 'stream_fault', kind: 'stall', after_chunks: 1, stall_seconds: 20, times: null }], setup: { timeout: 2, retries: 0 }, outcome: 'error', message: /No answer within 2 s/, attempts: 1 },
  { name: 'malformed JSON in one chunk', behaviors: [{ type: 'stream_fault', kind: 'malformed', after_chunks: 1, times: null }], outcome: 'error', message: /could not read/, attempts: 1 },
  { name: 'a stream that ends early without [DONE]', behaviors: [{ type: 'stream_fault', kind: 'truncate', after_chunks: 1, times: null }], outcome: 'error', message: /broke off/, attempts: 1 },
  { name: 'an HTML error page from a proxy instead of JSON', marker: 'fault=html-502', setup: { retries: 0 }, outcome: 'error', message: /The server failed \(502\).*HTML page instead of a JSON error/, attempts: 0 },
  { name: 'an empty 200 body', marker: 'fault=empty-200', setup: { retries: 0 }, outcome: 'error', message: /could not read: the server sent an empty body/, attempts: 0 },
];

test.afterEach(async ({ request }) => {
  await request.delete(`${API}/_llmock/scenario`);
});

/** Opens the page with Category's system message carrying `markers`. */
async function withFaultyCategory(page: Page, request: APIRequestContext, row: Pick<Row, 'behaviors' | 'marker' | 'setup'>) {
  const model = uniqueModel('fault');
  await script(request, model, [{ type: 'reply', text: 'Fine.', times: null }]);
  if (row.behaviors) await script(request, `${model}--cat`, row.behaviors);
  await openWith(page, { model, ...row.setup });
  await page.getByTestId('edit-category').click();
  await page.getByTestId('task-form-system').fill(`You classify texts. scenario=cat ${row.marker ?? ''}`);
  await page.getByTestId('task-form-save').click();
  await page.getByTestId('mode-parallel').check();
  return model;
}

async function othersDone(page: Page) {
  for (const id of OTHERS) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  }
}

for (const row of ROWS) {
  test(`fault: ${row.name}`, async ({ page, request }) => {
    const model = await withFaultyCategory(page, request, row);
    await page.getByTestId('run').click();
    await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 40_000 });
    const card = page.getByTestId('task-category');
    await expect(card).toHaveAttribute('data-status', row.outcome);
    await othersDone(page);
    // Requests the test server answered itself never reach llmock's log;
    // llmock logs a request when it has finished with it, so poll.
    await expect.poll(async () => (await received(request, `${model}--cat`)).length, { timeout: 10_000 }).toBe(row.attempts);
    if (row.outcome === 'error') {
      await expect(page.getByTestId('task-category-error')).toHaveText(row.message!);
      await expect(page.getByTestId('task-category-attempts').locator('li')).toHaveCount(Math.max(row.attempts, 1));
    } else {
      await expect(page.getByTestId('task-category-attempts').locator('li')).toHaveCount(row.attempts);
      await expect(page.getByTestId('task-category-error')).toHaveCount(0);
    }
    // Still usable: the next run can start.
    await expect(page.getByTestId('run')).toBeEnabled();
  });
}

test('fault: a response without usage is done, its tokens unknown rather than zero', async ({ page, request }) => {
  await withFaultyCategory(page, request, { marker: 'fault=no-usage' });
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 20_000 });
  await expect(page.getByTestId('task-category')).toHaveAttribute('data-status', 'done');
  await othersDone(page);
  await expect(page.getByTestId('task-category-breakdown')).not.toContainText('tokens/s');
  await expect(page.getByTestId('task-summary-breakdown')).toContainText('out tokens');
  await expect(page.getByTestId('tokens')).toContainText('unknown');
});

test('fault: connection refused fails every task with what to check', async ({ page }) => {
  await openWith(page, { model: 'gpt-4o-mini', retries: 0 });
  await page.getByTestId('base-url').fill('http://127.0.0.1:9/v1');
  await page.getByTestId('mode-parallel').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 20_000 });
  for (const id of [...OTHERS, 'category']) {
    await expect(page.getByTestId(`task-${id}`)).toHaveAttribute('data-status', 'error');
    await expect(page.getByTestId(`task-${id}-error`)).toContainText('Could not reach 127.0.0.1:9. Check the base URL and that the server is running');
  }
  await expect(page.getByTestId('run')).toBeEnabled();
});

const CANCELS: { name: string; behaviors: object[]; ready: (page: Page) => Promise<void> }[] = [
  {
    name: 'during the wait before a retry',
    behaviors: [{ type: 'fail', status: 429, retry_after: 30, times: 1 }],
    ready: (page) => expect(page.getByTestId('timeline').getByTestId('retry-mark')).toHaveCount(1),
  },
  {
    name: 'during the wait for the first token',
    behaviors: [{ type: 'slow_first_token', seconds: 30, times: null }],
    ready: async () => {},
  },
  {
    name: 'mid-stream',
    behaviors: [{ type: 'stream_fault', kind: 'stall', after_chunks: 2, stall_seconds: 30, times: null }],
    ready: (page) => expect(page.getByTestId('task-category-output')).not.toHaveText(''),
  },
];

for (const c of CANCELS) {
  test(`fault: cancel ${c.name} stops Category at once and keeps the rest`, async ({ page, request }) => {
    const model = await withFaultyCategory(page, request, { behaviors: c.behaviors, setup: { timeout: 60 } });
    await page.getByTestId('run').click();
    await othersDone(page);
    await c.ready(page);
    const before = Date.now();
    await page.getByTestId('cancel').click();
    await expect(page.getByTestId('task-category')).toHaveAttribute('data-status', 'cancelled');
    await expect(page.getByTestId('phase')).toHaveText('Cancelled.');
    // Well before any of the 30 s waits would have ended.
    expect(Date.now() - before).toBeLessThan(5_000);
    expect((await received(request, `${model}--cat`)).length).toBe(1);
    await othersDone(page);
    await expect(page.getByTestId('run')).toBeEnabled();
  });
}
