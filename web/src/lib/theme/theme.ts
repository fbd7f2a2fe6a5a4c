/**
 * The colour scheme: the account's choice (system, light or dark), kept in localStorage so that
 * public/theme.js can apply it before the first paint, and applied as Bootstrap's data-bs-theme
 * on <html>. "system" follows prefers-color-scheme, also when it changes while the app is open.
 */
export type ThemeChoice = "system" | "light" | "dark";

export const THEME_KEY = "taskforge-theme"; // public/theme.js reads the same key
export const THEMES: readonly ThemeChoice[] = ["system", "light", "dark"];
const DARK_QUERY = "(prefers-color-scheme: dark)";

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}

export function storedTheme(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(THEME_KEY);
    return isThemeChoice(value) ? value : "system";
  } catch {
    return "system";
  }
}

function systemIsDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches;
}

export function resolveTheme(choice: ThemeChoice): "light" | "dark" {
  if (choice === "system") return systemIsDark() ? "dark" : "light";
  return choice;
}

/** Shows `choice` now and remembers it for the next page load. */
export function applyTheme(choice: ThemeChoice): void {
  try {
    window.localStorage.setItem(THEME_KEY, choice);
  } catch {
    // Not kept across loads; still applied now.
  }
  document.documentElement.setAttribute("data-bs-theme", resolveTheme(choice));
}

/** Keeps a "system" theme in step with the system's while the app is open; returns the stop. */
export function followSystemTheme(): () => void {
  if (typeof window.matchMedia !== "function") return () => undefined;
  const query = window.matchMedia(DARK_QUERY);
  const changed = () => {
    if (storedTheme() === "system") applyTheme("system");
  };
  query.addEventListener("change", changed);
  return () => query.removeEventListener("change", changed);
}
