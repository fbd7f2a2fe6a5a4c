/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

// `npm run dev` serves the SPA with hot reload and forwards /api to the local stack
// (`make dev`), so the refresh cookie stays first-party exactly as in production.
const apiTarget = process.env.API_PROXY_TARGET ?? "http://localhost:8000";

export default defineConfig({
  plugins: [
    react(),
    // Our own worker (src/sw.ts) gets the build's file list injected; src/api/serviceWorker.ts registers it.
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false,
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
        // A lazy page's chunk is fetched when opened, and precached for the next time offline.
        maximumFileSizeToCacheInBytes: 1024 * 1024,
      },
      includeAssets: ["favicon.svg", "icons/apple-touch-icon.png"],
      manifest: {
        name: "TaskForge",
        short_name: "TaskForge",
        description: "Tasks, shared workspaces and reminders",
        start_url: "/",
        scope: "/",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#0d6efd",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
    }),
  ],
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
