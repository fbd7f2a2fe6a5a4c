import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { dialogOpen, isShortcut } from "./keyboard";

export interface ListKeyActions<T> {
  /** x */
  complete?: (item: T) => void;
  /** e */
  edit?: (item: T) => void;
  /** #; `false` when this row cannot be deleted (a viewer's), so the selection stays on it. */
  remove?: (item: T) => void | boolean;
}

export type ListAction = keyof ListKeyActions<unknown>;

/** What the list on screen does with its keys, for the "?" dialog: null on a page without one. */
export interface ListKeysInUse {
  actions: readonly ListAction[];
  /** What e does here, when it is not the usual edit (a view opens the task's page instead). */
  editHelp?: string;
}

const ACTIONS: readonly ListAction[] = ["complete", "edit", "remove"];
let inUse: ListKeysInUse | null = null;
const listeners = new Set<() => void>();

function setInUse(next: ListKeysInUse | null): void {
  inUse = next;
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The keys the list on screen answers, or null: the "?" dialog lists only what works here. */
export function useListKeysInUse(): ListKeysInUse | null {
  return useSyncExternalStore(subscribe, () => inUse);
}

/**
 * j / k move a selection through a list's rows, and x, e and # act on the selected row. The
 * selected row takes the focus (its ring shows which it is, and a screen reader reads it) and a
 * polite live region says which of how many it is. Rows carry `data-row-id` and tabIndex -1.
 */
export function useListKeys<T extends { id: string; title: string }>(
  items: T[],
  actions: ListKeyActions<T>,
  enabled = true,
  editHelp?: string,
) {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const latest = useRef({ items, actions, selectedId });
  useEffect(() => {
    latest.current = { items, actions, selectedId };
  });

  // The actions are new functions on every render; which of them there are is what counts.
  const available = ACTIONS.filter((action) => actions[action]).join(" ");
  useEffect(() => {
    if (!enabled) return;
    setInUse({ actions: available ? (available.split(" ") as ListAction[]) : [], editHelp });
    return () => setInUse(null);
  }, [enabled, available, editHelp]);

  const select = useCallback((item: T | undefined, index: number, total: number) => {
    if (!item) return;
    setSelectedId(item.id);
    setAnnouncement(`${item.title}, ${index + 1} of ${total}`);
    const row = document.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(item.id)}"]`);
    row?.focus();
    row?.scrollIntoView?.({ block: "nearest" });
  }, []);

  useEffect(() => {
    if (!enabled) return;
    function onKey(event: KeyboardEvent) {
      if (!isShortcut(event) || dialogOpen()) return;
      const { items: rows, actions: act, selectedId: current } = latest.current;
      if (rows.length === 0) return;
      const index = rows.findIndex((row) => row.id === current);
      const selected = index >= 0 ? rows[index] : undefined;
      switch (event.key) {
        case "j":
          select(rows[Math.min(index + 1, rows.length - 1)], Math.min(index + 1, rows.length - 1), rows.length);
          break;
        case "k":
          select(rows[Math.max(index - 1, 0)], Math.max(index - 1, 0), rows.length);
          break;
        case "x":
          if (!selected || !act.complete) return;
          act.complete(selected);
          break;
        case "e":
          if (!selected || !act.edit) return;
          act.edit(selected);
          break;
        case "#":
          if (!selected || !act.remove) return;
          if (act.remove(selected) === false) break;
          // The next row (or the one before, at the end) takes the selection.
          select(rows[index + 1] ?? rows[index - 1], index + 1 < rows.length ? index : index - 1, rows.length - 1);
          break;
        default:
          return;
      }
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled, select]);

  return { selectedId, announcement };
}
