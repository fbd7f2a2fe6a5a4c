/**
 * Drafts of open forms, kept when a session ends so that the next login to the same account
 * gets them back. In sessionStorage (this tab only, gone when it closes), under one key per
 * user id: another account logging in on the same tab never reads them.
 */
const PREFIX = "taskforge.drafts.";

export interface Draft<T = unknown> {
  value: T;
  /** When it was kept (ISO). */
  savedAt: string;
}

type Drafts = Record<string, Draft>;

function storage(): Storage | null {
  try {
    return typeof window !== "undefined" ? window.sessionStorage : null;
  } catch {
    return null; // storage disabled
  }
}

function read(userId: string): Drafts {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(PREFIX + userId) ?? "{}");
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Drafts) : {};
  } catch {
    return {}; // garbled: nothing to restore
  }
}

function write(userId: string, drafts: Drafts): void {
  const store = storage();
  if (!store) return;
  try {
    if (Object.keys(drafts).length === 0) store.removeItem(PREFIX + userId);
    else store.setItem(PREFIX + userId, JSON.stringify(drafts));
  } catch {
    // Storage full or disabled: the draft is lost, as it would have been without this.
  }
}

export function saveDraft(userId: string, key: string, value: unknown, now = new Date()): void {
  write(userId, { ...read(userId), [key]: { value, savedAt: now.toISOString() } });
}

export function readDraft<T>(userId: string, key: string): Draft<T> | null {
  const draft = read(userId)[key];
  return draft && typeof draft === "object" && "value" in draft ? (draft as Draft<T>) : null;
}

export function hasDraft(userId: string | null | undefined, key: string | null | undefined): boolean {
  return Boolean(userId && key && readDraft(userId, key));
}

export function removeDraft(userId: string, key: string): void {
  const drafts = read(userId);
  if (!(key in drafts)) return;
  delete drafts[key];
  write(userId, drafts);
}

/** The keys of the user's drafts that start with `prefix`, oldest first. */
export function draftKeys(userId: string | null | undefined, prefix = ""): string[] {
  if (!userId) return [];
  return Object.entries(read(userId))
    .filter(([key]) => key.startsWith(prefix))
    .sort(([, a], [, b]) => String(a.savedAt).localeCompare(String(b.savedAt)))
    .map(([key]) => key);
}

/** For tests. */
export function forgetAllDrafts(): void {
  const store = storage();
  if (!store) return;
  for (const key of Object.keys(store)) if (key.startsWith(PREFIX)) store.removeItem(key);
}
