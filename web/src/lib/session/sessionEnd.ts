/**
 * The moment a session ends (the refresh was refused, the login was revoked, another tab
 * logged out, or this one did), told while the pages are still on screen: what listens
 * (the open forms' drafts) can keep what the user typed for their next login.
 */
type Listener = (userId: string) => boolean | void;

const listeners = new Set<Listener>();

/** `listener` returns true when it kept something for the user. */
export function onSessionEnding(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells every listener that `userId`'s session ends; true when one of them kept something. */
export function announceSessionEnding(userId: string): boolean {
  let kept = false;
  listeners.forEach((listener) => {
    try {
      if (listener(userId) === true) kept = true;
    } catch {
      // One listener failing keeps neither the others nor the logout from going ahead.
    }
  });
  return kept;
}
