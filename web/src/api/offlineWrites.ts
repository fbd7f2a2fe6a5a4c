/**
 * The writes made while the API could not be reached, kept on the device until they are sent
 * (src/features/tasks/writeQueue.ts says what they are and sends them). In localStorage: a
 * small list, written synchronously (a page being closed can still add to it), and shared by
 * the app's tabs, which hear of each other's changes through the `storage` event.
 *
 * The queue belongs to the user who made it: it is read only for that user, and it is
 * forgotten when their session ends or another account logs in on this device, as the
 * answers kept for reading offline are.
 */
const KEY = "taskforge.write-queue";

interface Stored {
  owner: string;
  items: unknown[];
}

const listeners = new Set<() => void>();
let cached: { raw: string | null; stored: Stored | null } = { raw: null, stored: null };

function read(): Stored | null {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return null;
  }
  if (raw !== cached.raw) {
    let stored: Stored | null = null;
    try {
      const parsed = raw ? (JSON.parse(raw) as Stored) : null;
      if (parsed && typeof parsed.owner === "string" && Array.isArray(parsed.items)) stored = parsed;
    } catch {
      // unreadable: as good as empty
    }
    cached = { raw, stored };
  }
  return cached.stored;
}

const NONE: readonly never[] = Object.freeze([]);

/** `owner`'s queued writes, oldest first; the same array until the queue changes (for React). */
export function queuedWrites<T>(owner: string | null | undefined): readonly T[] {
  const stored = read();
  if (!owner || !stored || stored.owner !== owner) return NONE;
  return stored.items as T[];
}

/** Replaces `owner`'s queue (another user's queue, if one was kept, goes); false when storage refused it. */
export function saveQueuedWrites<T>(owner: string, items: readonly T[]): boolean {
  let saved = true;
  try {
    if (items.length === 0) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify({ owner, items }));
  } catch {
    saved = false; // storage full or refused
  }
  emit();
  return saved;
}

export function forgetQueuedWrites(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
  emit();
}

function emit(): void {
  listeners.forEach((listener) => listener());
}

/** Called when the queue changes, in this tab or another. */
export function subscribeQueuedWrites(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === KEY || event.key === null) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}
