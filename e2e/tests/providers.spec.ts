import { spawn, type ChildProcess } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { BASE_URL, TEST_KEY, openSettings, openWith, script, send, uniqueModel } from './helpers';

// Provider presets fill the settings; the key goes in the header the
// provider wants, and only to the base URL.

test('a preset fills base URL, model and key header, says what it knows about browser calls, and stays editable', async ({ page }) => {
  await page.goto('./');
  await openSettings(page);
  // The default base URL is OpenAI's.
  await expect(page.getByTestId('provider-preset')).toHaveValue('openai');
  await page.getByTestId('provider-preset').selectOption('openrouter');
  await expect(page.getByTestId('base-url')).toHaveValue('https://openrouter.ai/api/v1');
  await expect(page.getByTestId('model')).toHaveValue('openai/gpt-4o-mini');
  await expect(page.getByTestId('key-header')).toHaveValue('bearer');
  await expect(page.getByTestId('bar-provider')).toHaveText('OpenRouter');
  await expect(page.getByTestId('preset-note')).toContainText('Not verified');
  // The hosted page's policy admits it.
  await expect(page.getByTestId('csp-warning')).toHaveCount(0);
  await page.getByTestId('provider-preset').selectOption('azure');
  await expect(page.getByTestId('key-header')).toHaveValue('api-key');
  await expect(page.getByTestId('base-url')).toHaveValue(/openai\.azure\.com\/openai\/v1$/);
  await page.getByTestId('provider-preset').selectOption('ollama');
  await expect(page.getByTestId('base-url')).toHaveValue('http://127.0.0.1:11434/v1');
  await expect(page.getByTestId('preset-note')).toContainText('OLLAMA_ORIGINS');
  // Edited, it is a custom server; what was picked stays as typed.
  await page.getByTestId('model').fill('my-model');
  await page.getByTestId('base-url').fill('http://127.0.0.1:9999/v1');
  await expect(page.getByTestId('provider-preset')).toHaveValue('custom');
  await expect(page.getByTestId('model')).toHaveValue('my-model');
  await page.reload();
  await openSettings(page);
  await expect(page.getByTestId('base-url')).toHaveValue('http://127.0.0.1:9999/v1');
});

test('with the api-key header (Azure OpenAI) the key goes there and not in Authorization', async ({ page, request }) => {
  const model = uniqueModel('azurekey');
  await script(request, model, [{ type: 'reply', text: 'Fine.', times: null }]);
  const sent: { url: string; auth?: string; apiKey?: string }[] = [];
  page.context().on('request', (r) =>
    sent.push({ url: r.url(), auth: r.headers()['authorization'], apiKey: r.headers()['api-key'] }),
  );
  await openWith(page, { model }, 'prompt');
  await page.getByTestId('key-header').selectOption('api-key');
  await page.getByTestId('test-connection').click();
  await expect(page.getByTestId('model-list')).toBeAttached();
  await send(page);
  await expect(page.getByTestId('status')).toContainText('done', { timeout: 15_000 });
  const api = sent.filter((r) => r.url.startsWith(`${BASE_URL}/`));
  expect(api.map((r) => new URL(r.url).pathname)).toEqual(['/v1/models', '/v1/chat/completions']);
  for (const r of api) {
    expect(r.apiKey).toBe(TEST_KEY);
    expect(r.auth).toBeUndefined();
  }
  // Nothing else carried it.
  for (const r of sent.filter((r) => !r.url.startsWith(`${BASE_URL}/`))) expect(r.apiKey).toBeUndefined();
});

/** Starts a server for one test and waits until `health` answers. */
async function startServer(cmd: string, args: string[], health: string): Promise<ChildProcess> {
  const proc = spawn(cmd, args, { stdio: 'ignore' });
  await expect
    .poll(async () => fetch(health).then((r) => r.status, () => 0), { timeout: 15_000, message: `${cmd} ${args.join(' ')} (is the port free?)` })
    .toBeGreaterThan(0);
  return proc;
}

test('"Find local servers" lists what answers on the usual ports, explains a CORS refusal, and one click uses it', async ({ page }) => {
  // llmock (with CORS) where a local server often listens, and a plain web
  // server without CORS on another usual port.
  const servers = [
    await startServer('../.venv/bin/python', ['../scripts/llmock_server.py', '5001'], 'http://127.0.0.1:5001/health'),
    await startServer('python3', ['-m', 'http.server', '8081', '--bind', '127.0.0.1'], 'http://127.0.0.1:8081/'),
  ];
  try {
    await page.goto('./');
    await openSettings(page);
    await page.getByTestId('detect-local').click();
    const found = page.getByTestId('local-server').and(page.locator('[data-base-url="http://127.0.0.1:5001/v1"]'));
    await expect(found).toBeVisible({ timeout: 15_000 });
    await expect(found).toContainText('gpt-4o-mini');
    await expect(page.getByTestId('local-miss').and(page.locator('[data-port="8081"]'))).toContainText('(CORS)');
    // A port nobody listens on (here vLLM's) says so, unless this machine runs one.
    const vllm = page.locator('[data-port="8000"]');
    if (await vllm.count()) await expect(vllm).toContainText(/nothing listening|CORS|not as an OpenAI-compatible/);
    await found.getByTestId('local-server-use').click();
    await expect(page.getByTestId('base-url')).toHaveValue('http://127.0.0.1:5001/v1');
    await expect(page.getByTestId('bar-provider')).toHaveText('127.0.0.1:5001');
    await page.getByTestId('test-connection').click();
    await expect(page.getByTestId('model-list')).toBeAttached();
  } finally {
    for (const s of servers) s.kill();
  }
});
