import { describe, expect, it } from "vitest";
import { isShortcut, isTypingTarget } from "./keyboard";

function keyOn(target: HTMLElement, init: KeyboardEventInit = {}): KeyboardEvent {
  let seen: KeyboardEvent | null = null;
  target.addEventListener("keydown", (event) => (seen = event), { once: true });
  target.dispatchEvent(new KeyboardEvent("keydown", { key: "j", bubbles: true, ...init }));
  return seen as unknown as KeyboardEvent;
}

describe("shortcuts", () => {
  it("never fire while typing in a field", () => {
    for (const html of ['<input type="text">', '<input type="search">', "<textarea></textarea>", "<select></select>"]) {
      document.body.innerHTML = html;
      const field = document.body.firstElementChild as HTMLElement;
      expect(isTypingTarget(field)).toBe(true);
      expect(isShortcut(keyOn(field))).toBe(false);
    }
    document.body.innerHTML = '<div contenteditable="true"></div>';
    const editable = document.body.firstElementChild as HTMLElement;
    // jsdom does not compute isContentEditable; a browser does.
    Object.defineProperty(editable, "isContentEditable", { value: true });
    expect(isShortcut(keyOn(editable))).toBe(false);
  });

  it("fire on the page and on a checkbox, but not with a modifier", () => {
    document.body.innerHTML = '<input type="checkbox">';
    const box = document.body.firstElementChild as HTMLElement;
    expect(isShortcut(keyOn(box))).toBe(true);
    expect(isShortcut(keyOn(document.body))).toBe(true);
    for (const modifier of ["ctrlKey", "altKey", "metaKey"]) {
      expect(isShortcut(keyOn(document.body, { [modifier]: true }))).toBe(false);
    }
  });
});
