import { test, expect } from '@playwright/test';
import { API, TEST_KEY, openWith, received, script, send, uniqueModel, watchErrors } from './helpers';

const REPLY = 'Parallel requests overlap their waiting, so the slowest one sets the pace.';

test('a streamed answer arrives with usage and timings, sending only the two allowed headers', async ({ page, request }) => {
  const errors = watchErrors(page);
  const model = uniqueModel('stream');
  await script(request, model, [{ type: 'reply', text: REPLY }]);
  const sent: Record<string, string>[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(API) && r.method() === 'POST') sent.push(r.headers());
  });
  await openWith(page, { model }, 'prompt');
  await send(page);
  await expect(page.getByTestId('status')).toHaveText('done');
  await expect(page.getByTestId('answer')).toHaveText(REPLY);
  await expect(page.getByTestId('usage')).toContainText(/\d+ prompt \+ \d+ completion = \d+ tokens/);
  await expect(page.getByTestId('ttft-ms')).toHaveText(/\d+(\.\d+)? m?s/);
  await expect(page.getByTestId('attempt')).toHaveCount(1);

  const reqs = await received(request, model);
  expect(reqs).toHaveLength(1);
  expect(reqs[0].stream).toBe(true);
  expect(reqs[0].body.stream_options).toEqual({ include_usage: true });
  expect(reqs[0].body.max_tokens).toBe(300);

  expect(sent).toHaveLength(1);
  expect(sent[0]['authorization']).toBe(`Bearer ${TEST_KEY}`);
  expect(sent[0]['content-type']).toBe('application/json');
  // Anything beyond CORS-safelisted headers would need a preflight allowance.
  const custom = Object.keys(sent[0]).filter((h) => h.startsWith('x-') || h === 'openai-organization');
  expect(custom).toEqual([]);
  expect(errors).toEqual([]);
});

test('non-streaming mode shows the answer without a first-token time', async ({ page, request }) => {
  const model = uniqueModel('nostream');
  await script(request, model, [{ type: 'reply', text: REPLY }]);
  await openWith(page, { model, stream: false }, 'prompt');
  await send(page);
  await expect(page.getByTestId('status')).toHaveText('done');
  await expect(page.getByTestId('answer')).toHaveText(REPLY);
  await expect(page.getByTestId('ttft-ms')).toContainText('not streamed');
  const reqs = await received(request, model);
  expect(reqs[0].stream).toBe(false);
});

test('a 429 with Retry-After is retried after the wait and succeeds', async ({ page, request }) => {
  const model = uniqueModel('429');
  await script(request, model, [
    { type: 'fail', status: 429, retry_after: 1.2, times: 1 },
    { type: 'reply', text: REPLY },
  ]);
  await openWith(page, { model }, 'prompt');
  await send(page);
  await expect(page.getByTestId('retry-wait')).toContainText('HTTP 429');
  await expect(page.getByTestId('status')).toHaveText('done');
  await expect(page.getByTestId('answer')).toHaveText(REPLY);
  const attempts = page.getByTestId('attempt');
  await expect(attempts).toHaveCount(2);
  // The server asked for 1.2 s (retry-after-ms wins over the backoff).
  await expect(attempts.nth(0)).toContainText('HTTP 429');
  await expect(attempts.nth(0)).toContainText('waited 1.20 s');
  const reqs = await received(request, model);
  expect(reqs.map((r) => r.status)).toEqual([429, 200]);
  expect(reqs[1].started_at - reqs[0].ended_at).toBeGreaterThanOrEqual(1.1);
});

test('a 500 that never clears exhausts the retries into a clear error', async ({ page, request }) => {
  const model = uniqueModel('500');
  await script(request, model, [{ type: 'fail', status: 500, times: null }]);
  await openWith(page, { model, retries: 2 }, 'prompt');
  await send(page);
  await expect(page.getByTestId('status')).toHaveText('error', { timeout: 20_000 });
  await expect(page.getByTestId('error-message')).toContainText('The server failed (500)');
  await expect(page.getByTestId('attempt')).toHaveCount(3);
  expect((await received(request, model)).length).toBe(3);
  await request.delete(`${API}/_llmock/scenario`);
});

test('a 401 is not retried and names the key as the problem, without showing it', async ({ page, request }) => {
  const model = uniqueModel('401');
  await script(request, model, [{ type: 'fail', status: 401, message: `Incorrect API key provided: ${TEST_KEY}.` }]);
  await openWith(page, { model }, 'prompt');
  await send(page);
  await expect(page.getByTestId('status')).toHaveText('error');
  const err = page.getByTestId('error-message');
  await expect(err).toContainText('API key was rejected');
  await expect(err).not.toContainText(TEST_KEY);
  await expect(page.getByTestId('attempt')).toHaveCount(1);
  expect((await received(request, model)).length).toBe(1);
});

test('a stream cut mid-way keeps the partial text and says so', async ({ page, request }) => {
  const model = uniqueModel('cut');
  await script(request, model, [
    { type: 'reply', text: REPLY },
    { type: 'stream_fault', kind: 'disconnect', after_chunks: 4 },
  ]);
  await openWith(page, { model }, 'prompt');
  await send(page);
  await expect(page.getByTestId('status')).toHaveText('error');
  await expect(page.getByTestId('error-message')).toContainText('broke off');
  const partial = (await page.getByTestId('answer').textContent()) ?? '';
  expect(partial.length).toBeGreaterThan(0);
  expect(REPLY.startsWith(partial)).toBe(true);
  expect(partial.length).toBeLessThan(REPLY.length);
});

test('cancel mid-stream stops at once and keeps what arrived', async ({ page, request }) => {
  const model = uniqueModel('cancel');
  await script(request, model, [
    { type: 'reply', text: REPLY },
    { type: 'stream_fault', kind: 'stall', after_chunks: 4, stall_seconds: 30 },
  ]);
  await openWith(page, { model }, 'prompt');
  await send(page);
  await expect(page.getByTestId('answer')).not.toHaveText('');
  await expect(page.getByTestId('prompt-cancel')).toBeEnabled();
  const t0 = Date.now();
  await page.getByTestId('prompt-cancel').click();
  await expect(page.getByTestId('status')).toHaveText('cancelled');
  expect(Date.now() - t0).toBeLessThan(5_000);
  const partial = (await page.getByTestId('answer').textContent()) ?? '';
  expect(partial.length).toBeGreaterThan(0);
  expect(REPLY.startsWith(partial)).toBe(true);
  await expect(page.getByTestId('send')).toBeEnabled();
});

test('a server that never answers times out at the configured limit', async ({ page, request }) => {
  const model = uniqueModel('hang');
  await script(request, model, [{ type: 'delay', seconds: 30 }]);
  await openWith(page, { model, timeout: 2, retries: 0 }, 'prompt');
  const t0 = Date.now();
  await send(page);
  await expect(page.getByTestId('status')).toHaveText('error', { timeout: 20_000 });
  const elapsed = Date.now() - t0;
  await expect(page.getByTestId('error-message')).toContainText('No answer within 2 s');
  expect(elapsed).toBeGreaterThan(1_500);
  expect(elapsed).toBeLessThan(15_000);
});

test('a stream that ends without [DONE] is reported as cut, text kept', async ({ page, request }) => {
  const model = uniqueModel('truncate');
  await script(request, model, [
    { type: 'reply', text: REPLY },
    { type: 'stream_fault', kind: 'truncate', after_chunks: 5 },
  ]);
  await openWith(page, { model }, 'prompt');
  await send(page);
  await expect(page.getByTestId('status')).toHaveText('error');
  await expect(page.getByTestId('error-message')).toContainText('without [DONE]');
  const partial = (await page.getByTestId('answer').textContent()) ?? '';
  expect(partial.length).toBeGreaterThan(0);
  expect(REPLY.startsWith(partial)).toBe(true);
  expect(partial.length).toBeLessThan(REPLY.length);
});
