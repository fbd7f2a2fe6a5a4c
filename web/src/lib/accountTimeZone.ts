/**
 * The account's time zone, as far as this browser knows it: GET /api/auth/me and the settings
 * page's PATCH report it. Until it is known the browser's own time zone stands in.
 *
 * Accounts made before registration sent the browser's zone are still on UTC. Such an account,
 * in a browser that says otherwise, is asked once whether to use the browser's zone; a "no" is
 * kept per user in localStorage (it is a preference, not a secret), so that it is never asked again.
 */
import { api } from "../api/client";

let accountTimeZone: string | null = null;
let accountUser: string | null = null;

const DECLINED_KEY = "taskforge.timezone-kept";
const UTC_NAMES = new Set(["UTC", "Etc/UTC", "Etc/Universal", "Etc/Zulu", "Etc/GMT", "GMT", "Universal", "Zulu"]);

export function isUtc(zone: string | null | undefined): boolean {
  return Boolean(zone) && UTC_NAMES.has(zone as string);
}

/** The browser's IANA zone, or null when it does not tell. */
export function browserZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

export function rememberAccountTimeZone(timezone: string | null | undefined, userId?: string | null): void {
  if (timezone) accountTimeZone = timezone;
  if (userId) accountUser = userId;
}

/** The time zone of an account as GET /api/auth/me reports it (null when it does not). */
export function timeZoneOf(user: object | null | undefined): string | null {
  const zone = (user as { timezone?: unknown } | null | undefined)?.timezone;
  return typeof zone === "string" && zone ? zone : null;
}

export function knownAccountTimeZone(): string | null {
  return accountTimeZone;
}

export function defaultTimeZone(): string {
  return accountTimeZone ?? browserZone() ?? "UTC";
}

export function forgetAccountTimeZone(): void {
  accountTimeZone = null;
  accountUser = null;
}

function declinedUsers(): string[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(DECLINED_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return []; // storage disabled or garbled: asked again, which is harmless
  }
}

/** Whether this user answered "keep UTC" in this browser. */
export function keptUtc(userId: string | null | undefined): boolean {
  return Boolean(userId) && declinedUsers().includes(userId as string);
}

export function rememberKeptUtc(userId: string): void {
  const others = declinedUsers().filter((id) => id !== userId);
  try {
    window.localStorage.setItem(DECLINED_KEY, JSON.stringify([...others.slice(-19), userId]));
  } catch {
    // Storage full or disabled: the question comes back next time, nothing worse.
  }
}

/**
 * The zone to offer an account, or null: only to an account still on UTC, in a browser that
 * reports another zone, whose user has not already said to keep UTC.
 */
export function zoneToOffer({ account, browser, kept }: { account: string | null; browser: string | null; kept: boolean }): string | null {
  if (kept || !browser || !isUtc(account) || isUtc(browser)) return null;
  return browser;
}

/**
 * The time zone a new repeat starts with: the task's, else the account's, else (an account left
 * on UTC without ever choosing it) the browser's. UTC only when it was chosen: a task's or an
 * account's zone that is not the untouched default, or a "keep UTC" answer.
 */
export function zoneForNewRepeat(taskZone: string | null | undefined): string {
  if (taskZone && !isUtc(taskZone)) return taskZone;
  const account = accountTimeZone;
  if (account && !isUtc(account)) return account;
  if (keptUtc(accountUser)) return account ?? taskZone ?? "UTC";
  return browserZone() ?? taskZone ?? account ?? "UTC";
}

/** Sets the account's zone (PATCH /api/auth/me) and remembers it. */
export async function saveAccountTimeZone(timezone: string): Promise<string> {
  const { data } = await api.patch<{ timezone: string }>("/auth/me", { timezone });
  rememberAccountTimeZone(data.timezone);
  return data.timezone;
}
