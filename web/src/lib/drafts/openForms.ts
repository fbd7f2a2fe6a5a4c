/**
 * The forms open right now, each able to say what it holds. When a session ends, every one
 * with something typed into it is kept as a draft of the user whose session it was.
 */
import { onSessionEnding } from "../session/sessionEnd";
import { saveDraft } from "./store";

/** What a form would keep now; null when there is nothing worth keeping (nothing typed). */
export type Snapshot = () => unknown;

const open = new Map<symbol, { key: string; snapshot: Snapshot }>();

export function registerOpenForm(key: string, snapshot: Snapshot): () => void {
  const id = Symbol(key);
  open.set(id, { key, snapshot });
  return () => open.delete(id);
}

/** Keeps a draft of every open form that holds something; true when at least one was kept. */
export function keepOpenForms(userId: string): boolean {
  let kept = false;
  for (const { key, snapshot } of open.values()) {
    const value = snapshot();
    if (value === null || value === undefined) continue;
    saveDraft(userId, key, value);
    kept = true;
  }
  return kept;
}

onSessionEnding(keepOpenForms);
