/**
 * The API answers the service worker keeps for offline reading (src/sw.ts), named once for
 * the worker and the page: which reads are kept, and the cache they are kept in.
 */
export const API_READS_CACHE = "api-reads";

// Tokens, the account, secret-token URLs and downloads are never kept on the device.
const NEVER_KEPT = [/^\/api\/auth\//, /^\/api\/calendar\//, /^\/api\/invitations\//, /^\/api\/export$/, /^\/api\/push\//];

export function isKeptRead(pathname: string): boolean {
  return pathname.startsWith("/api/") && !NEVER_KEPT.some((pattern) => pattern.test(pathname));
}

/** Deletes every kept answer: when a session ends, the next person on this device reads none of them. */
export async function forgetKeptReads(): Promise<void> {
  if (typeof caches === "undefined") return;
  await caches.delete(API_READS_CACHE);
}
