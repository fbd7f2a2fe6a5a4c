import { api } from "../../api/client";

export interface Profile {
  id: string;
  email: string;
  display_name: string | null;
  created_at: string;
  timezone: string;
  reminder_webhook_url: string | null;
  digest_hour: number;
  /** Only in the answer that set a new webhook URL. */
  webhook_secret: string | null;
}

export type ProfilePatch = Partial<Pick<Profile, "display_name" | "timezone" | "reminder_webhook_url" | "digest_hour">>;

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
