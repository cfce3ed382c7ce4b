import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { addBatchDocs, appReady, goTo, historyStored, onlyTasks, openWith, received, runMode, uniqueModel } from './helpers';

const DOCS = 60;

/** The document a logged request asked about. */
const docOf = (r: any) => /Doc (\d+) /.exec(r.body.messages[1].content)?.[1];

/** How many times each document was asked, and the most any was. */
function asked(log: any[]) {
  const n = new Map<string, number>();
  for (const r of log) n.set(docOf(r)!, (n.get(docOf(r)!) ?? 0) + 1);
  return n;
}

async function done(page: Page, testid: string) {
  return Number(await page.getByTestId(testid).getAttribute('data-done'));
}

test('a batch running in one tab is shown, not offered for resuming, in another; the other takes over only what is left once the first closes', async ({ page, context, request }) => {
  test.setTimeout(120_000);
  const model = uniqueModel('tabs');
  await openWith(page, { model });
  await onlyTasks(page, ['sentiment']);
  await goTo(page, 'batch');
  const texts = Array.from({ length: DOCS }, (_, i) => `latency-ms=500\n\nDoc ${i + 1} is a short review.`);
  await addBatchDocs(page, texts, 6);
  await page.getByTestId('batch-run').click();
  await expect.poll(() => done(page, 'batch-progress'), { timeout: 30_000 }).toBeGreaterThanOrEqual(12);

  // A second tab of the same browser, half-way through.
  const other = await context.newPage();
  await other.goto('./#/batch');
  await appReady(other);
  const elsewhere = other.getByTestId('batch-elsewhere');
  await expect(elsewhere).toBeVisible();
  await expect(other.getByTestId('batch-resume-offer')).toHaveCount(0);
  await expect(other.getByTestId('batch-take-over')).toBeDisabled();
  // Its progress follows the running tab's.
  const seen = await done(other, 'batch-elsewhere');
  await expect.poll(() => done(other, 'batch-elsewhere'), { timeout: 15_000 }).toBeGreaterThan(seen);
  // No second batch here while it runs there.
  await expect(other.getByTestId('batch-run')).toBeDisabled();
  await expect(elsewhere).toContainText('running in another tab');

  // Up to now, no document was asked twice.
  await expect.poll(() => done(page, 'batch-progress'), { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
  const before = await received(request, model);
  expect(Math.max(...asked(before).values())).toBe(1);

  // The first tab closes mid-batch: the second may take over.
  await page.close();
  await expect(other.getByTestId('batch-take-over')).toBeEnabled({ timeout: 10_000 });
  await expect(elsewhere).toHaveAttribute('data-gone', 'true');
  const left = DOCS - (await done(other, 'batch-elsewhere'));
  expect(left).toBeGreaterThan(0);
  await other.getByTestId('batch-take-over').click();
  await expect(other.getByTestId('batch-progress')).toHaveAttribute('data-done', String(DOCS), { timeout: 60_000 });
  await expect(other.getByTestId('batch-elsewhere')).toHaveCount(0);
  // Every document asked; only those in flight when the first tab closed
  // (at most K = 6) twice; the second tab asked only what was left.
  const all = asked(await received(request, model));
  expect(all.size).toBe(DOCS);
  const twice = [...all.values()].filter((n) => n > 1).length;
  expect(twice).toBeLessThanOrEqual(6);
  expect((await received(request, model)).length - before.length).toBeLessThanOrEqual(left + 6);
});

test('runs kept in two tabs are both kept, and each tab lists the other\'s', async ({ page, context }) => {
  test.setTimeout(60_000);
  const model = uniqueModel('tabs-history');
  await openWith(page, { model });
  await onlyTasks(page, ['sentiment']);
  const other = await context.newPage();
  await openWith(other, { model });
  await onlyTasks(other, ['sentiment']);
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await runMode(other, 'parallel');
  await expect(other.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await historyStored(page);
  await historyStored(other);
  // Without a reload, each tab lists both runs.
  for (const p of [page, other]) {
    await goTo(p, 'history');
    await expect(p.getByTestId('history-row')).toHaveCount(2);
  }
  // A run deleted in one tab leaves the other's list too.
  await page.getByTestId('history-row').first().getByTestId('history-delete').click();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(other.getByTestId('history-row')).toHaveCount(1);
  // And both are stored: a reload lists what the tabs left.
  await historyStored(page);
  await other.reload();
  await appReady(other);
  await goTo(other, 'history');
  await expect(other.getByTestId('history-row')).toHaveCount(1);
});

test('a Batch API hand-off is refused in a tab while another tab runs a batch, and the running batch is not replaced', async ({ page, context }) => {
  test.setTimeout(90_000);
  const model = uniqueModel('tabs-api');
  await openWith(page, { model });
  await onlyTasks(page, ['sentiment']);
  await goTo(page, 'batch');
  const docs = 24;
  await addBatchDocs(page, Array.from({ length: docs }, (_, i) => `latency-ms=400\n\nDoc ${i + 1} is a review.`), 3);
  await page.getByTestId('batch-run').click();
  await expect.poll(() => done(page, 'batch-progress'), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  const other = await context.newPage();
  await openWith(other, { model }, 'batch');
  await expect(other.getByTestId('batch-elsewhere')).toBeVisible();
  await addBatchDocs(other, ['Another document.']);
  await other.getByTestId('batch-api-output').evaluate((el) => ((el.closest('details') as HTMLDetailsElement).open = true));
  await other.getByTestId('batch-api-submit').click();
  await expect(other.getByTestId('batch-error')).toContainText('running in another tab');
  // The first tab's batch ends whole, and stays the one kept on the device.
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-done', String(docs), { timeout: 60_000 });
  await page.reload();
  await appReady(page);
  await goTo(page, 'batch');
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-done', String(docs));
});

/**
 * A page of the site's origin that runs no Fanout (a static file the site
 * serves): a stand-in for another tab whose code opens the database.
 */
async function bareTab(context: BrowserContext): Promise<Page> {
  const bare = await context.newPage();
  await bare.goto('./extract_loader.js');
  return bare;
}

/** Opens the page's database at `version` from `page`; resolves with how it went. */
function openDatabase(page: Page, version: number): Promise<string> {
  return page.evaluate((version) => new Promise<string>((done) => {
    const open = indexedDB.open('fanout', version);
    // As an older version does: its stores, and no handler to let go.
    open.onupgradeneeded = () => {
      for (const name of ['batch', 'batch_results', 'runs']) {
        if (!open.result.objectStoreNames.contains(name)) open.result.createObjectStore(name);
      }
    };
    open.onsuccess = () => {
      (window as any).held = open.result;
      done('opened');
    };
    open.onblocked = () => done('blocked');
    open.onerror = () => done(`error: ${open.error?.name}`);
  }), version);
}

test('a tab of an older version holding the storage is named, and once it lets go the storage is upgraded and used', async ({ context }) => {
  test.setTimeout(60_000);
  const older = await bareTab(context);
  expect(await openDatabase(older, 2)).toBe('opened');
  const page = await context.newPage();
  await openWith(page, { model: uniqueModel('tabs-older') });
  await goTo(page, 'history');
  await expect(page.getByTestId('history-error')).toContainText('another tab at an older version');
  await goTo(page, 'batch');
  await expect(page.getByTestId('batch-error')).toContainText('close or reload that tab');
  // That tab goes: the upgrade this page asked for goes through, and a
  // reload stores runs again.
  await older.close();
  await page.reload();
  await appReady(page);
  await onlyTasks(page, ['sentiment']);
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await historyStored(page);
  await expect(page.getByTestId('view-run').getByTestId('storage-error')).toHaveCount(0);
  await goTo(page, 'history');
  await expect(page.getByTestId('history-error')).toHaveCount(0);
  await expect(page.getByTestId('history-row')).toHaveCount(1);
});

test('a newer version opening the storage in another tab is not blocked by this one, which then says to reload', async ({ page, context }) => {
  test.setTimeout(60_000);
  await openWith(page, { model: uniqueModel('tabs-newer') });
  await onlyTasks(page, ['sentiment']);
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await historyStored(page);
  // A newer version's upgrade: this tab's connections let it through.
  const newer = await bareTab(context);
  expect(await openDatabase(newer, 99)).toBe('opened');
  await runMode(page, 'parallel');
  await expect(page.getByTestId('phase')).toHaveText('Finished.', { timeout: 30_000 });
  await expect(page.getByTestId('view-run').getByTestId('storage-error')).toContainText('reload this tab');
});
