import { acceptTokens, api, clearAccessToken, refreshAccessToken } from "../../api/client";

export interface User {
  id: string;
  email: string;
  display_name: string | null;
  created_at: string;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface Registration extends Credentials {
  display_name?: string;
}

export async function login(credentials: Credentials): Promise<User> {
  const { data } = await api.post("/auth/login", credentials, { skipAuthRefresh: true });
  // Only the access token is kept; the refresh token stays in its httpOnly cookie.
  acceptTokens(data);
  return fetchMe();
}

export async function register(registration: Registration): Promise<User> {
  const { data } = await api.post<User>("/auth/register", registration, { skipAuthRefresh: true });
  return data;
}

export async function fetchMe(): Promise<User> {
  const { data } = await api.get<User>("/auth/me");
  return data;
}

/** On start: one refresh through the cookie. Resolves to null when there is no session. */
export async function restoreSession(): Promise<User | null> {
  try {
    await refreshAccessToken();
  } catch {
    return null;
  }
  return fetchMe();
}

export async function logout(): Promise<void> {
  try {
    await api.post("/auth/logout");
  } finally {
    clearAccessToken();
  }
}
