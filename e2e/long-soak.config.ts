import { defineConfig } from '@playwright/test';
import base, { CHAOS_PORT, SITE_PORT } from './playwright.config';

// `make soak-long`: 10,000 batch requests against a server failing at
// random, with a reload in the middle (not in `make test`: it takes longer
// than the whole suite's budget allows).
export default defineConfig({
  ...base,
  testDir: './long-soak',
  timeout: 1_800_000,
  webServer: [
    {
      command: `python3 -m http.server ${SITE_PORT} --bind 127.0.0.1 --directory ../dist`,
      url: `http://127.0.0.1:${SITE_PORT}/index.html`,
      reuseExistingServer: false,
      stderr: 'ignore',
    },
    {
      command: `../.venv/bin/python ../scripts/llmock_server.py ${CHAOS_PORT} --chunk-delay-ms 5 --chaos 500=0.03,429=0.01,cut=0.01,stall=0.005 --stall-ms 6000 --seed 11`,
      url: `http://127.0.0.1:${CHAOS_PORT}/health`,
      reuseExistingServer: false,
      stderr: 'ignore',
    },
  ],
});
