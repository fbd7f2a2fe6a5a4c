import { describe, expect, it } from "vitest";
import { shortcutsHere } from "./shortcuts";

const keys = (list: Parameters<typeof shortcutsHere>[0]) => shortcutsHere(list).map((shortcut) => shortcut.keys);

describe("the shortcuts of a page", () => {
  it("are the global ones where no list answers the keys", () => {
    expect(keys(null)).toEqual(["q", "/", "Esc", "?"]);
  });

  it("add j / k for any list, and x, e and # only where the list does them", () => {
    // A viewer's task list: the selection moves, nothing changes.
    expect(keys({ actions: [] })).toEqual(["q", "/", "j / k", "Esc", "?"]);
    expect(keys({ actions: ["complete", "edit", "remove"] })).toEqual(["q", "/", "j / k", "x", "e", "#", "Esc", "?"]);
  });

  it("say what e does where it is not the usual edit", () => {
    const e = (list: Parameters<typeof shortcutsHere>[0]) => shortcutsHere(list).find((shortcut) => shortcut.keys === "e")?.does;
    expect(e({ actions: ["edit"] })).toBe("Edit the selected task");
    expect(e({ actions: ["edit"], editHelp: "Open the selected task" })).toBe("Open the selected task");
  });
});
