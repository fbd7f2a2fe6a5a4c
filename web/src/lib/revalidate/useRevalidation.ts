import { useEffect, useRef } from "react";
import { api } from "../../api/client";
import { revalidation, type Subscription, type Trigger } from "./scheduler";

let announcing = false;

/**
 * Every change this tab makes (a write the server accepted, other than the session's own
 * calls) is news for the other tabs of this browser: they read their lists again.
 */
export function announceLocalChanges(): void {
  if (announcing) return;
  announcing = true;
  api.interceptors.response.use((response) => {
    const method = (response.config.method ?? "get").toLowerCase();
    const url = response.config.url ?? "";
    if (!["get", "head", "options"].includes(method) && !url.startsWith("/auth/")) revalidation().announce();
    return response;
  });
}

// Whoever shows a list that revalidates also tells the other tabs about its own changes.
announceLocalChanges();

/**
 * Calls `onRevalidate` when what is on screen should be read again (focus, visibility, a change
 * in another tab) and, with `poll`, every 15 s while the page is visible.
 */
export function useRevalidation(
  onRevalidate: (trigger: Trigger) => void,
  { poll = false, enabled = true }: { poll?: boolean; enabled?: boolean } = {},
): void {
  const latest = useRef(onRevalidate);
  useEffect(() => {
    latest.current = onRevalidate;
  });
  const subscription = useRef<Subscription | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const current = revalidation().subscribe((trigger) => latest.current(trigger));
    subscription.current = current;
    return () => {
      current.unsubscribe();
      subscription.current = null;
    };
  }, [enabled]);

  useEffect(() => {
    subscription.current?.setPolling(poll);
  }, [poll, enabled]);
}

export type { Trigger };
