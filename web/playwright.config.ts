import { defineConfig } from "@playwright/test";
import { existsSync } from "node:fs";

// End-to-end tests run against a running stack (the API serving the built SPA):
//   npm run build && (cd .. && PORT=8000 ACCESS_TOKEN_TTL_SECONDS=30 .venv/bin/python -m functions.devserver)
//   E2E_BASE_URL=http://localhost:8000 npm run e2e
// No browser is downloaded: Playwright drives the system Chromium (CHROMIUM_PATH, or
// Debian's /usr/bin/chromium); without either it falls back to a browser installed with
// `npx playwright install chromium`.
const baseURL = process.env.E2E_BASE_URL ?? "http://localhost:8000";
const executablePath =
  process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "./e2e",
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"]],
  outputDir: "test-results/e2e",
  use: {
    baseURL,
    // page.route cannot see what a service worker fetches: the specs that stub answers run
    // without one; offline.spec.ts and screenshots.spec.ts allow it.
    serviceWorkers: "block",
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    locale: "en-GB",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    },
  },
});
