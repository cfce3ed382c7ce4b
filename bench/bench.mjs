// Fanout's benchmark: the built app (dist/) in headless Chromium against the
// benchmark server (bench/server.py) on 127.0.0.1, each scenario repeated
// after a warm-up; prints medians with min–max, writes bench/results.json.
// Exits non-zero only if it could not run.
//
// Usage: node bench/bench.mjs [--repeats N]

import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { cpus, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'e2e', 'package.json'));
const { chromium } = require('@playwright/test');
import { launchHideable } from '../e2e/hideable.mjs';

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const REPEATS = Number(arg('--repeats')) || 5;
// --only 1,4 runs only those scenarios (for working on one); the report needs all.
const ONLY = arg('--only')?.split(',').map(Number);
const want = (n) => !ONLY || ONLY.includes(n);
const SITE_PORT = 8281;
const API_PORT = 8290;
const TLS_PORT = 8291;
// The race's two servers: 300 ms and 900 ms to answer.
const RACE_FAST_PORT = 8292;
const RACE_SLOW_PORT = 8293;
// The capacity scenario's server: the test server's slots hook.
const CAPACITY_PORT = 8294;
// The built site as a static host serves it (precompressed, TLS).
const STATIC_PORT = 8295;
// Scenario 11: one test server on three loopback addresses (four lanes with
// localhost); scenario 12: three test servers pooled.
const LANES_PORT = 8296;
const POOL_PORTS = [8297, 8298, 8299];
// Scenario 13: a test server answering every request, and one failing 10 %.
const HIDDEN_PORTS = { clean: 8300, faults: 8301 };
const SITE = `http://127.0.0.1:${SITE_PORT}/`;
const API = `http://127.0.0.1:${API_PORT}`;
const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const CHROMIUM_ARGS = [
  '--enable-precise-memory-info',
  '--ignore-certificate-errors',
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// ---------- helpers ----------

const children = [];
function start(cmd, args, quiet = false) {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', quiet ? 'ignore' : 'inherit'] });
  children.push(child);
  return child;
}
process.on('exit', () => children.forEach((c) => c.kill()));

function waitPort(port, seconds = 30) {
  return new Promise((resolve, reject) => {
    let tries = 0;
    const attempt = () => {
      const sock = net.connect(port, '127.0.0.1', () => { sock.end(); resolve(); });
      sock.on('error', () => (++tries > seconds * 10 ? reject(new Error(`port ${port} did not open`)) : setTimeout(attempt, 100)));
    };
    attempt();
  });
}

async function waitFor(url, seconds = 30) {
  for (let i = 0; i < seconds * 10; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const stats = (v) => ({ median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length });

/** A task file the app imports: six tasks whose system message sets the server's timing. */
function taskFile(dir, name, systems) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    format: 'fanout-tasks', version: 1,
    tasks: systems.map((system, i) => ({
      id: `${name}-${i + 1}`, label: `${name} ${i + 1}`, system,
      prompt: 'Benchmark task {text}', max_tokens: 1000,
    })),
  }));
  return file;
}

/** Opens the app pointed at the benchmark server, with only `tasks` (ids) ticked. */
async function openApp(page, importFile, api = API) {
  await page.goto(SITE);
  // The full settings are folded behind the connection bar's Settings button.
  if ((await page.getByTestId('settings-open').getAttribute('aria-expanded')) !== 'true') {
    await page.getByTestId('settings-open').click();
  }
  await page.getByTestId('api-key').fill('sk-bench');
  await page.getByTestId('base-url').fill(`${api}/v1`);
  await page.getByTestId('model').fill('bench');
  if (importFile) {
    await page.getByTestId('import-tasks').setInputFiles(importFile);
    await page.getByTestId('tasks-status').waitFor();
    for (const id of ['summary', 'sentiment', 'keywords', 'questions', 'translation', 'category']) {
      await page.getByTestId(`select-${id}`).uncheck();
    }
  }
}

async function runAndRead(page, mode, timeout = 120_000) {
  await page.getByTestId(`mode-${mode}`).check();
  await page.getByTestId('run').click();
  await page.getByTestId('phase').filter({ hasText: 'Finished.' }).waitFor({ timeout });
  // The run as kept in the history: each run's figures, by mode.
  const record = JSON.parse(await page.getByTestId('run-saved').getAttribute('data-record'));
  const runs = (mode) => record.runs.filter((r) => r.mode === mode).map((r) => r.metrics);
  return { sequential: runs('Sequential'), parallel: runs('Parallel') };
}

// ---------- scenarios ----------

/** Scenarios 1 and 2: compare mode, ratios against the physical limits. */
async function ratios(browser, importFile, idealSpeedup) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openApp(page, importFile);
  const rows = [];
  for (let i = 0; i <= REPEATS; i++) {
    const r = await runAndRead(page, 'compare');
    if (i === 0) continue; // warm-up repetition
    const s = r.sequential[0];
    const p = r.parallel[0];
    rows.push({
      sequential_ms: s.wall_ms, parallel_ms: p.wall_ms,
      sequential_overhead: s.wall_ms / s.sum_task_ms,
      parallel_overhead: p.overhead,
      speedup: s.wall_ms / p.wall_ms,
    });
  }
  await context.close();
  const out = Object.fromEntries(Object.keys(rows[0]).map((k) => [k, stats(rows.map((r) => r[k]))]));
  out.ideal_speedup = idealSpeedup;
  return out;
}

/** Scenario 3: six 400-token streams at 200 tokens/s at once. */
async function streaming(browser, importFile) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const w = window;
    w.__bench = { longtasks: [], gaps: [], mutations: 0, lastMutation: 0, watching: false };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__bench.longtasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
    w.__benchStart = () => {
      const b = w.__bench;
      b.longtasks = []; b.gaps = []; b.watching = true;
      let last = performance.now();
      const frame = (t) => {
        b.gaps.push(t - last); last = t;
        if (b.watching) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      const mo = new MutationObserver(() => { b.mutations++; b.lastMutation = performance.now(); });
      document.querySelectorAll('pre.answer').forEach((el) =>
        mo.observe(el, { childList: true, characterData: true, subtree: true }));
      b.observer = mo;
    };
  });
  const page = await context.newPage();
  await openApp(page, importFile);
  const rows = [];
  for (let i = 0; i <= REPEATS; i++) {
    await page.evaluate(() => performance.clearResourceTimings());
    await page.evaluate(() => window.__benchStart());
    await runAndRead(page, 'parallel');
    const m = await page.evaluate(() => {
      const b = window.__bench;
      b.watching = false;
      b.observer.disconnect();
      const ends = performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/chat/completions')).map((e) => e.responseEnd);
      return {
        longest_task_ms: Math.max(0, ...b.longtasks),
        long_tasks: b.longtasks.length,
        longest_frame_gap_ms: Math.max(...b.gaps.slice(1)),
        last_byte_to_screen_ms: b.lastMutation - Math.max(...ends),
        dom_updates: b.mutations,
      };
    });
    if (i > 0) rows.push(m);
  }
  await context.close();
  return Object.fromEntries(Object.keys(rows[0]).map((k) => [k, stats(rows.map((r) => r[k]))]));
}

/** Scenario 4: 20 documents × 6 tasks (300 ms each) at K = 6, 12, 24 against `api`. */
async function batches(browser, api, importFile) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await openApp(page, importFile, api);
  await page.getByTestId('nav-batch').click();
  const docs = Array.from({ length: 20 }, (_, i) => `Benchmark document ${i + 1}.`).join('\n---\n');
  await page.getByTestId('batch-paste').fill(docs);
  await page.getByTestId('batch-add-pasted').click();
  const out = {};
  const protocols = [];
  for (const k of [6, 12, 24]) {
    await page.getByTestId('batch-k').fill(String(k));
    await page.getByTestId('batch-k').dispatchEvent('change');
    const rows = [];
    const traces = [];
    for (let i = 0; i <= REPEATS; i++) {
      await page.evaluate(() => { performance.setResourceTimingBufferSize(2000); performance.clearResourceTimings(); });
      await page.getByTestId('batch-run').click();
      // Started (the button disables), then finished (it enables again).
      await page.waitForFunction(() => document.querySelector('[data-testid="batch-run"]').disabled);
      await page.waitForFunction(() => !document.querySelector('[data-testid="batch-run"]').disabled, null, { timeout: 120_000 });
      const f = JSON.parse(await page.getByTestId('batch-progress').getAttribute('data-figures'));
      if (f.done !== 120) {
        // Reported, not hidden: the table shows failed requests per run.
        await page.locator('[data-testid^="cell-"][data-status="error"]').first().click();
        f.first_error = await page.getByTestId('batch-output').textContent();
        console.error(`  K = ${k} over ${api}: ${f.failed} failed (${f.first_error})`);
      }
      // Where the time of each request went, from the browser's resource
      // timing: fetch called → request sent (queued in the browser, e.g. the
      // 6-connection cap), request sent → first byte (the server's 300 ms
      // plus transport), first byte → last byte; and the gap from each
      // response's end to the next request the page starts (scheduling).
      const t = await page.evaluate(() => {
        const rs = performance.getEntriesByType('resource').filter((e) => e.name.includes('/chat/completions'));
        const med = (v) => { const a = [...v].sort((x, y) => x - y); return a.length ? a[Math.floor(a.length / 2)] : 0; };
        const starts = rs.map((e) => e.startTime).sort((a, b) => a - b);
        const gaps = rs.map((e) => { const n = starts.find((s) => s >= e.responseEnd); return n === undefined ? null : n - e.responseEnd; }).filter((g) => g !== null);
        return {
          protocols: [...new Set(rs.map((e) => e.nextHopProtocol))],
          browser_queue_ms: med(rs.map((e) => e.requestStart - e.startTime)),
          to_first_byte_ms: med(rs.map((e) => e.responseStart - e.requestStart)),
          body_ms: med(rs.map((e) => e.responseEnd - e.responseStart)),
          request_total_ms: med(rs.map((e) => e.responseEnd - e.startTime)),
          request_p90_ms: [...rs.map((e) => e.responseEnd - e.startTime)].sort((a, b) => a - b)[Math.floor(rs.length * 0.9)] ?? 0,
          request_max_ms: Math.max(0, ...rs.map((e) => e.responseEnd - e.startTime)),
          end_to_next_start_ms: med(gaps),
          // First request sent to last response ended, as the network saw it.
          network_span_ms: rs.length ? Math.max(...rs.map((e) => e.responseEnd)) - Math.min(...rs.map((e) => e.startTime)) : 0,
        };
      });
      t.page_outside_span_ms = f.elapsed_ms - t.network_span_ms;
      protocols.push(...t.protocols);
      if (i > 0) { rows.push(f); traces.push(t); }
    }
    const ideal = Math.ceil(120 / k) * 300;
    out[`k${k}`] = {
      wall_ms: stats(rows.map((r) => r.elapsed_ms)),
      ideal_ms: ideal,
      wall_over_ideal: stats(rows.map((r) => r.elapsed_ms / ideal)),
      mean_in_flight: stats(rows.map((r) => r.mean_in_flight)),
      peak_in_flight: stats(rows.map((r) => r.peak_in_flight)),
      failed: stats(rows.map((r) => r.failed)),
      errors: rows.map((r) => r.first_error).filter(Boolean),
      trace: Object.fromEntries(['browser_queue_ms', 'to_first_byte_ms', 'body_ms', 'request_total_ms', 'request_p90_ms', 'request_max_ms', 'end_to_next_start_ms', 'network_span_ms', 'page_outside_span_ms']
        .map((key) => [key, stats(traces.map((x) => x[key]))])),
    };
  }
  out.protocols = [...new Set(protocols)];
  await context.close();
  return out;
}

/** Pastes 20 documents, each carrying `marker` (a test-server hook), on the Batch view. */
async function twentyDocs(page, marker) {
  await page.getByTestId('nav-batch').click();
  const docs = Array.from({ length: 20 }, (_, i) => `${marker}\n\nBenchmark document ${i + 1}.`).join('\n---\n');
  await page.getByTestId('batch-paste').fill(docs);
  await page.getByTestId('batch-add-pasted').click();
}

/**
 * Runs the batch shown once and returns its figures; `started` runs once it
 * has begun. `polling`: how the end is watched (a hidden tab draws no
 * frames, so it needs a timer, not 'raf').
 */
async function runBatch(page, { started = async () => {}, polling = 'raf' } = {}) {
  const until = (f) => page.waitForFunction(f, null, { polling, timeout: 180_000 });
  await page.getByTestId('batch-run').click();
  await until(() => document.querySelector('[data-testid="batch-run"]').disabled);
  await started();
  await until(() => !document.querySelector('[data-testid="batch-run"]').disabled);
  return JSON.parse(await page.getByTestId('batch-progress').getAttribute('data-figures'));
}

/** Runs the batch shown `REPEATS` times after a warm-up; each run's figures. */
async function repeatBatch(page) {
  const rows = [];
  for (let i = 0; i <= REPEATS; i++) {
    const f = await runBatch(page);
    if (i > 0) rows.push(f);
  }
  return rows;
}

async function setBatchK(page, k) {
  await page.getByTestId('batch-k').fill(String(k));
  await page.getByTestId('batch-k').dispatchEvent('change');
}

/** Scenario 11: 20 documents × 6 tasks (300 ms each) at K = 24 against one
 * server reached under four names (lanes: 127.0.0.1, localhost, 127.0.0.2,
 * 127.0.0.3), then under one. */
async function lanes(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openApp(page, null, `http://127.0.0.1:${LANES_PORT}`);
  await page.getByTestId('lanes-detect').click();
  await page.getByTestId('lanes').and(page.locator('[data-count="4"]')).waitFor({ timeout: 20_000 });
  await twentyDocs(page, 'latency-ms=300');
  await setBatchK(page, 24);
  const four = await repeatBatch(page);
  await page.getByTestId('lanes-list').fill('');
  await page.getByTestId('lanes-list').dispatchEvent('change');
  await page.getByTestId('lanes').and(page.locator('[data-count="1"]')).waitFor();
  const one = await repeatBatch(page);
  await context.close();
  const wall = (rows) => stats(rows.map((r) => r.elapsed_ms));
  return {
    four_lanes_ms: wall(four),
    one_lane_ms: wall(one),
    ideal_four_ms: Math.ceil(120 / 24) * 300,
    ideal_one_ms: Math.ceil(120 / 6) * 300,
    one_over_four: stats(one.map((r, i) => r.elapsed_ms / four[i].elapsed_ms)),
    failed: stats([...four, ...one].map((r) => r.failed)),
  };
}

/** Scenario 12: 20 documents × 6 tasks over a pool of three servers, each
 * working on 4 requests at once (about 500 ms each: 400 ms to the first
 * token, 20 tokens 5 ms apart), K = 4 per member. */
async function pool(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openApp(page, null, `http://127.0.0.1:${POOL_PORTS[0]}`);
  for (const n of [2, 3]) {
    await page.getByTestId('endpoint-add').click();
    await page.getByTestId(`endpoint-${n}-base-url`).fill(`http://127.0.0.1:${POOL_PORTS[n - 1]}/v1`);
    await page.getByTestId(`endpoint-${n}-model`).fill('bench');
    await page.getByTestId(`endpoint-${n}-key`).fill(`sk-bench-${n}`);
    await page.getByTestId(`endpoint-${n}-k`).fill('4');
  }
  await twentyDocs(page, 'slots=4 serve-ms=400');
  await setBatchK(page, 4);
  await page.getByTestId('batch-pool').check();
  const rows = await repeatBatch(page);
  const shares = await Promise.all([1, 2, 3].map(async (n) => Number(await page.getByTestId(`pool-member-${n}`).getAttribute('data-done'))));
  await context.close();
  const ideal = (120 / 12) * 500;
  return {
    wall_ms: stats(rows.map((r) => r.elapsed_ms)),
    ideal_ms: ideal,
    wall_over_ideal: stats(rows.map((r) => r.elapsed_ms / ideal)),
    mean_in_flight: stats(rows.map((r) => r.mean_in_flight)),
    failed: stats(rows.map((r) => r.failed)),
    last_run_per_member: shares,
  };
}

/** Scenario 13: 20 documents × 6 tasks (300 ms each) at K = 6 with the
 * tab in front, then hidden behind another tab from the start (intensive
 * timer throttling after 1 s hidden, e2e/hideable.mjs), alternating,
 * against a server that answers every request, the same under a budget of
 * `rpm` requests a minute (past the first `rpm`, each start waits for the
 * budget on a timer, woken by the wait before), and one that
 * fails 10 % at random (each retried after a back-off). */
async function hiddenTab(api, rpm = 0) {
  const h = await launchHideable({ chromium, executable: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, graceSeconds: 1 });
  try {
    const { page, context } = h;
    await openApp(page, null, api);
    await twentyDocs(page, 'latency-ms=300');
    await setBatchK(page, 6);
    await page.getByTestId('batch-rpm').fill(String(rpm));
    await page.getByTestId('batch-rpm').dispatchEvent('change');
    const isHidden = () => page.evaluate(() => document.visibilityState === 'hidden');
    const run = async (hide) => {
      let cover = null;
      const started = async () => {
        if (!hide) return;
        cover = await context.newPage();
        await page.waitForFunction(() => document.visibilityState === 'hidden', null, { polling: 50 });
      };
      const f = await runBatch(page, { started, polling: 50 });
      if (hide && !(await isHidden())) throw new Error('the tab came in front before the batch ended');
      if (cover) await cover.close();
      await page.bringToFront();
      return f;
    };
    const front = [];
    const hidden = [];
    for (let i = 0; i <= REPEATS; i++) {
      const a = await run(false);
      const b = await run(true);
      if (i > 0) {
        front.push(a);
        hidden.push(b);
      }
    }
    return {
      front_ms: stats(front.map((r) => r.elapsed_ms)),
      hidden_ms: stats(hidden.map((r) => r.elapsed_ms)),
      hidden_over_front: stats(hidden.map((r, i) => r.elapsed_ms / front[i].elapsed_ms)),
      failed: stats([...front, ...hidden].map((r) => r.failed)),
    };
  } finally {
    await h.close();
  }
}

/** Scenario 5: bytes of every asset loaded; navigation start to Run
 * enabled and the longest main-thread task before it, cold, served as a
 * static host with `make dist`'s precompressed files serves it (brotli over
 * TLS, bench/static_server.mjs); then the same cold load under Chrome
 * DevTools Protocol network emulation (and CPU slowdown for 3G). */
async function pageLoad(browser, site) {
  // Resolves once Run is enabled: its time and the long tasks before it.
  const watch = () => {
    window.__longTasks = [];
    new PerformanceObserver((l) => window.__longTasks.push(...l.getEntries().map((e) => ({ start: e.startTime, ms: e.duration }))))
      .observe({ type: 'longtask', buffered: true });
    const check = () => {
      const b = document.querySelector('[data-testid="run"]');
      if (b && !b.disabled) { window.__runEnabledAt = performance.now(); return true; }
      return false;
    };
    new MutationObserver((_, mo) => { if (check()) mo.disconnect(); })
      .observe(document, { childList: true, subtree: true, attributes: true });
  };
  const load = async (emulate) => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true }); // cold cache each time
    await context.addInitScript(watch);
    const page = await context.newPage();
    if (emulate) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: emulate.latency, downloadThroughput: emulate.down / 8, uploadThroughput: emulate.up / 8,
      });
      if (emulate.cpu) await cdp.send('Emulation.setCPUThrottlingRate', { rate: emulate.cpu });
    }
    await page.goto(site);
    await page.waitForFunction(() => window.__runEnabledAt !== undefined, null, { timeout: 60_000 });
    // Long tasks are reported after they end: give the last one a moment.
    await page.waitForTimeout(100);
    const out = await page.evaluate(() => {
      const before = window.__longTasks.filter((t) => t.start < window.__runEnabledAt);
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        run_enabled_ms: window.__runEnabledAt,
        longest_task_ms: Math.max(0, ...before.map((t) => t.ms)),
        long_tasks: before.length,
        longest_task_after_ms: Math.max(0, ...window.__longTasks.filter((t) => t.start >= window.__runEnabledAt).map((t) => t.ms)),
        transferred: nav.transferSize + performance.getEntriesByType('resource').reduce((s, e) => s + e.transferSize, 0),
        assets: [
          { name: 'index.html', size: nav.decodedBodySize, encoded: nav.encodedBodySize },
          ...performance.getEntriesByType('resource').map((e) => ({ name: new URL(e.name).pathname.slice(1), size: e.decodedBodySize, encoded: e.encodedBodySize })),
        ],
      };
    });
    await context.close();
    return out;
  };
  const loads = [];
  for (let i = 0; i <= REPEATS; i++) {
    const l = await load(null);
    if (i > 0) loads.push(l);
  }
  const assets = loads[0].assets;
  const files = assets.map((a) => {
    const path = join(ROOT, 'dist', a.name === '/' ? 'index.html' : a.name);
    const raw = readFileSync(path);
    return {
      name: a.name, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length,
      brotli: brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length, served: a.encoded,
    };
  });
  // Cold loads on emulated networks (Chrome DevTools' presets' figures).
  const networks = { 'Slow 4G': { latency: 150, down: 1.6e6, up: 0.75e6 }, '3G': { latency: 300, down: 0.7e6, up: 0.7e6, cpu: 4 } };
  const emulated = {};
  for (const [name, n] of Object.entries(networks)) {
    const runs = [];
    for (let i = 0; i < Math.min(REPEATS, 3); i++) runs.push(await load(n));
    emulated[name] = { run_enabled_ms: stats(runs.map((r) => r.run_enabled_ms)), longest_task_ms: stats(runs.map((r) => r.longest_task_ms)) };
  }
  return {
    assets: files,
    total_raw: files.reduce((s, f) => s + f.raw, 0),
    total_gzip: files.reduce((s, f) => s + f.gzip, 0),
    total_brotli: files.reduce((s, f) => s + f.brotli, 0),
    // What the server sent (bodies as encoded, brotli here), headers aside.
    total_served: files.reduce((s, f) => s + f.served, 0),
    transferred: stats(loads.map((l) => l.transferred)),
    run_enabled_ms: stats(loads.map((l) => l.run_enabled_ms)),
    longest_task_ms: stats(loads.map((l) => l.longest_task_ms)),
    long_tasks: stats(loads.map((l) => l.long_tasks)),
    longest_task_after_ms: stats(loads.map((l) => l.longest_task_after_ms)),
    emulated,
  };
}

function originalMethod(scenario) {
  return python(['original_method.py', `${API}/v1`, scenario]);
}

/** Runs `bench/<script> args… --repeats N` and reads the JSON it prints. */
function python([script, ...args]) {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [join(ROOT, 'bench', script), ...args, '--repeats', String(REPEATS)], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (code) => resolve(code === 0 ? JSON.parse(out) : { error: `exit ${code}` }));
  });
}

// ---------- report ----------

const f = (x, d = 2) => (typeof x === 'number' ? x.toFixed(d) : String(x));
const cell = (s, d = 2) => `${f(s.median, d)} (${f(s.min, d)}–${f(s.max, d)})`;
const verdict = (ok) => (ok ? 'met' : 'MISSED');

function report(r) {
  const lines = [];
  const row = (...c) => lines.push(`| ${c.join(' | ')} |`);
  lines.push(`Fanout benchmark: ${REPEATS} repetitions after a warm-up; median (min–max).`);
  lines.push(`Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.browser}.`);
  lines.push('');
  row('scenario', 'figure', 'Fanout', 'original method (Python)', 'target', '');
  row('---', '---', '---', '---', '---', '---');
  for (const [key, name] of [['uniform', '1. six × 1000 ms'], ['mixed', '2. 300–1800 ms']]) {
    const s = r[key];
    const o = r[`${key}_original`] ?? {};
    const ideal = s.ideal_speedup;
    const t = key === 'uniform'
      ? { seq: s.sequential_overhead.median <= 1.02, par: s.parallel_overhead.median <= 1.05, sp: s.speedup.median >= 5.7 }
      : { sp: s.speedup.median >= 0.95 * ideal };
    row(name, 'sequential wall ms', cell(s.sequential_ms, 0), o.sequential_ms ? cell(o.sequential_ms, 0) : '–', '', '');
    row(name, 'parallel wall ms', cell(s.parallel_ms, 0), o.parallel_ms ? cell(o.parallel_ms, 0) : '–', '', '');
    row(name, 'sequential overhead (wall / sum of tasks)', cell(s.sequential_overhead, 3), o.sequential_overhead ? cell(o.sequential_overhead, 3) : '–', key === 'uniform' ? '≤ 1.02' : '', key === 'uniform' ? verdict(t.seq) : '');
    row(name, 'parallel overhead (wall / slowest task)', cell(s.parallel_overhead, 3), o.parallel_overhead ? cell(o.parallel_overhead, 3) : '–', key === 'uniform' ? '≤ 1.05' : '', key === 'uniform' ? verdict(t.par) : '');
    row(name, `speedup (ideal ${f(ideal)})`, cell(s.speedup), o.speedup ? cell(o.speedup) : '–', key === 'uniform' ? '≥ 5.7' : `≥ ${f(0.95 * ideal)}`, verdict(t.sp));
  }
  const st = r.streaming;
  row('3. six streams, 400 tokens at 200/s', 'longest main-thread task ms', cell(st.longest_task_ms, 0), '', '≤ 50', verdict(st.longest_task_ms.median <= 50));
  row('3.', 'long tasks (> 50 ms)', cell(st.long_tasks, 0), '', '0', verdict(st.long_tasks.median === 0));
  row('3.', 'longest gap between frames ms', cell(st.longest_frame_gap_ms, 0), '', '≤ 50', verdict(st.longest_frame_gap_ms.median <= 50));
  row('3.', 'last byte to text on screen ms', cell(st.last_byte_to_screen_ms, 1), '', '≤ 20', verdict(st.last_byte_to_screen_ms.median <= 20));
  for (const [proto, b] of [['HTTP/1.1', r.batch_http1], ['HTTP/2', r.batch_http2]]) {
    for (const k of [6, 12, 24]) {
      const x = b[`k${k}`];
      const target = proto === 'HTTP/2' ? '≤ 1.10' : '';
      row(`4. 20 docs × 6 tasks, ${proto} (${b.protocols.join(', ') || '?'}), K = ${k}`, `wall ms (ideal ${x.ideal_ms}) / wall ÷ ideal / mean in flight`,
        `${cell(x.wall_ms, 0)} / ${cell(x.wall_over_ideal)} / ${cell(x.mean_in_flight, 1)}${x.failed.max > 0 ? ` / failed: ${cell(x.failed, 0)}` : ''}`, '', target,
        target ? verdict(x.wall_over_ideal.median <= 1.10) : '');
      const py = proto === 'HTTP/2' ? r.batch_http2_python?.[`k${k}`] : undefined;
      if (py) {
        row(`4. HTTP/2, K = ${k}, Python client (bench/h2_client.py, no browser)`, 'wall ms / wall ÷ ideal', '', `${cell(py.wall_ms, 0)} / ${cell(py.wall_over_ideal)}`, '', '');
      }
      const tr = x.trace;
      row(`4. ${proto}, K = ${k}`, 'trace ms: per request queued in browser / sent → first byte / body / total (p90, max) / response end → next start; network span / wall outside it',
        `${[tr.browser_queue_ms, tr.to_first_byte_ms, tr.body_ms].map((v) => cell(v, 0)).join(' / ')} / ${cell(tr.request_total_ms, 0)} (${f(tr.request_p90_ms.median, 0)}, ${f(tr.request_max_ms.median, 0)}) / ${cell(tr.end_to_next_start_ms, 0)}; ${cell(tr.network_span_ms, 0)} / ${cell(tr.page_outside_span_ms, 0)}`, '', '', '');
    }
  }
  const rc = r.race;
  if (rc) {
    row('6. race, 300 ms and 900 ms endpoints', 'race wall ms / slower endpoint alone ms', `${cell(rc.race_ms, 0)} / ${cell(rc.slower_alone_ms, 0)}`, '', '', '');
    row('6.', 'each endpoint in the race ms (900 / 300)', `${cell(rc.slower_in_race_ms, 0)} / ${cell(rc.faster_in_race_ms, 0)}`, '', '', '');
    row('6.', 'race wall ÷ slower endpoint\'s own parallel wall', cell(rc.race_over_slower_alone, 3), '', '≤ 1.02', verdict(rc.race_over_slower_alone.median <= 1.02));
  }
  const sp = r.split;
  if (sp) {
    row('7. one long task (answer as long as its 400-word input) + five short, HTTP/2', 'parallel wall ms, unsplit / split (auto)', `${cell(sp.unsplit_ms, 0)} / ${cell(sp.split_ms, 0)}`, '', '', '');
    row('7.', `split ÷ unsplit wall (long task in ${sp.parts} requests)`, cell(sp.split_over_unsplit, 3), '', '', '');
  }
  const pt = r.page_time;
  if (pt) {
    for (const tokens of Object.keys(pt)) {
      const x = pt[tokens];
      const target = tokens === '40' ? 5 : 10;
      row(`10. six streams, 1000 ms + ${tokens} tokens`, 'last byte → task done ms, median / p90; floor: a blank page with fetch + Promise.all', `${cell(x.page.last_byte_to_done_ms, 1)} / ${cell(x.page.last_byte_to_done_p90_ms, 1)}; floor ${cell(x.floor.last_byte_to_done_ms, 1)}`, '', `≤ ${target}`, verdict(x.page.last_byte_to_done_ms.median <= target));
      row('10.', 'first → last request started ms; floor', `${cell(x.page.sends_spread_ms, 1)}; floor ${cell(x.floor.sends_spread_ms, 1)}`, '', '', '');
      row('10.', 'wall ÷ network span; floor', `${cell(x.page.wall_over_network_span, 3)}; floor ${cell(x.floor.wall_over_network_span, 3)}`, '', '≤ 1.01', verdict(x.page.wall_over_network_span.median <= 1.01));
    }
  }
  const bs = r.batch_scale;
  if (bs) {
    const sizes = Object.keys(bs).map(Number).sort((a, b) => a - b);
    for (const n of sizes) {
      const x = bs[n];
      row(`9. batch of ${n} documents × 1 task, K = 6, 50 ms`, 'open ms (longest task) / requests/s / longest tasks in the run ms / heap MB before → after / export ms (longest task)',
        `${f(x.open_ms, 0)} (${f(x.open_longest_task_ms, 0)}) / ${f(x.requests_per_s, 1)} / ${x.run_longest_tasks_ms.map((v) => f(v, 0)).join(', ') || 'none'} / ${f(x.heap_before_mb, 1)} → ${f(x.heap_after_mb, 1)} / ${f(x.export_ms, 0)} (${f(x.export_longest_task_ms, 0)})`, '', '', '');
    }
    const lo = bs[sizes[0]], hi = bs[sizes[sizes.length - 1]];
    row('9.', `requests/s at ${sizes[sizes.length - 1]} ÷ at ${sizes[0]}`, f(hi.requests_per_s / lo.requests_per_s, 3), '', '≥ 0.90', verdict(hi.requests_per_s / lo.requests_per_s >= 0.9));
  }
  const ln = r.lanes;
  if (ln) {
    row('11. 20 docs × 6 tasks (300 ms), K = 24, one server: 4 lanes / 1 lane', `wall ms (ideal ${ln.ideal_four_ms} / ${ln.ideal_one_ms})`, `${cell(ln.four_lanes_ms, 0)} / ${cell(ln.one_lane_ms, 0)}`, '', '', '');
    row('11.', 'one lane ÷ four lanes wall', cell(ln.one_over_four), '', '', '');
  }
  const pl = r.pool;
  if (pl) {
    row('12. 20 docs × 6 tasks over a pool of 3 servers, each 4 at once, ~500 ms a request', `wall ms (ideal ${pl.ideal_ms}) / mean in flight / answers per member (last run)`, `${cell(pl.wall_ms, 0)} / ${cell(pl.mean_in_flight, 1)} / ${pl.last_run_per_member.join(', ')}`, '', '', '');
    row('12.', 'pool wall ÷ (jobs ÷ 12 × 0.5 s)', cell(pl.wall_over_ideal, 3), '', '≤ 1.10', verdict(pl.wall_over_ideal.median <= 1.10));
  }
  const hd = r.hidden;
  if (hd) {
    const parts = [['clean', 'every request answered'], ['rpm', 'at most 100 requests a minute (the last 20 wait)'], ['faults', '10 % 500s retried']];
    for (const [key, what] of parts) {
      const h = hd[key];
      row(`13. 20 docs × 6 tasks (300 ms), K = 6, ${what}: tab in front / hidden (throttled after 1 s)`, 'wall ms / hidden ÷ in front', `${cell(h.front_ms, 0)} / ${cell(h.hidden_ms, 0)} / ${cell(h.hidden_over_front, 3)}`, '', key === 'faults' ? '' : '≤ 1.10', key === 'faults' ? '' : verdict(h.hidden_over_front.median <= 1.1));
    }
  }
  const cp = r.capacity;
  if (cp) {
    row('8. capacity, server working on 4 at once (queue beyond), first token ≤ 700 ms', `K found in each search (${cp.ks.join(', ')}) / queueing named`, `${cell(cp.k, 0)} / ${cell(cp.queueing, 0)}`, '', '4 / 1', verdict(cp.ks.every((k) => k === 4)));
    row('8.', 'requests spent / steps / seconds per search', `${cell(cp.requests, 0)} / ${cell(cp.steps, 0)} / ${cell(cp.seconds, 1)}`, '', '', '');
  }
  const p = r.page;
  if (p) {
    row('5. page (served as make dist leaves it: brotli over TLS)', 'first load KB: raw / gzip -9 / brotli 11 / as served', `${f(p.total_raw / 1024, 1)} / ${f(p.total_gzip / 1024, 1)} / ${f(p.total_brotli / 1024, 1)} / ${f(p.total_served / 1024, 1)}`, '', 'gzip ≤ 450', verdict(p.total_gzip <= 450 * 1024));
    row('5.', 'navigation start to Run enabled ms', cell(p.run_enabled_ms, 0), '', '≤ 300', verdict(p.run_enabled_ms.median <= 300));
    row('5.', 'longest main-thread task before Run enabled ms (long tasks)', `${cell(p.longest_task_ms, 0)} (${cell(p.long_tasks, 0)})`, '', '≤ 50', verdict(p.longest_task_ms.median <= 50));
    row('5.', 'longest task in the 100 ms after Run enabled ms', cell(p.longest_task_after_ms, 0), '', '', '');
    const targets = { 'Slow 4G': 2800, '3G': 6500 };
    for (const [name, e] of Object.entries(p.emulated ?? {})) {
      row(`5. cold load, emulated ${name}${name === '3G' ? ' (CPU 4× slower)' : ''}`, 'navigation start to Run enabled ms / longest task ms', `${cell(e.run_enabled_ms, 0)} / ${cell(e.longest_task_ms, 0)}`, '', `≤ ${targets[name]}`, verdict(e.run_enabled_ms.median <= targets[name]));
    }
  }
  return lines.join('\n');
}

/** Scenario 6: a race of two endpoints (300 and 900 ms) against the slower one alone. */
async function race(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const slow = `http://127.0.0.1:${RACE_SLOW_PORT}`;
  await openApp(page, null, slow);
  await page.getByTestId('endpoint-add').click();
  await page.getByTestId('endpoint-2-base-url').fill(`http://127.0.0.1:${RACE_FAST_PORT}/v1`);
  await page.getByTestId('endpoint-2-model').fill('bench');
  await page.getByTestId('endpoint-2-key').fill('sk-bench-2');
  const rows = [];
  for (let i = 0; i <= REPEATS; i++) {
    const alone = (await runAndRead(page, 'parallel')).parallel[0].wall_ms;
    await page.getByTestId('mode-race').check();
    await page.getByTestId('run').click();
    await page.getByTestId('phase').filter({ hasText: 'Race over' }).waitFor({ timeout: 60_000 });
    const record = JSON.parse(await page.getByTestId('run-saved').getAttribute('data-record'));
    if (i === 0) continue; // warm-up repetition
    const [s, f] = record.runs.map((r) => r.metrics.wall_ms);
    rows.push({
      slower_alone_ms: alone, race_ms: record.race.wall_ms, slower_in_race_ms: s, faster_in_race_ms: f,
      race_over_slower_alone: record.race.wall_ms / alone,
    });
  }
  await context.close();
  return Object.fromEntries(Object.keys(rows[0]).map((k) => [k, stats(rows.map((r) => r[k]))]));
}

/** Scenario 7: one long task (its answer as long as its input) and five
 * short ones, parallel wall unsplit and with the long one split (auto). */
async function split(browser, importFile) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  // HTTP/2: no 6-connection cap, so the parts need not queue.
  await openApp(page, importFile, `https://127.0.0.1:${TLS_PORT}`);
  for (let i = 1; i <= 6; i++) await page.getByTestId(`select-split-${i}`).check();
  const para = (n) => Array.from({ length: 50 }, (_, w) => `word${n}x${w}`).join(' ') + '.';
  await page.getByTestId('input-text').fill(Array.from({ length: 8 }, (_, n) => para(n)).join('\n\n'));
  const walls = async (n) => {
    const out = [];
    for (let i = 0; i <= n; i++) {
      const w = (await runAndRead(page, 'parallel')).parallel[0].wall_ms;
      if (i > 0) out.push(w); // the first of each set warms up
    }
    return out;
  };
  const unsplit = await walls(REPEATS);
  // The long task's parts come back joined in order; "auto" picks their
  // number from the durations just measured.
  await page.getByTestId('task-options-split-1').click();
  await page.getByTestId('stitch-split-1').selectOption('concat');
  await page.getByTestId('split-split-1').fill('0');
  await page.getByTestId('split-split-1').dispatchEvent('change');
  const auto = await walls(REPEATS);
  const parts = Number(await page.getByTestId('task-split-1').getAttribute('data-requests'));
  await context.close();
  return {
    unsplit_ms: stats(unsplit), split_ms: stats(auto), parts,
    split_over_unsplit: stats(auto.map((w, i) => w / unsplit[i])),
  };
}

/** Scenario 8: capacity mode against a server working on 4 requests at
 * once (queueing the rest, 400 ms to a first token, ~500 ms a request),
 * first-token target 700 ms: the K found, the requests and time spent. */
async function capacity(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openApp(page, null, `http://127.0.0.1:${CAPACITY_PORT}`);
  for (const id of ['keywords', 'questions', 'translation', 'category']) {
    await page.getByTestId(`select-${id}`).uncheck();
  }
  await page.getByTestId('input-text').fill('slots=4 serve-ms=400\n\nA short review: the product works.');
  await page.getByTestId('mode-capacity').check();
  await page.getByTestId('capacity-ttft-ms').fill('700');
  await page.getByTestId('capacity-ttft-ms').dispatchEvent('change');
  const rows = [];
  for (let i = 0; i < REPEATS; i++) {
    // Each search its own queue on the server: a model name of its own.
    await page.getByTestId('model').fill(`bench-capacity-${i}`);
    const t0 = Date.now();
    await page.getByTestId('run').click();
    await page.getByTestId('phase').filter({ hasText: 'Finished.' }).waitFor({ timeout: 180_000 });
    const record = JSON.parse(await page.getByTestId('run-saved').getAttribute('data-record'));
    const c = record.capacity;
    rows.push({ k: c.k, requests: c.requests, steps: c.steps.length, seconds: (Date.now() - t0) / 1000,
      queueing: /queued on the server/.test(c.reason ?? '') ? 1 : 0 });
  }
  await context.close();
  return { ...Object.fromEntries(Object.keys(rows[0]).map((k) => [k, stats(rows.map((r) => r[k]))])), ks: rows.map((r) => r.k) };
}

/** Scenario 9: batches of N documents × 1 task (K = 6, the server answers
 * in 50 ms with 20 tokens): time to open the CSV, requests/s, the longest
 * main-thread tasks while opening and running, heap before and after, and
 * time to export the CSV. `sizes` defaults to 200, 1,000, 3,000, 10,000. */
async function batchScale(browser, importFile, sizes) {
  const out = {};
  const dir = mkdtempSync(join(tmpdir(), 'fanout-scale-'));
  for (const n of sizes) {
    const context = await browser.newContext({ acceptDownloads: true });
    await context.addInitScript(() => {
      window.__long = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration)))
        .observe({ type: 'longtask', buffered: true });
    });
    const page = await context.newPage();
    await openApp(page, importFile);
    await page.getByTestId('select-scale-1').check();
    const csv = join(dir, `docs-${n}.csv`);
    writeFileSync(csv, 'text\n' + Array.from({ length: n }, (_, i) => `"Benchmark document ${i + 1}: a short review of a product that works."`).join('\n') + '\n');
    await page.getByTestId('nav-batch').click();
    await page.getByTestId('batch-k').fill('6');
    await page.getByTestId('batch-k').dispatchEvent('change');
    const heap = () => page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
    const longest = () => page.evaluate(() => { const v = window.__long; window.__long = []; return v.length ? Math.max(...v) : 0; });
    await longest();
    const heapBefore = await heap();
    const t0 = Date.now();
    await page.getByTestId('batch-files').setInputFiles(csv);
    await page.getByTestId('batch-docs').locator('caption').filter({ hasText: `${n} documents` }).waitFor({ timeout: 120_000 });
    const openMs = Date.now() - t0;
    const openLong = await longest();
    await page.getByTestId('batch-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="batch-run"]').disabled);
    await page.waitForFunction(() => !document.querySelector('[data-testid="batch-run"]').disabled, null, { timeout: 1_200_000, polling: 500 });
    const f = JSON.parse(await page.getByTestId('batch-progress').getAttribute('data-figures'));
    const runLongAll = await page.evaluate(() => { const v = [...window.__long].sort((a, b) => b - a); window.__long = []; return v; });
    const heapAfter = await heap();
    const t1 = Date.now();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('batch-export-csv').click()]);
    await file.path();
    const exportMs = Date.now() - t1;
    const exportLong = await longest();
    out[n] = {
      open_ms: openMs, open_longest_task_ms: openLong, done: f.done, failed: f.failed,
      requests_per_s: (f.done + f.failed) / (f.elapsed_ms / 1000), run_longest_tasks_ms: runLongAll.slice(0, 5),
      heap_before_mb: heapBefore / 1e6, heap_after_mb: heapAfter / 1e6, export_ms: exportMs, export_longest_task_ms: exportLong,
    };
    console.error(`  ${n} documents: ${JSON.stringify(out[n])}`);
    await context.close();
  }
  return out;
}

/** Scenario 10: page time on top of the network. Six streamed requests at
 * once (1000 ms to the first token, then `tokens` tokens): each task's end
 * as the page stamped it against the last byte of its response (resource
 * timing's responseEnd, the same clock; tasks and responses paired in end
 * order), the run's wall ÷ the network span (first request started → last
 * response ended), and the floor: the same six requests from a blank page
 * with fetch + Promise.all, reading each body to its end. */
async function pageTime(browser, importFile) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openApp(page, importFile);
  const rows = [];
  for (let i = 0; i <= REPEATS; i++) {
    await page.evaluate(() => performance.clearResourceTimings());
    await page.getByTestId('mode-parallel').check();
    await page.getByTestId('run').click();
    await page.getByTestId('phase').filter({ hasText: 'Finished.' }).waitFor({ timeout: 60_000 });
    const record = JSON.parse(await page.getByTestId('run-saved').getAttribute('data-record'));
    const net = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/chat/completions'))
      .map((e) => ({ start: e.startTime, end: e.responseEnd })));
    const done = record.runs[0].tasks.map((t) => t.timing.done_ms).sort((a, b) => a - b);
    const ends = net.map((n) => n.end).sort((a, b) => a - b);
    const lags = done.map((d, k) => d - ends[k]);
    const span = Math.max(...ends) - Math.min(...net.map((n) => n.start));
    if (i > 0) rows.push({
      last_byte_to_done_ms: median(lags), last_byte_to_done_p90_ms: [...lags].sort((a, b) => a - b)[Math.ceil(0.9 * lags.length) - 1],
      last_task_after_last_byte_ms: Math.max(...done) - Math.max(...ends),
      wall_over_network_span: record.runs[0].metrics.wall_ms / span,
      // First request started → last request started (all six at once).
      sends_spread_ms: Math.max(...net.map((n) => n.start)) - Math.min(...net.map((n) => n.start)),
    });
  }
  // The floor: a blank page, six fetches, every body read to its end.
  const blank = await context.newPage();
  // A page of the site's origin with nothing on it (the server's 404 page).
  await blank.goto(`${SITE}no-such-page`);
  const systems = JSON.parse(readFileSync(importFile, 'utf8')).tasks.map((t) => t.system);
  const floor = [];
  for (let i = 0; i <= REPEATS; i++) {
    const f = await blank.evaluate(async ({ api, systems }) => {
      performance.clearResourceTimings();
      const t0 = performance.now();
      const read = async (system) => {
        const r = await fetch(`${api}/v1/chat/completions`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
          body: JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'system', content: system }, { role: 'user', content: 'Benchmark task' }] }),
        });
        const reader = r.body.getReader();
        while (!(await reader.read()).done) { /* to the last byte */ }
        return performance.now();
      };
      const done = (await Promise.all(systems.map(read))).sort((a, b) => a - b);
      const net = performance.getEntriesByType('resource').filter((e) => e.name.includes('/chat/completions'));
      const ends = net.map((e) => e.responseEnd).sort((a, b) => a - b);
      const lags = done.map((d, k) => d - ends[k]).sort((a, b) => a - b);
      const starts = net.map((e) => e.startTime);
      return {
        last_byte_to_done_ms: lags[Math.floor(lags.length / 2)],
        wall_over_network_span: (Math.max(...done) - t0) / (Math.max(...ends) - Math.min(...starts)),
        sends_spread_ms: Math.max(...starts) - Math.min(...starts),
      };
    }, { api: API, systems });
    if (i > 0) floor.push(f);
  }
  await context.close();
  const agg = (v) => Object.fromEntries(Object.keys(v[0]).map((k) => [k, stats(v.map((r) => r[k]))]));
  return { page: agg(rows), floor: agg(floor) };
}

// ---------- main ----------

async function main() {
  start('python3', ['-m', 'http.server', String(SITE_PORT), '--bind', '127.0.0.1', '--directory', join(ROOT, 'dist')], true);
  start(PYTHON, [join(ROOT, 'bench', 'server.py'), String(API_PORT), '--latency-ms', '1000']);
  const dir = mkdtempSync(join(tmpdir(), 'fanout-bench-'));
  // A self-signed certificate, made now, for the HTTP/2 (TLS) server.
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await new Promise((resolve, reject) => {
    const c = spawn('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error('openssl failed'))));
  });
  start(PYTHON, [join(ROOT, 'bench', 'server.py'), String(TLS_PORT), '--latency-ms', '1000', '--certfile', cert, '--keyfile', key], true);
  start(PYTHON, [join(ROOT, 'bench', 'server.py'), String(RACE_FAST_PORT), '--latency-ms', '300'], true);
  start(PYTHON, [join(ROOT, 'bench', 'server.py'), String(RACE_SLOW_PORT), '--latency-ms', '900'], true);
  await waitFor(`${SITE}index.html`);
  await waitFor(`http://127.0.0.1:${RACE_FAST_PORT}/health`);
  await waitFor(`http://127.0.0.1:${RACE_SLOW_PORT}/health`);
  await waitFor(`${API}/health`);
  await waitPort(TLS_PORT);
  const mixed = taskFile(dir, 'mixed', [300, 600, 900, 1200, 1500, 1800].map((ms) => `latency=${ms}`));
  const streams = taskFile(dir, 'stream', Array(6).fill('latency=200 tokens=400 rate=200'));

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const results = {
    date: new Date().toISOString(),
    repeats: REPEATS,
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', browser: `Chromium ${browser.version()}` },
  };
  if (want(1)) {
    console.error('scenario 1: six tasks, 1000 ms each…');
    results.uniform = await ratios(browser, null, 6);
    results.uniform_original = await originalMethod('uniform');
  }
  if (want(2)) {
    console.error('scenario 2: six tasks, 300 to 1800 ms…');
    results.mixed = await ratios(browser, mixed, 6300 / 1800);
    results.mixed_original = await originalMethod('mixed');
  }
  if (want(3)) {
    console.error('scenario 3: six streams…');
    results.streaming = await streaming(browser, streams);
  }
  if (want(4)) {
    console.error('scenario 4: batches over HTTP/1.1 and HTTP/2…');
    const quick = taskFile(dir, 'batch', Array(6).fill('latency=300'));
    results.batch_http1 = await batches(browser, API, quick);
    results.batch_http2 = await batches(browser, `https://127.0.0.1:${TLS_PORT}`, quick);
    // The same batch from a Python HTTP/2 client, no browser: the server's
    // and the machine's share of the time.
    results.batch_http2_python = await python(['h2_client.py', `https://127.0.0.1:${TLS_PORT}/v1`]);
  }
  if (want(5)) {
    console.error('scenario 5: page weight and start-up…');
    start('node', [join(ROOT, 'bench', 'static_server.mjs'), String(STATIC_PORT), join(ROOT, 'dist'), cert, key], true);
    await waitPort(STATIC_PORT);
    results.page = await pageLoad(browser, `https://127.0.0.1:${STATIC_PORT}/`);
  }
  if (want(6)) {
    console.error('scenario 6: a race of two endpoints…');
    results.race = await race(browser);
  }
  if (want(7)) {
    console.error('scenario 7: one long task split (auto)…');
    const long = taskFile(dir, 'split', ['latency=300 tokens=input rate=100', ...Array(5).fill('latency=300 tokens=30 rate=100')]);
    results.split = await split(browser, long);
  }
  if (want(8)) {
    console.error('scenario 8: capacity of a server working on 4 at once…');
    start(PYTHON, [join(ROOT, 'scripts', 'llmock_server.py'), String(CAPACITY_PORT)], true);
    await waitFor(`http://127.0.0.1:${CAPACITY_PORT}/health`);
    results.capacity = await capacity(browser);
  }
  if (want(10)) {
    console.error('scenario 10: page time on top of the network…');
    results.page_time = {};
    for (const tokens of [40, 200]) {
      const file = taskFile(dir, `pagetime${tokens}`, Array(6).fill(`latency=1000 tokens=${tokens} rate=400`));
      results.page_time[tokens] = await pageTime(browser, file);
    }
  }
  if (want(11)) {
    console.error('scenario 11: a batch over four lanes and over one…');
    start(PYTHON, [join(ROOT, 'scripts', 'llmock_server.py'), String(LANES_PORT), '--hosts', '127.0.0.1,127.0.0.2,127.0.0.3'], true);
    await waitFor(`http://127.0.0.1:${LANES_PORT}/health`);
    results.lanes = await lanes(browser);
  }
  if (want(12)) {
    console.error('scenario 12: a batch over a pool of three servers…');
    for (const port of POOL_PORTS) start(PYTHON, [join(ROOT, 'scripts', 'llmock_server.py'), String(port)], true);
    for (const port of POOL_PORTS) await waitFor(`http://127.0.0.1:${port}/health`);
    results.pool = await pool(browser);
  }
  if (want(13)) {
    console.error('scenario 13: a batch with its tab in front and hidden…');
    start(PYTHON, [join(ROOT, 'scripts', 'llmock_server.py'), String(HIDDEN_PORTS.clean)], true);
    start(PYTHON, [join(ROOT, 'scripts', 'llmock_server.py'), String(HIDDEN_PORTS.faults), '--chaos', '500=0.1', '--seed', '13'], true);
    for (const port of Object.values(HIDDEN_PORTS)) await waitFor(`http://127.0.0.1:${port}/health`);
    results.hidden = {
      clean: await hiddenTab(`http://127.0.0.1:${HIDDEN_PORTS.clean}`),
      rpm: await hiddenTab(`http://127.0.0.1:${HIDDEN_PORTS.clean}`, 100),
      faults: await hiddenTab(`http://127.0.0.1:${HIDDEN_PORTS.faults}`),
    };
  }
  if (want(9)) {
    console.error('scenario 9: batches of 200 to 10,000 documents…');
    const scale = taskFile(dir, 'scale', ['latency=50 tokens=20 rate=1000']);
    const sizes = arg('--sizes')?.split(',').map(Number) ?? [200, 1000, 3000, 10000];
    results.batch_scale = await batchScale(browser, scale, sizes);
  }
  await browser.close();

  if (ONLY) {
    // A partial run prints its figures and leaves the published results alone.
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const table = report(results);
  results.table = table;
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(table);
  console.log('\nWrote bench/results.json');
}

main().then(() => process.exit(0), (e) => {
  console.error(`The benchmark could not run: ${e.stack ?? e}`);
  process.exit(1);
});
