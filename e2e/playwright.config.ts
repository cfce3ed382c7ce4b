import { defineConfig } from '@playwright/test';

// Ports of the two local servers the tests start: the built site (dist/)
// and llmock, the OpenAI-compatible test server with CORS.
export const SITE_PORT = Number(process.env.FANOUT_SITE_PORT ?? 8181);
export const API_PORT = Number(process.env.FANOUT_API_PORT ?? 8190);
// A second llmock for the soak test, failing at random (seeded).
export const CHAOS_PORT = Number(process.env.FANOUT_CHAOS_PORT ?? 8191);
// A third llmock, the second endpoint of the race tests.
export const RACE_PORT = Number(process.env.FANOUT_RACE_PORT ?? 8192);
// A llmock listening on several loopback addresses (one server, many names:
// lanes), and the first of three ports the pool tests start servers on.
export const LANES_PORT = Number(process.env.FANOUT_LANES_PORT ?? 8193);
export const LANES_HOSTS = '127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,::1';
export const POOL_PORT = Number(process.env.FANOUT_POOL_PORT ?? 8194);

export default defineConfig({
  testDir: './tests',
  // One llmock serves every test; tests scope their scripted faults by model
  // name, but stay serial so timings on a 2-core machine stay meaningful.
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${SITE_PORT}/`,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `python3 -m http.server ${SITE_PORT} --bind 127.0.0.1 --directory ../dist`,
      url: `http://127.0.0.1:${SITE_PORT}/index.html`,
      reuseExistingServer: false,
      stderr: 'ignore',
    },
    {
      // Chunks 15 ms apart, as a real stream: a browser drops chunks still
      // queued when a connection errors, so an unpaced cut would lose them all.
      command: `../.venv/bin/python ../scripts/llmock_server.py ${API_PORT} --chunk-delay-ms 15`,
      url: `http://127.0.0.1:${API_PORT}/health`,
      reuseExistingServer: false,
    },
    {
      command: `../.venv/bin/python ../scripts/llmock_server.py ${RACE_PORT} --chunk-delay-ms 15`,
      url: `http://127.0.0.1:${RACE_PORT}/health`,
      reuseExistingServer: false,
    },
    {
      command: `../.venv/bin/python ../scripts/llmock_server.py ${LANES_PORT} --hosts ${LANES_HOSTS}`,
      url: `http://127.0.0.1:${LANES_PORT}/health`,
      reuseExistingServer: false,
    },
    {
      command: `../.venv/bin/python ../scripts/llmock_server.py ${CHAOS_PORT} --chunk-delay-ms 5 --chaos 500=0.05,429=0.02,cut=0.01 --seed 7`,
      url: `http://127.0.0.1:${CHAOS_PORT}/health`,
      reuseExistingServer: false,
      // A cut stream is an exception by design; keep its traceback out of the log.
      stderr: 'ignore',
    },
  ],
});
