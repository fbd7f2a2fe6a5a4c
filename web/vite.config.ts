/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the SPA with hot reload and forwards /api to the local stack
// (`make dev`), so the refresh cookie stays first-party exactly as in production.
const apiTarget = process.env.API_PROXY_TARGET ?? "http://localhost:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // The real budget is gzipped: `npm run size` (run by `npm run build`) fails above 150 KB.
    chunkSizeWarningLimit: 450,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // Generous limits: the suite also runs on small shared CI machines, where a page that types
    // into a form with hundreds of options can take seconds. The tests wait for conditions, never sleep.
    testTimeout: 20_000,
    css: false,
    // Not UTC, so that local-time conversions are really exercised.
    env: { TZ: "America/New_York" },
  },
});
