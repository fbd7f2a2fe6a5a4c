/**
 * Who was logged in, kept on the device so that a reload while offline opens the app as
 * them, with the lists kept for reading offline (src/sw.ts), until the network is back and
 * the refresh cookie can renew the session. Nothing secret is kept: the tokens never are.
 * Ending the session forgets it. The changes queued offline (offlineWrites.ts) are theirs.
 */
import { forgetKeptReads } from "./offlineReads";
import { forgetQueuedWrites } from "./offlineWrites";

const KEY = "taskforge.offline-user";

export function rememberUser<T extends { id: string }>(user: T): void {
  try {
    // Another account on this device: what the last one read is not theirs to see offline, and
    // what the last one changed offline is not theirs to send.
    if (rememberedUser<{ id: string }>()?.id !== user.id) {
      void forgetKeptReads();
      forgetQueuedWrites();
    }
    localStorage.setItem(KEY, JSON.stringify(user));
  } catch {
    // Storage full or refused: the app simply does not open offline.
  }
}

export function rememberedUser<T>(): T | null {
  try {
    const stored = localStorage.getItem(KEY);
    return stored ? (JSON.parse(stored) as T) : null;
  } catch {
    return null;
  }
}

export function forgetUser(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}
