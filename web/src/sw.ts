/// <reference lib="webworker" />
/**
 * The service worker: the app shell offline, the last lists read offline, and Web Push.
 *
 * - The build's files (the precache manifest vite-plugin-pwa injects) are served from the
 *   cache; a navigation to any client-side route gets index.html, so a reload offline opens
 *   the app. A new build's worker replaces the old at once and drops its outdated caches.
 * - GET /api/* reads go to the network first and fall back to the last answer kept, so a
 *   reload offline shows the lists read before. Never kept: the auth endpoints (tokens,
 *   the account), secret-token URLs (calendar feed, invitations), exports (downloads) and
 *   anything but a 200. The app deletes the kept answers when its session ends.
 * - A push message `{title, body, url, tag}` becomes a notification; clicking it focuses a
 *   window of the app already open (moved to `url`) or opens one.
 */
import { ExpirationPlugin } from "workbox-expiration";
import { CacheableResponsePlugin } from "workbox-cacheable-response";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { NetworkFirst } from "workbox-strategies";
import { API_READS_CACHE, isKeptRead } from "./api/offlineReads";

declare let self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
void self.skipWaiting();
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    // Served by the API or the stack itself, never by the app.
    denylist: [/^\/api\//, /^\/health$/, /^\/ready$/, /^\/__/],
  }),
);

registerRoute(
  ({ request, url }) => request.method === "GET" && url.origin === self.location.origin && isKeptRead(url.pathname),
  new NetworkFirst({
    cacheName: API_READS_CACHE,
    networkTimeoutSeconds: 10,
    // Kept answers were read with the Authorization of their time; a reload offline has none yet.
    matchOptions: { ignoreVary: true },
    plugins: [
      new CacheableResponsePlugin({ statuses: [200] }),
      new ExpirationPlugin({ maxEntries: 300, maxAgeSeconds: 14 * 24 * 3600 }),
    ],
  }),
);

interface PushMessage {
  title?: unknown;
  body?: unknown;
  url?: unknown;
  tag?: unknown;
}

self.addEventListener("push", (event) => {
  let message: PushMessage = {};
  try {
    message = (event.data?.json() ?? {}) as PushMessage;
  } catch {
    message = { body: event.data?.text() };
  }
  const title = typeof message.title === "string" && message.title ? message.title : "TaskForge";
  const url = typeof message.url === "string" && message.url.startsWith("/") ? message.url : "/";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof message.body === "string" ? message.body : undefined,
      tag: typeof message.tag === "string" ? message.tag : undefined,
      icon: "/icons/icon-192.png",
      data: { url },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: string } | undefined;
  const target = new URL(data?.url ?? "/", self.location.origin).href;
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const mine = open.find((client) => new URL(client.url).origin === self.location.origin);
      if (mine) {
        await mine.focus();
        if (mine.url !== target) await mine.navigate(target);
        return;
      }
      await self.clients.openWindow(target);
    })(),
  );
});
