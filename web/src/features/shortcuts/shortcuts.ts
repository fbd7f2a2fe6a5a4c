/** Every keyboard shortcut, as the "?" dialog lists them. */
export const SHORTCUTS: { keys: string; does: string }[] = [
  { keys: "q", does: "Quick add a task, in one line" },
  { keys: "/", does: "Search the task list" },
  { keys: "j / k", does: "Select the next / previous task in a list" },
  { keys: "x", does: "Complete (or reopen) the selected task" },
  { keys: "e", does: "Edit the selected task" },
  { keys: "#", does: "Delete the selected task (Undo in the message that follows)" },
  { keys: "Esc", does: "Close a dialog or an editor" },
  { keys: "?", does: "Show these shortcuts" },
];
