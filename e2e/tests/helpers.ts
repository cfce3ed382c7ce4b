import { readFileSync } from 'node:fs';
import { expect, type Page, type APIRequestContext } from '@playwright/test';
import { API_PORT } from '../playwright.config';

export const API = `http://127.0.0.1:${API_PORT}`;
export const BASE_URL = `${API}/v1`;
export const TEST_KEY = 'sk-test-e2e-0123456789abcdef';

let counter = 0;
/** A model name of its own per test, so scripted faults hit only that test. */
export function uniqueModel(label: string): string {
  counter += 1;
  return `e2e-${label}-${Date.now()}-${counter}`;
}

/** Queues llmock behaviours that apply only to requests for `model`. */
export async function script(request: APIRequestContext, model: string, behaviors: object[]) {
  const res = await request.post(`${API}/_llmock/scenario`, {
    data: { behaviors: behaviors.map((b) => ({ ...b, match: { model } })) },
  });
  expect(res.status(), await res.text()).toBe(201);
}

/** The chat requests llmock received for `model`, oldest first. */
export async function received(request: APIRequestContext, model: string): Promise<any[]> {
  const res = await request.get(`${API}/_llmock/requests`);
  const all = (await res.json()).requests as any[];
  return all.filter((r) => r.model === model && r.path.endsWith('/chat/completions'));
}

/** Collects console errors and uncaught page errors. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

export interface Setup {
  model: string;
  key?: string;
  timeout?: number;
  retries?: number;
  stream?: boolean;
}

export type ViewName = 'run' | 'batch' | 'history' | 'prompt';

/**
 * Waits for the app as a user waits for the page: the app mounts and draws
 * the shown view in tasks after the wasm loads, so right after `goto` or
 * `reload` there may be no view yet. Ready is the connection bar on screen
 * and exactly one view drawn and visible.
 */
export async function appReady(page: Page) {
  await expect(page.getByTestId('connection-bar')).toBeVisible();
  await expect(page.locator('main [data-testid^="view-"]:visible')).toHaveCount(1);
}

/** Shows a view through its navigation link. */
export async function goTo(page: Page, view: ViewName) {
  await page.getByTestId(`nav-${view}`).click();
  await expect(page.getByTestId(`view-${view}`)).toBeVisible();
}

/** Opens the full settings from the connection bar, if they are not open. */
export async function openSettings(page: Page) {
  if ((await page.getByTestId('settings-open').getAttribute('aria-expanded')) !== 'true') {
    await page.getByTestId('settings-open').click();
  }
  await expect(page.getByTestId('api-key')).toBeVisible();
}

/** Opens the page (on `view`, the Run view by default) and fills the settings panel. */
export async function openWith(page: Page, s: Setup, view: ViewName = 'run') {
  await page.goto(`./#/${view}`);
  await fillSettings(page, s);
}

/** Fills the settings panel of the page open now. */
export async function fillSettings(page: Page, s: Setup) {
  await openSettings(page);
  await page.getByTestId('api-key').fill(s.key ?? TEST_KEY);
  await page.getByTestId('base-url').fill(BASE_URL);
  await page.getByTestId('model').fill(s.model);
  if (s.timeout !== undefined) {
    await page.getByTestId('timeout').fill(String(s.timeout));
    await page.getByTestId('timeout').dispatchEvent('change');
  }
  if (s.retries !== undefined) {
    await page.getByTestId('max-retries').fill(String(s.retries));
    await page.getByTestId('max-retries').dispatchEvent('change');
  }
  if (s.stream === false) {
    await page.getByTestId('streaming').uncheck();
  }
}

/** Types a prompt and sends it. */
export async function send(page: Page, prompt = 'Say hello.') {
  await page.getByTestId('prompt-input').fill(prompt);
  await page.getByTestId('send').click();
}

/** The built-in tasks, in card order. */
export const TASK_IDS = ['summary', 'sentiment', 'keywords', 'questions', 'translation', 'category'];

/** Drops every scripted llmock behaviour (permanent ones must not outlive their test). */
export async function resetScenario(request: APIRequestContext) {
  await request.delete(`${API}/_llmock/scenario`);
}

/** Leaves only `ids` ticked in the task list (on the Run view). */
export async function onlyTasks(page: Page, ids: string[]) {
  if (!(await page.getByTestId('view-run').isVisible())) await goTo(page, 'run');
  for (const id of TASK_IDS) {
    const box = page.getByTestId(`select-${id}`);
    if (ids.includes(id)) await box.check();
    else await box.uncheck();
  }
}

export type RunModeName = 'sequential' | 'parallel' | 'compare' | 'sweep';

/** Picks a mode and presses Run. */
export async function runMode(page: Page, mode: RunModeName) {
  await page.getByTestId(`mode-${mode}`).check();
  await page.getByTestId('run').click();
}

/** The number a test hook shows. */
export async function numberOf(page: Page, testid: string): Promise<number> {
  return Number(((await page.getByTestId(testid).textContent()) ?? '').trim());
}

/** The integer milliseconds a time hook carries in `data-ms`, whatever its text shows. */
export async function msOf(page: Page, testid: string): Promise<number> {
  const v = await page.getByTestId(testid).getAttribute('data-ms');
  expect(v, `${testid} has data-ms`).toMatch(/^-?\d+$/);
  return Number(v);
}

/** The unit rule: ms under a second, seconds with two decimals above. */
export const DURATION_TEXT = /^(\d{1,3} ms|\d+\.\d\d s|\d+ min \d+ s)$/;

/** Clicks a download button and reads the file it offers. */
export async function download(page: Page, testid: string, scope = page.locator('body')) {
  const [file] = await Promise.all([page.waitForEvent('download'), scope.getByTestId(testid).click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), path, text: readFileSync(path, 'utf8') };
}

/** Waits until `read` gives the same value three times in a row (250 ms apart) and returns it. */
export async function settled<T>(read: () => Promise<T>): Promise<T> {
  let last = await read();
  let same = 0;
  await expect
    .poll(
      async () => {
        const now = await read();
        same = JSON.stringify(now) === JSON.stringify(last) ? same + 1 : 0;
        last = now;
        return same;
      },
      { intervals: [250], timeout: 15_000 },
    )
    .toBeGreaterThanOrEqual(2);
  return last;
}

/** Waits until every history write (add, delete, clear) is stored, so a reload loses none. */
export async function historyStored(page: Page) {
  await expect(page.getByTestId('history-size')).toHaveAttribute('data-saving', '0');
}

/** Adds `texts` as pasted documents on the Batch view and, if given, sets K. */
export async function addBatchDocs(page: Page, texts: string[], k?: number) {
  await page.getByTestId('batch-paste').fill(texts.join('\n---\n'));
  await page.getByTestId('batch-add-pasted').click();
  if (k !== undefined) {
    await page.getByTestId('batch-k').fill(String(k));
    await page.getByTestId('batch-k').dispatchEvent('change');
  }
}
