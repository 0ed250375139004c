/**
 * End-to-end tests in Debian's Chromium (/usr/bin/chromium) with software
 * WebGL2 (SwiftShader). Playwright never downloads browsers here.
 *
 * Two projects:
 * - `isolated`: the app served with COOP/COEP (SharedArrayBuffer on): all specs.
 * - `no-isolation`: the same app without the headers, so the ArrayBuffer
 *   transfer fallback stays green: the smoke spec only.
 *
 * One worker: the machine has 2 cores and software rendering is CPU-bound.
 * Tests wait on the app's data-* state (src/ui/appState.ts), never on time.
 */
import { defineConfig } from '@playwright/test';

// E2E_PORT moves both servers (another run on the same machine uses the defaults).
const ISOLATED_PORT = Number(process.env['E2E_PORT'] ?? 5180);
const PLAIN_PORT = ISOLATED_PORT + 2;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Lets the teardown test read exact heap figures (performance.memory is bucketed otherwise).
  '--enable-precise-memory-info',
];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  globalSetup: './e2e/globalSetup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // Software WebGL is slow; these are ceilings for a hung run, not pacing.
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1600, height: 900 },
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'off',
    screenshot: 'off',
  },
  projects: [
    { name: 'isolated', use: { baseURL: `http://127.0.0.1:${ISOLATED_PORT}` }, testIgnore: '**/noIsolation.spec.ts' },
    { name: 'no-isolation', use: { baseURL: `http://127.0.0.1:${PLAIN_PORT}` }, testMatch: '**/noIsolation.spec.ts' },
  ],
  webServer: [
    {
      command: `npx vite --port ${ISOLATED_PORT} --strictPort`,
      url: `http://127.0.0.1:${ISOLATED_PORT}/`,
      env: { VITE_PORT: String(ISOLATED_PORT), VITE_E2E: '1' },
      reuseExistingServer: false,
      timeout: 120_000,
    },
    {
      command: `npx vite --port ${PLAIN_PORT} --strictPort`,
      url: `http://127.0.0.1:${PLAIN_PORT}/`,
      env: { VITE_PORT: String(PLAIN_PORT), VITE_E2E: '1', VITE_NO_COI: '1', VITE_CACHE_DIR: 'node_modules/.vite-no-coi' },
      reuseExistingServer: false,
      timeout: 120_000,
    },
  ],
});
