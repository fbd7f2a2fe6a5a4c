/**
 * ETags of the tasks this browser has read or written, so that edits are conditional
 * (If-Match) and a change made elsewhere meanwhile is refused with 412, not overwritten.
 * One store for every call that reads or changes a task: the task's own, its tags' and
 * its checklist's.
 */
const etags = new Map<string, string>();

export function etagOf(taskId: string): string | undefined {
  return etags.get(taskId);
}

/** Keeps the ETag an answer carried for the task (nothing when it carried none). */
export function rememberEtag(taskId: string, etag: unknown): void {
  if (typeof etag === "string" && etag) etags.set(taskId, etag);
}

export function forgetEtag(taskId: string): void {
  etags.delete(taskId);
}

export function forgetEtags(): void {
  etags.clear();
}

/** The If-Match header for a change to the task: empty when its ETag is not known. */
export function ifMatch(taskId: string): Record<string, string> {
  const etag = etags.get(taskId);
  return etag ? { "If-Match": etag } : {};
}
