// Where the page's start-up time goes: a CPU profile (DevTools Protocol,
// 100 µs sampling) from navigation to Run enabled, of a copy of dist/ whose
// wasm keeps its function names (the release build before wasm-opt, bound by
// wasm-bindgen with --keep-debug). Prints the longest tasks and the functions
// with the most self and total time within the longest one.
//
//   make profile   (or, after make dist: node bench/profile.mjs [--top 40] [--loads 3])
//
// With --run TOKENS it profiles the end of a parallel run instead: six
// streamed tasks against the benchmark server (1000 ms to the first token,
// then TOKENS tokens at 400/s), the last 200 ms of main-thread work.
//
// The named build is larger and a little slower than the served one, so
// read proportions from it, not absolute times; `make bench` times the real
// page.
import { createRequire } from 'node:module';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'e2e', 'package.json'));
const { chromium } = require('@playwright/test');
const arg = (name, d) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : d);
const TOP = Number(arg('--top', 40));
const LOADS = Number(arg('--loads', 3));
const PORT = 8296;
const API_PORT = 8298;
const RUN = arg('--run');

// dist/ with the page's wasm and glue replaced by a named build.
const site = mkdtempSync(join(tmpdir(), 'fanout-profile-'));
cpSync(join(ROOT, 'dist'), site, { recursive: true });
const glue = readdirSync(site).find((f) => /^fanout-.*\.js$/.test(f));
if (!glue) throw new Error('no dist/fanout-*.js: run `make dist` first');
const out = mkdtempSync(join(tmpdir(), 'fanout-named-'));
process.on('exit', () => [site, out].forEach((d) => rmSync(d, { recursive: true, force: true })));
execFileSync('wasm-bindgen', ['--target', 'web', '--keep-debug', '--no-typescript', '--out-dir', out,
  '--out-name', glue.replace(/\.js$/, ''), join(ROOT, 'target', 'wasm32-unknown-unknown', 'release', 'fanout.wasm')]);
for (const f of readdirSync(out)) cpSync(join(out, f), join(site, f));
// The served files' integrity hashes no longer match the named copies.
const index = join(site, 'index.html');
writeFileSync(index, readFileSync(index, 'utf8').replace(/ integrity="[^"]*"/g, ''));

const server = spawn('python3', ['-m', 'http.server', String(PORT), '--bind', '127.0.0.1', '--directory', site], { stdio: 'ignore' });
process.on('exit', () => server.kill());
for (let i = 0; i < 100; i++) {
  try { if ((await fetch(`http://127.0.0.1:${PORT}/index.html`)).ok) break; } catch { /* not up yet */ }
  await new Promise((r) => setTimeout(r, 100));
}

let tasksFile;
if (RUN) {
  const api = spawn(join(ROOT, '.venv', 'bin', 'python'), [join(ROOT, 'bench', 'server.py'), String(API_PORT), '--latency-ms', '1000'], { stdio: 'ignore' });
  process.on('exit', () => api.kill());
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${API_PORT}/health`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  tasksFile = join(site, 'profile-tasks.json');
  writeFileSync(tasksFile, JSON.stringify({ format: 'fanout-tasks', version: 1, tasks: Array.from({ length: 6 }, (_, i) => ({
    id: `p${i}`, label: `stream ${i + 1}`, system: `latency=1000 tokens=${RUN} rate=400`, prompt: 'Profile task {text}', max_tokens: 1000,
  })) }));
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const self = new Map();
const total = new Map();
const longest = [];
for (let load = 0; load < LOADS; load++) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push([e.startTime, e.duration])))
      .observe({ type: 'longtask', buffered: true });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  let profile;
  if (!RUN) {
    await cdp.send('Profiler.start');
    await page.goto(`http://127.0.0.1:${PORT}/`);
    await page.waitForFunction(() => { const b = document.querySelector('[data-testid="run"]'); return b && !b.disabled; });
    await page.waitForTimeout(300);
    ({ profile } = await cdp.send('Profiler.stop'));
  } else {
    await page.goto(`http://127.0.0.1:${PORT}/`);
    if ((await page.getByTestId('settings-open').getAttribute('aria-expanded')) !== 'true') await page.getByTestId('settings-open').click();
    await page.getByTestId('api-key').fill('sk-profile');
    await page.getByTestId('base-url').fill(`http://127.0.0.1:${API_PORT}/v1`);
    await page.getByTestId('model').fill('profile');
    await page.getByTestId('import-tasks').setInputFiles(tasksFile);
    await page.getByTestId('tasks-status').waitFor();
    for (const id of ['summary', 'sentiment', 'keywords', 'questions', 'translation', 'category']) await page.getByTestId(`select-${id}`).uncheck();
    await page.getByTestId('mode-parallel').check();
    for (let warm = 0; warm < 2; warm++) {
      if (warm === 1) await cdp.send('Profiler.start');
      await page.getByTestId('run').click();
      await page.getByTestId('phase').filter({ hasText: 'Finished.' }).waitFor({ timeout: 60_000 });
    }
    ({ profile } = await cdp.send('Profiler.stop'));
    await page.evaluate(() => { window.__long = [[0, 200]]; });
  }
  const tasks = await page.evaluate(() => window.__long);
  await context.close();
  tasks.sort((a, b) => b[1] - a[1]);
  longest.push(tasks.map(([, d]) => Math.round(d)));
  if (!tasks.length) continue;
  // The samples of the longest task: the window of its length holding the
  // most busy samples (the profiler's clock is not the page's, so the task
  // is found by its length rather than its start).
  const tDur = tasks[0][1];
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => n.callFrame.functionName || `(${n.callFrame.url.split('/').pop() || 'anonymous'})`;
  const busy = (id) => !['(idle)', '(program)'].includes(nodes.get(id).callFrame.functionName);
  const times = [];
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) { t += profile.timeDeltas[i]; times.push(t); }
  let best = [0, 0, -1];
  if (RUN) {
    // The run's end: the last sample of the app's own code, and 200 ms before it.
    const ours = (id) => { for (let n = id; n !== undefined; n = parent.get(n)) if (name(nodes.get(n)).startsWith('fanout::')) return true; return false; };
    let last = times.length - 1;
    while (last > 0 && !ours(profile.samples[last])) last--;
    let first = last;
    while (first > 0 && times[last] - times[first - 1] <= 200_000) first--;
    best = [0, first, last];
  } else {
    let j = 0;
    let inWindow = 0;
    for (let i = 0; i < times.length; i++) {
      if (busy(profile.samples[i])) inWindow++;
      while (times[i] - times[j] > tDur * 1000) { if (busy(profile.samples[j])) inWindow--; j++; }
      if (inWindow > best[0]) best = [inWindow, j, i];
    }
  }
  console.error(`load ${load}: longest task ${tDur.toFixed(0)} ms, window ${((times[best[2]] - times[best[1]]) / 1000).toFixed(1)} ms, ${best[2] - best[1] + 1} samples`);
  for (let k = best[1]; k <= best[2]; k++) {
    const id = profile.samples[k];
    const dt = (profile.timeDeltas[k + 1] ?? profile.timeDeltas[k]) / 1000;
    const leaf = name(nodes.get(id));
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const nm = name(nodes.get(n));
      if (seen.has(nm)) continue;
      seen.add(nm);
      total.set(nm, (total.get(nm) ?? 0) + dt);
    }
  }
}
await browser.close();
const show = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)
  .map(([n, ms]) => `${(ms / LOADS).toFixed(1).padStart(7)} ms  ${n.slice(0, 140)}`).join('\n');
console.log(`long tasks per load (ms): ${JSON.stringify(longest)}`);
console.log(`\nself time in the longest task, mean per load:\n${show(self)}`);
console.log(`\ntotal time (with callees) in the longest task, mean per load:\n${show(total)}`);
// Components' own set-up (their DOM is built later, in their parent's build).
const ours = new Map([...total].filter(([n]) => n.startsWith('fanout::')));
console.log(`\nthe app's functions, total time in the longest task, mean per load:\n${show(ours)}`);
process.exit(0);
