import type { ListAction, ListKeysInUse } from "../../lib/useListKeys";

export interface Shortcut {
  keys: string;
  does: string;
  /** A list's key: it works only where a list answers it ("move": any list). */
  list?: ListAction | "move";
}

/** Every keyboard shortcut, as the "?" dialog lists them. */
export const SHORTCUTS: Shortcut[] = [
  { keys: "q", does: "Quick add a task, in one line" },
  { keys: "/", does: "Search the task list" },
  { keys: "j / k", does: "Select the next / previous task in a list", list: "move" },
  { keys: "x", does: "Complete (or reopen) the selected task", list: "complete" },
  { keys: "e", does: "Edit the selected task", list: "edit" },
  { keys: "#", does: "Delete the selected task (Undo in the message that follows)", list: "remove" },
  { keys: "Esc", does: "Close a dialog or an editor" },
  { keys: "?", does: "Show these shortcuts" },
];

/** The shortcuts that work on this page: the list keys only where a list answers them. */
export function shortcutsHere(list: ListKeysInUse | null): Shortcut[] {
  return SHORTCUTS.flatMap((shortcut) => {
    if (!shortcut.list) return [shortcut];
    if (!list || (shortcut.list !== "move" && !list.actions.includes(shortcut.list))) return [];
    return shortcut.list === "edit" && list.editHelp ? [{ ...shortcut, does: list.editHelp }] : [shortcut];
  });
}
