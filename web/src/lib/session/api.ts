import type { ThemeChoice } from "../theme/theme";
import { acceptTokens, api, clearAccessToken, FROM_THIS_APP, refreshAccessToken } from "../../api/client";
import { isOfflineError } from "../../api/problem";
import { rememberedUser, rememberUser } from "../../api/offlineSession";
import { deviceTokenFor, rememberDevice } from "./devices";

export interface User {
  id: string;
  email: string;
  display_name: string | null;
  created_at: string;
  /** The account's colour scheme (GET /api/auth/me). */
  theme?: ThemeChoice;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface Registration extends Credentials {
  display_name?: string;
}

interface LoginResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  device_token?: string | null;
}

export async function login(credentials: Credentials): Promise<User> {
  // A device token from an earlier login to this account: others' failed guesses then do
  // not lock this browser out.
  const device = deviceTokenFor(credentials.email);
  const body = device ? { ...credentials, device_token: device } : credentials;
  const { data } = await api.post<LoginResponse>("/auth/login", body, { skipAuthRefresh: true });
  // Only the access token is kept; the refresh token stays in its httpOnly cookie.
  acceptTokens(data);
  if (data.device_token) rememberDevice(credentials.email, data.device_token);
  return fetchMe();
}

export async function register(registration: Registration): Promise<User> {
  const { data } = await api.post<User>("/auth/register", registration, { skipAuthRefresh: true });
  return data;
}

/** The logged-in user, remembered for a reload offline (api/offlineSession.ts). */
export async function fetchMe(): Promise<User> {
  const { data } = await api.get<User>("/auth/me");
  rememberUser(data);
  return data;
}

/** On start: one refresh through the cookie. Resolves to null when there is no session. */
export async function restoreSession(): Promise<User | null> {
  try {
    await refreshAccessToken();
  } catch (error) {
    // No answer at all (offline): the last session's user, reading what the worker kept.
    return isOfflineError(error) ? rememberedUser<User>() : null;
  }
  return fetchMe();
}

export async function logout(): Promise<void> {
  try {
    await api.post("/auth/logout", undefined, { headers: FROM_THIS_APP });
  } finally {
    clearAccessToken();
  }
}
