import { test, expect, type Browser, type Page } from '@playwright/test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { addBatchDocs, appReady, goTo, historyStored, onlyTasks, openWith, runMode, TEST_KEY, uniqueModel } from './helpers';

/** The record a share URL holds, as JSON text (decompressed as the page wrote it). */
function decode(url: string): string {
  const data = url.split('#share=')[1].split('.')[2];
  return inflateRawSync(Buffer.from(data, 'base64url')).toString('utf8');
}

/** The headline figures of the run shown under `scope`, by hook. */
async function figures(scope: ReturnType<Page['getByTestId']>) {
  return scope.locator('[data-testid^="fig-"]').evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-testid'), e.textContent])),
  );
}

/** The share URL of the run shown under `scope`, with answers or not. */
async function shareUrl(scope: ReturnType<Page['getByTestId']>, answers: boolean, input = false) {
  if ((await scope.getByTestId('share-link').getAttribute('aria-expanded')) !== 'true') {
    await scope.getByTestId('share-link').click();
  }
  const before = (await scope.getByTestId('share-url').count()) ? await scope.getByTestId('share-url').inputValue() : '';
  const box = scope.getByTestId('share-answers');
  if ((await box.isChecked()) !== answers) await box.setChecked(answers);
  const inputBox = scope.getByTestId('share-input');
  if ((await inputBox.isChecked()) !== input) await inputBox.setChecked(input);
  if (before && (answers || input)) await expect(scope.getByTestId('share-url')).not.toHaveValue(before);
  const field = scope.getByTestId('share-url');
  await expect(field).toHaveValue(/#share=1\./);
  const url = await field.inputValue();
  await expect(field).toHaveAttribute('data-length', String(url.length));
  return url;
}

/** Opens `url` in a fresh browser context (empty storage, no key, no settings), noting every request it sends. */
async function openFresh(browser: Browser, url: string) {
  const context = await browser.newContext();
  const other = await context.newPage();
  const sent: string[] = [];
  other.on('request', (r) => sent.push(r.url()));
  await other.goto(url);
  await appReady(other);
  return { context, other, origin: new URL(url).origin, sent };
}

test('a compare run shared by link opens read-only in a fresh browser with the same figures, answers only when included, and nothing sent', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const model = uniqueModel('share');
  await openWith(page, { model });
  await onlyTasks(page, ['summary', 'sentiment', 'keywords']);
  const secret = `PRIVATE-INPUT-${Date.now()}`;
  await page.getByTestId('input-text').fill(`latency-ms=200\n\n${secret} A short review: the product works.`);
  await runMode(page, 'compare');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await historyStored(page);
  await goTo(page, 'history');
  await page.getByTestId('history-open').first().click();
  const kept = page.getByTestId('view-history').getByTestId('run-view');
  const keptFigures = await figures(kept);
  expect(Object.keys(keptFigures)).toContain('fig-speedup');
  const keptAnswers = await kept.getByTestId('kept-answer').allTextContents();
  const keptPerTask = await kept.getByTestId('per-task-table').locator('tbody tr').allTextContents();
  expect(keptPerTask.length).toBeGreaterThanOrEqual(3);

  const figuresOnly = await shareUrl(kept, false);
  const withAnswers = await shareUrl(kept, true);
  const withInput = await shareUrl(kept, true, true);
  // No key, and the input only when asked.
  for (const url of [figuresOnly, withAnswers, withInput]) {
    expect(url).not.toContain(TEST_KEY);
    expect(decode(url)).not.toContain(TEST_KEY);
  }
  expect(decode(figuresOnly)).not.toContain(secret);
  expect(decode(withAnswers)).not.toContain(secret);
  expect(decode(withInput)).toContain(secret);
  expect(withAnswers.length).toBeGreaterThan(figuresOnly.length);

  // A fresh browser context: empty storage, no key, no settings.
  const { context, other, origin, sent } = await openFresh(browser, figuresOnly);
  const shared = other.getByTestId('shared-run');
  await expect(shared).toBeVisible();
  expect(await figures(shared)).toEqual(keptFigures);
  // Each task's times, as the kept run shows them.
  await expect(shared.getByTestId('per-task-table').locator('tbody tr')).toHaveText(keptPerTask);
  // Figures only: the answers are not there.
  for (const a of await shared.getByTestId('kept-answer').allTextContents()) {
    expect(keptAnswers.some((k) => k === a)).toBe(false);
  }
  // With answers: the same answers as the kept run.
  await other.goto(withAnswers);
  await expect(other.getByTestId('shared-run')).toBeVisible();
  await expect(other.getByTestId('shared-run').getByTestId('kept-answer')).toHaveText(keptAnswers);
  expect(await figures(other.getByTestId('shared-run'))).toEqual(keptFigures);
  // Kept only when asked (the History view is drawn, hidden, meanwhile).
  await expect(other.getByTestId('history-row')).toHaveCount(0);
  await other.getByTestId('shared-keep').click();
  await expect(other.getByTestId('shared-keep')).toBeDisabled();
  await goTo(other, 'history');
  await expect(other.getByTestId('history-row')).toHaveCount(1);
  // Leaving for another view leaves the shared run.
  await expect(other.getByTestId('shared-run')).toHaveCount(0);
  // Opening a shared run sent nothing to any server but the page's own.
  expect(sent.filter((u) => !u.startsWith(origin))).toEqual([]);
  await context.close();
});

test('a cut, altered or newer link is refused with a message, and the page still works', async ({ page }) => {
  await openWith(page, { model: uniqueModel('share-bad') });
  await onlyTasks(page, ['sentiment']);
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  const url = await shareUrl(page.getByTestId('run-saved'), false);
  const [head, data] = [url.slice(0, url.lastIndexOf('.') + 1), url.slice(url.lastIndexOf('.') + 1)];
  const open = async (u: string) => {
    await page.goto('about:blank');
    await page.goto(u);
    await appReady(page);
  };
  // Cut: the end of the data is missing.
  await open(url.slice(0, url.length - 30));
  await expect(page.getByTestId('shared-error')).toContainText('cut');
  await expect(page.getByTestId('shared-run')).toHaveCount(0);
  // Altered: valid compressed JSON with another model, the old checksum.
  const altered = decode(url).replace(/"model":"[^"]+"/, '"model":"another-model"');
  expect(altered).toContain('another-model');
  await open(head + deflateRawSync(Buffer.from(altered)).toString('base64url'));
  await expect(page.getByTestId('shared-error')).toContainText('altered');
  // From a newer version of the page.
  await open(url.replace('#share=1.', '#share=2.'));
  await expect(page.getByTestId('shared-error')).toContainText('newer version');
  // Not a link at all inside: data that does not decompress.
  await open(head + Buffer.from('not deflate data at all').toString('base64url'));
  await expect(page.getByTestId('shared-error')).toContainText('cut or damaged');
  // The page itself still works: the whole link opens after all that.
  expect(data.length).toBeGreaterThan(10);
  await open(url);
  await expect(page.getByTestId('shared-run')).toBeVisible();
  await expect(page.getByTestId('shared-error')).toHaveCount(0);
});

test('a finished batch is shared from the Batch view and opens read-only elsewhere, with its cells and nothing sent', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const model = uniqueModel('share-batch');
  await openWith(page, { model });
  await onlyTasks(page, ['sentiment']);
  await goTo(page, 'batch');
  const view = page.getByTestId('view-batch');
  // Nothing to share before a batch has ended here.
  await expect(view.getByTestId('share-link')).toHaveCount(0);
  const texts = ['Doc one: great.', 'Doc two: awful.', 'Doc three: fine.'];
  await addBatchDocs(page, texts);
  await page.getByTestId('batch-run').click();
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-remaining', '0', { timeout: 30_000 });
  await expect(page.getByTestId('batch-run')).toBeEnabled();
  const figuresOnly = await shareUrl(view, false);
  const withAnswers = await shareUrl(view, true);
  for (const url of [figuresOnly, withAnswers]) expect(decode(url)).not.toContain(TEST_KEY);
  expect(withAnswers.length).toBeGreaterThan(figuresOnly.length);
  // The documents' text is not in it unless asked.
  for (const t of texts) expect(decode(figuresOnly)).not.toContain(t);

  const { context, other, origin, sent } = await openFresh(browser, figuresOnly);
  const shared = other.getByTestId('shared-run');
  await expect(shared).toBeVisible();
  // Each document's cell, as the Batch view ended it.
  const rows = shared.getByTestId('kept-batch').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  for (let d = 0; d < 3; d++) {
    const status = await page.getByTestId(`cell-${d}-0`).getAttribute('data-status');
    await expect(rows.nth(d).locator('td')).toContainText(status!);
  }
  expect(sent.filter((u) => !u.startsWith(origin))).toEqual([]);
  await context.close();
});
