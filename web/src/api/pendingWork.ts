/**
 * Work the app has promised but not yet sent (a delete waiting for its undo window).
 * Logging out sends it first, so nothing is lost or sent without a token.
 */
type Flush = () => Promise<void>;

const flushers = new Set<Flush>();

export function registerPendingWork(flush: Flush): () => void {
  flushers.add(flush);
  return () => flushers.delete(flush);
}

export async function flushPendingWork(): Promise<void> {
  await Promise.allSettled([...flushers].map((flush) => flush()));
}
