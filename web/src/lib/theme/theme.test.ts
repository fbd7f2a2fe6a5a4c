import { afterEach, describe, expect, it, vi } from "vitest";
import { applyTheme, followSystemTheme, resolveTheme, storedTheme, THEME_KEY } from "./theme";

function systemDark(dark: boolean) {
  const listeners: (() => void)[] = [];
  const query = {
    matches: dark,
    addEventListener: (_: string, listener: () => void) => listeners.push(listener),
    removeEventListener: vi.fn(),
  };
  vi.stubGlobal("matchMedia", () => query);
  return {
    change(next: boolean) {
      query.matches = next;
      listeners.forEach((listener) => listener());
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
  document.documentElement.removeAttribute("data-bs-theme");
});

describe("the theme", () => {
  it("follows the system unless the account chose one, and is remembered for the next load", () => {
    systemDark(true);
    expect(storedTheme()).toBe("system");
    expect(resolveTheme("system")).toBe("dark");
    applyTheme("light");
    expect(document.documentElement.getAttribute("data-bs-theme")).toBe("light");
    expect(window.localStorage.getItem(THEME_KEY)).toBe("light");
    expect(storedTheme()).toBe("light");
  });

  it("keeps a system theme in step when the system changes, and leaves a chosen one alone", () => {
    const system = systemDark(false);
    applyTheme("system");
    const stop = followSystemTheme();
    system.change(true);
    expect(document.documentElement.getAttribute("data-bs-theme")).toBe("dark");
    applyTheme("light");
    system.change(false);
    system.change(true);
    expect(document.documentElement.getAttribute("data-bs-theme")).toBe("light");
    stop();
  });

  it("takes anything else stored as the system's", () => {
    window.localStorage.setItem(THEME_KEY, "blue");
    expect(storedTheme()).toBe("system");
  });
});
