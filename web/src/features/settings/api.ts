import { api, getAccessToken, refreshAccessToken } from "../../api/client";
import { httpStatus } from "../../api/problem";
import type { ThemeChoice } from "../../lib/theme/theme";

export interface Profile {
  id: string;
  email: string;
  display_name: string | null;
  created_at: string;
  timezone: string;
  reminder_webhook_url: string | null;
  digest_hour: number;
  theme: ThemeChoice;
  /** Only in the answer that set a new webhook URL. */
  webhook_secret: string | null;
}

export type ProfilePatch = Partial<
  Pick<Profile, "display_name" | "timezone" | "reminder_webhook_url" | "digest_hour" | "theme">
>;

export async function updateProfile(patch: ProfilePatch): Promise<Profile> {
  const { data } = await api.patch<Profile>("/auth/me", patch);
  return data;
}

/** GET /api/auth/me; the API may or may not include the settings (timezone, digest hour…). */
export async function fetchProfile(signal?: AbortSignal): Promise<Partial<Profile>> {
  const { data } = await api.get<Partial<Profile>>("/auth/me", { signal });
  return data;
}

export async function createCalendarFeed(): Promise<string> {
  const { data } = await api.post<{ url: string }>("/calendar-feed");
  return data.url;
}

export async function revokeCalendarFeed(): Promise<void> {
  await api.delete("/calendar-feed");
}

/** The feed URL as something to paste into a calendar app: absolute, whatever the API answered. */
export function absoluteUrl(url: string, origin: string = window.location.origin): string {
  return new URL(url, origin).toString();
}

/** What a password change ended besides every session (POST /api/auth/password). */
export interface PasswordChanged {
  calendar_feed_revoked: boolean;
  webhook_removed: boolean;
}

/** The session could not be renewed: the user must log in again. */
export class SessionEndedError extends Error {}

/**
 * A 401 here means an expired access token or a wrong current password. The client's usual
 * refresh-and-retry would take a wrong password for a dead session and end it, so this call
 * renews the token itself, once, and a 401 with a fresh token is the password's.
 */
export async function changePassword(currentPassword: string, newPassword: string): Promise<PasswordChanged> {
  const body = { current_password: currentPassword, new_password: newPassword };
  const send = () =>
    api.post<PasswordChanged>("/auth/password", body, {
      skipAuthRefresh: true,
      headers: { Authorization: `Bearer ${getAccessToken() ?? ""}` },
    });
  try {
    return (await send()).data;
  } catch (error) {
    if (httpStatus(error) !== 401) throw error;
  }
  try {
    await refreshAccessToken();
  } catch {
    throw new SessionEndedError("Your session has ended. Log in again to change the password.");
  }
  return (await send()).data;
}
