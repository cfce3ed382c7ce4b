import { test, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { POOL_PORT } from '../playwright.config';
import { download, goTo, onlyTasks, openWith, TASK_IDS, uniqueModel } from './helpers';

// Three test servers of their own (so that one can be stopped), each with
// its own key: a pool of the connection and two endpoints.
const PORTS = [POOL_PORT, POOL_PORT + 1, POOL_PORT + 2];
const KEYS = ['sk-pool-one-0001', 'sk-pool-two-0002', 'sk-pool-three-0003'];
const ROOT = join(__dirname, '..', '..');
let servers: ChildProcess[] = [];

async function start(port: number): Promise<ChildProcess> {
  const p = spawn(join(ROOT, '.venv', 'bin', 'python'), [join(ROOT, 'scripts', 'llmock_server.py'), String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return p;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`test server on ${port} did not start`);
}

test.beforeEach(async () => {
  servers = await Promise.all(PORTS.map(start));
});

test.afterEach(async () => {
  for (const s of servers) s.kill('SIGKILL');
});

/** Each server's chat requests for `model` (Host, key). */
async function logOf(port: number, model: string): Promise<any[]> {
  const body = await (await fetch(`http://127.0.0.1:${port}/_lanes/requests`)).json();
  return (body.requests as any[]).filter((r) => r.model === model);
}

/** The connection on server 1, endpoints 2 and 3 on the others, K = 4 each. */
async function pool(page: Page, model: string) {
  await openWith(page, { model, key: KEYS[0] });
  await page.getByTestId('base-url').fill(`http://127.0.0.1:${PORTS[0]}/v1`);
  for (const n of [2, 3]) {
    await page.getByTestId('endpoint-add').click();
    await page.getByTestId(`endpoint-${n}-base-url`).fill(`http://127.0.0.1:${PORTS[n - 1]}/v1`);
    await page.getByTestId(`endpoint-${n}-model`).fill(model);
    await page.getByTestId(`endpoint-${n}-key`).fill(KEYS[n - 1]);
    await page.getByTestId(`endpoint-${n}-k`).fill('4');
  }
  await onlyTasks(page, TASK_IDS);
  await goTo(page, 'batch');
  await page.getByTestId('batch-k').fill('4');
  await page.getByTestId('batch-k').dispatchEvent('change');
  await page.getByTestId('batch-pool').check();
  await expect(page.getByTestId('pool-note')).toContainText('Up to 12 requests at once: K 4 + 4 + 4');
  // 20 documents × 6 tasks, each request held 300 ms by its server.
  const texts = Array.from({ length: 20 }, (_, i) => `latency-ms=300\n\nDocument ${i + 1} is a short review.`);
  await page.getByTestId('batch-paste').fill(texts.join('\n---\n'));
  await page.getByTestId('batch-add-pasted').click();
}

test('a batch over a pool of three servers survives one stopped mid-batch: every job done once, its jobs moved, the member down', async ({ page }) => {
  test.setTimeout(120_000);
  const model = uniqueModel('pool');
  await pool(page, model);
  await page.getByTestId('batch-run').click();
  const member = (n: number) => page.getByTestId(`pool-member-${n}`);
  // Every member takes work.
  for (const n of [1, 2, 3]) {
    await expect.poll(async () => Number(await member(n).getAttribute('data-done'))).toBeGreaterThan(0);
  }
  await expect.poll(async () => Number(await page.getByTestId('batch-progress').getAttribute('data-done'))).toBeGreaterThanOrEqual(30);
  // Server 2 stops while requests are in flight on it.
  servers[1].kill('SIGKILL');
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-done', '120', { timeout: 60_000 });
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-failed', '0');
  await expect(member(2)).toHaveAttribute('data-state', 'down');
  await expect(member(2)).toHaveAttribute('data-in-flight', '0');
  await expect(member(1)).toHaveAttribute('data-state', 'ok');
  await expect(member(3)).toHaveAttribute('data-state', 'ok');
  expect(Number(await member(2).getAttribute('data-failed'))).toBeGreaterThan(0);
  const done = await Promise.all([1, 2, 3].map(async (n) => Number(await member(n).getAttribute('data-done'))));
  expect(done.reduce((a, b) => a + b, 0)).toBe(120);
  // Each result once, from the member that answered it (a column of the export).
  const jsonl = (await download(page, 'batch-export-jsonl')).text.trim().split('\n').map((l) => JSON.parse(l));
  expect(jsonl).toHaveLength(120);
  expect(new Set(jsonl.map((r) => `${r.document}|${r.task}`)).size).toBe(120);
  const names = await Promise.all([1, 2, 3].map(async (n) => ((await member(n).locator('td').first().textContent()) ?? '').replace(/^\d+\. /, '')));
  for (const [i, name] of names.entries()) {
    expect(jsonl.filter((r) => r.result.served_by === name)).toHaveLength(done[i]);
  }
  const csv = (await download(page, 'batch-export-csv')).text;
  expect(csv.split('\n')[0]).toContain('summary_served_by');
  await expect(page.getByTestId('cell-0-0')).toHaveAttribute('data-served-by', /.+/);
  // Each server saw only its own key; the two still up answered every
  // job that server 2 did not.
  const logs = await Promise.all([0, 2].map((i) => logOf(PORTS[i], model)));
  for (const [j, i] of [0, 2].entries()) {
    expect(logs[j].length).toBeGreaterThan(0);
    for (const r of logs[j]) {
      expect(r.key).toBe(`Bearer ${KEYS[i]}`);
      expect(r.host).toBe(`127.0.0.1:${PORTS[i]}`);
    }
  }
  expect(logs[0].length + logs[1].length).toBeGreaterThanOrEqual(120 - done[1]);
});

test('a pooled batch survives a reload and resumes over the pool', async ({ page }) => {
  test.setTimeout(120_000);
  const model = uniqueModel('pool-resume');
  await pool(page, model);
  await page.getByTestId('batch-run').click();
  await expect.poll(async () => Number(await page.getByTestId('batch-progress').getAttribute('data-done'))).toBeGreaterThanOrEqual(20);
  await page.reload();
  await goTo(page, 'batch');
  await expect(page.getByTestId('batch-resume-offer')).toBeVisible();
  await expect(page.getByTestId('batch-pool')).toBeChecked();
  await page.getByTestId('batch-resume').click();
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-done', '120', { timeout: 60_000 });
  // The resumed part ran over every member again.
  for (const n of [1, 2, 3]) {
    expect(Number(await page.getByTestId(`pool-member-${n}`).getAttribute('data-done'))).toBeGreaterThan(0);
  }
  const jsonl = (await download(page, 'batch-export-jsonl')).text.trim().split('\n').map((l) => JSON.parse(l));
  expect(new Set(jsonl.map((r) => `${r.document}|${r.task}`)).size).toBe(120);
  expect(jsonl.every((r) => typeof r.result.served_by === 'string')).toBe(true);
});
