import { defineConfig } from '@playwright/test';
import base, { SITE_PORT } from './playwright.config';

// `make test-local-model`: the six tasks against a real small model on this
// machine (scripts/local_model.mjs), found by "Find local servers".
export const LOCAL_MODEL_PORT = Number(process.env.FANOUT_LOCAL_MODEL_PORT ?? 8081);

export default defineConfig({
  ...base,
  testDir: './local-model',
  timeout: 240_000,
  webServer: [
    {
      command: `python3 -m http.server ${SITE_PORT} --bind 127.0.0.1 --directory ../dist`,
      url: `http://127.0.0.1:${SITE_PORT}/index.html`,
      reuseExistingServer: false,
      stderr: 'ignore',
    },
    {
      command: `node ../scripts/local_model.mjs --port ${LOCAL_MODEL_PORT}`,
      url: `http://127.0.0.1:${LOCAL_MODEL_PORT}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
});
