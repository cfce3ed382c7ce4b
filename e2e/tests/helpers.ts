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

/** Opens the page and fills the settings panel. */
export async function openWith(page: Page, s: Setup) {
  await page.goto('./');
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
