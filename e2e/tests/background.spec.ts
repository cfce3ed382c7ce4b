import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { addBatchDocs, appReady, fillSettings, goTo, onlyTasks, received, uniqueModel } from './helpers';
import { SITE, hideablePage } from './hidden';

// A batch in a background tab: Chrome draws no frames there, aligns timers
// to whole seconds and, after a grace period (5 minutes in Chrome, 1 s
// here), wakes chains of timers once a minute. The batch must keep its
// pace, its counts and the other tabs informed all the same.
const DOCS = 60;
const K = 6;

async function done(page: Page, testid: string) {
  return Number(await page.getByTestId(testid).getAttribute('data-done'));
}

/** The chat requests the server has seen for `model`. */
const seen = async (request: APIRequestContext, model: string) => (await received(request, model)).length;

/**
 * Runs the batch shown; half-way (on the server) runs `midway`; returns the
 * ms from the click until the server had every request.
 */
async function paced(page: Page, request: APIRequestContext, model: string, before: number, hide: () => Promise<void>, midway: () => Promise<void>) {
  await page.getByTestId('batch-run').click();
  const started = Date.now();
  await hide();
  await expect.poll(() => seen(request, model), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(before + DOCS / 2);
  await midway();
  await expect.poll(() => seen(request, model), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(before + DOCS);
  return Date.now() - started;
}

/** Progress shown in a batch's own tab, mid-batch. */
async function midBatch(page: Page, testid: string) {
  await expect.poll(() => done(page, testid), { timeout: 10_000, intervals: [50] }).toBeGreaterThanOrEqual(DOCS / 4);
  expect(await done(page, testid)).toBeLessThan(DOCS);
}

test('a batch keeps its pace, its counts and the other tabs informed while its tab is hidden', async ({ request }) => {
  test.setTimeout(120_000);
  const tab = await hideablePage({ graceSeconds: 1 });
  try {
    const { page } = tab;
    const model = uniqueModel('hidden');
    await page.goto(`${SITE}#/run`);
    await appReady(page);
    await fillSettings(page, { model });
    await onlyTasks(page, ['sentiment']);
    await goTo(page, 'batch');
    const texts = Array.from({ length: DOCS }, (_, i) => `latency-ms=300\n\nDoc ${i + 1} is a short review.`);
    await addBatchDocs(page, texts, K);

    // The same batch with the tab in front, then hidden from its start.
    const visibleMs = await paced(page, request, model, 0, async () => {}, () => midBatch(page, 'batch-progress'));
    await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-remaining', '0', { timeout: 30_000 });
    await expect(page.getByTestId('batch-run')).toBeEnabled();
    let other: Page | undefined;
    const hiddenMs = await paced(
      page,
      request,
      model,
      DOCS,
      async () => {
        // Another tab of the app comes in front: the batch's tab is hidden.
        other = await tab.hide(`${SITE}#/batch`);
      },
      async () => {
        // Hidden (no frame drawn), the tab's counts keep up, and so does
        // what it tells the other tab.
        await midBatch(page, 'batch-progress');
        await midBatch(other!, 'batch-elsewhere');
        expect(await tab.hidden()).toBe(true);
      },
    );
    expect(await tab.hidden()).toBe(true);
    await expect.poll(() => done(page, 'batch-progress'), { timeout: 30_000 }).toBe(DOCS);
    expect(await tab.hidden()).toBe(true);
    console.log(`hidden tab: ${DOCS} requests at K = ${K} reached the server in ${hiddenMs} ms hidden, ${visibleMs} ms in front`);
    // The pace, with a wide margin: a start waiting on a throttled timer
    // costs a second (aligned) or a minute (chained) each time.
    expect(hiddenMs).toBeLessThan(visibleMs * 2 + 2000);
    await tab.show();
    await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-remaining', '0');
  } finally {
    await tab.close();
  }
});
