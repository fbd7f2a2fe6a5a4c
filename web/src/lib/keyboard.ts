/** What keyboard shortcuts must leave alone: typing in a field, and keys pressed with a modifier. */

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  // A checkbox or a button is no field one types in.
  const type = (target as HTMLInputElement).type;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
}

/** Whether a key press is a plain shortcut: no Ctrl, Alt or Meta, not in a field, not in an open dialog's field. */
export function isShortcut(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return false;
  return !isTypingTarget(event.target);
}

/** Whether a modal dialog is open: list keys then belong to it. */
export function dialogOpen(): boolean {
  return document.querySelector("dialog[open]") !== null;
}
