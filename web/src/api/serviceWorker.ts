/**
 * Registers the service worker (src/sw.ts, built as /sw.js) in production builds, once the
 * page has loaded so it never competes with the first render. workbox-window is loaded only
 * then: it is no part of the initial JS.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    void import("workbox-window")
      .then(({ Workbox }) => new Workbox("/sw.js", { scope: "/" }).register())
      .catch(() => undefined); // no worker: the app still works online
  });
}
