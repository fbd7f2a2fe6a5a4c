import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useOptionalAuth } from "../session/AuthProvider";
import { registerOpenForm, type Snapshot } from "./openForms";
import { readDraft, removeDraft, type Draft } from "./store";

/** The logged-in user's id, the owner of the drafts (null outside a session). */
export function useDraftOwner(): string | null {
  return useOptionalAuth()?.user?.id ?? null;
}

export interface RestoredDraft<T> {
  /** What the form held when the session ended, found when it opened; null when none. */
  restored: Draft<T> | null;
  /** Forgets the draft (after a save, or when the user cancels). */
  discard: () => void;
}

/**
 * The draft kept under `key` (no key: none) for this user, handed over once when the form
 * opens; it then leaves the storage, as the form holds it from then on.
 */
export function useRestoredDraft<T>(key: string | null | undefined): RestoredDraft<T> {
  const owner = useDraftOwner();
  const [restored] = useState<Draft<T> | null>(() => (owner && key ? readDraft<T>(owner, key) : null));

  useEffect(() => {
    if (restored && owner && key) removeDraft(owner, key);
  }, [restored, owner, key]);

  const discard = useCallback(() => {
    if (owner && key) removeDraft(owner, key);
  }, [owner, key]);

  return { restored, discard };
}

/**
 * While the form is open, what it holds is kept under `key` should the session end:
 * `snapshot` says what that is (null: nothing typed, nothing kept).
 */
export function useKeptIfSessionEnds<T>(key: string | null | undefined, snapshot: () => T | null): void {
  const latest = useRef<Snapshot>(snapshot);
  useLayoutEffect(() => {
    latest.current = snapshot;
  });
  useEffect(() => {
    if (!key) return;
    return registerOpenForm(key, () => latest.current());
  }, [key]);
}
