/**
 * Device tokens: proof, given by each successful login, that this browser logged in to an
 * account before. Sent with the next login to that account, they keep this browser from
 * being locked out when someone else has guessed the password wrong too often. They
 * authenticate nothing (the password is still needed), so they may live in localStorage.
 */
const KEY = "taskforge.device-tokens";
const MAX_ACCOUNTS = 10;

type Tokens = Record<string, string>;

function read(): Tokens {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? "{}");
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Tokens) : {};
  } catch {
    return {}; // storage disabled or garbled: no device tokens
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}

export function deviceTokenFor(email: string): string | null {
  const token = read()[accountKey(email)];
  return typeof token === "string" ? token : null;
}

export function rememberDevice(email: string, token: string): void {
  const others = Object.entries(read()).filter(([account]) => account !== accountKey(email));
  const kept = Object.fromEntries([...others.slice(-(MAX_ACCOUNTS - 1)), [accountKey(email), token]]);
  try {
    window.localStorage.setItem(KEY, JSON.stringify(kept));
  } catch {
    // Storage full or disabled: the next login simply counts like a new browser's.
  }
}

/** For tests. */
export function forgetDevices(): void {
  window.localStorage.removeItem(KEY);
}
