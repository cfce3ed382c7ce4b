import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make screenshots`: the README's pictures, taken from the built site in
// demo mode (no server needed beyond the static one).
export default defineConfig({
  ...base,
  testDir: './screenshots',
  webServer: Array.isArray(base.webServer) ? base.webServer.slice(0, 1) : base.webServer,
});
