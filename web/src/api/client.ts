/**
 * The one HTTP client of the app.
 *
 * - The access token lives in this module's memory only: never in storage, never in a
 *   cookie. A reload starts without one and `restoreSession` asks for a new one.
 * - The refresh token is an httpOnly cookie scoped to /api/auth; JavaScript never sees
 *   it. The refresh response repeats it in JSON, and that copy is dropped on the spot.
 * - A 401 triggers at most one refresh and one retry of the request. Concurrent 401s
 *   share the refresh in flight; a request that fails again after its retry ends the
 *   session instead of looping.
 * - Requests that the cookie alone authenticates (refresh, logout) carry CLIENT_HEADER:
 *   the API refuses them (403) unless they show they come from this app's own page.
 */
import axios, { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from "axios";
import { reportNetworkFailure, reportServerReached } from "./connectivity";
import { forgetKeptReads } from "./offlineReads";
import { forgetQueuedWrites } from "./offlineWrites";
import { forgetUser } from "./offlineSession";
import { askIfChanged, keepOrStore } from "../lib/revalidate/etagStore";

declare module "axios" {
  interface AxiosRequestConfig {
    /** Never refresh-and-retry this request on a 401 (used by the auth endpoints). */
    skipAuthRefresh?: boolean;
    /** Set on the single retry that follows a refresh. */
    authRetried?: boolean;
  }
}

interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}

/** The header that marks a request as sent by this app (no page elsewhere can add it). */
export const CLIENT_HEADER = "X-TaskForge-Client";
export const FROM_THIS_APP = { [CLIENT_HEADER]: "web" };

export const api = axios.create({
  baseURL: "/api",
  withCredentials: true,
  timeout: 20_000,
  headers: { Accept: "application/json, application/problem+json" },
});

let accessToken: string | null = null;
let refreshInFlight: Promise<string> | null = null;
const sessionEndedListeners = new Set<() => void>();

export function getAccessToken(): string | null {
  return accessToken;
}

/** Keeps only the access token of a login or refresh answer. */
export function acceptTokens(body: TokenResponse): void {
  accessToken = body.access_token;
}

/** The user an access token was issued to (its `sub`); null when it cannot be read. */
export function tokenUser(token: string | null): string | null {
  try {
    const payload = token?.split(".")[1];
    if (!payload) return null;
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const sub: unknown = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === "string" ? sub : null;
  } catch {
    return null;
  }
}

/** The session is over: the token goes, and so do the API answers kept for reading offline
 * and the changes queued offline. */
export function clearAccessToken(): void {
  accessToken = null;
  forgetOfflineCopies();
}

function forgetOfflineCopies(): void {
  forgetUser();
  void forgetKeptReads();
  forgetQueuedWrites();
}

/** Called when the session cannot be renewed any more (refresh refused). */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

function endSession(): void {
  accessToken = null;
  forgetOfflineCopies();
  sessionEndedListeners.forEach((listener) => listener());
}

/**
 * Serialises refreshes across tabs: the refresh token rotates on every use and a reused
 * one ends the whole login, so two tabs must never send the same cookie at once.
 */
async function acrossTabs<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks) return work();
  return locks.request("taskforge-token-refresh", work);
}

/** One refresh at a time; everyone who asks meanwhile gets the same promise. */
export function refreshAccessToken(): Promise<string> {
  if (!refreshInFlight) {
    refreshInFlight = acrossTabs(() =>
      api.post<TokenResponse>("/auth/refresh", undefined, { skipAuthRefresh: true, headers: FROM_THIS_APP }),
    )
      .then((response) => {
        acceptTokens(response.data);
        return response.data.access_token;
      })
      .catch((error: unknown) => {
        accessToken = null;
        throw error;
      })
      .finally(() => {
        refreshInFlight = null;
      });
  }
  return refreshInFlight;
}

function bearer(token: string): string {
  return `Bearer ${token}`;
}

api.interceptors.request.use((config) => {
  if (accessToken && !config.skipAuthRefresh && !config.headers.has("Authorization")) {
    config.headers.set("Authorization", bearer(accessToken));
  }
  return config;
});

// Lists read before are asked for with their ETag (If-None-Match); a 304 keeps the body already here.
api.interceptors.request.use(askIfChanged);

api.interceptors.response.use(
  (response: AxiosResponse) => {
    reportServerReached();
    return keepOrStore(response);
  },
  async (error: unknown) => {
    if (!axios.isAxiosError(error) || axios.isCancel(error)) throw error;
    const response = error.response;
    if (!response) {
      reportNetworkFailure();
      throw error;
    }
    reportServerReached();
    const config = error.config as InternalAxiosRequestConfig | undefined;
    if (response.status !== 401 || !config || config.skipAuthRefresh) throw error;
    if (config.authRetried) {
      // Refused again with a fresh token: the session is gone. Never refresh twice.
      endSession();
      throw error;
    }
    const sentWith = config.headers.get("Authorization");
    let token: string;
    if (accessToken && sentWith !== bearer(accessToken)) {
      // Another request refreshed while this one was on its way: just use the new token.
      token = accessToken;
    } else {
      try {
        token = await refreshAccessToken();
      } catch (refreshError) {
        if (isAuthFailure(refreshError)) endSession();
        throw error;
      }
    }
    config.authRetried = true;
    config.headers.set("Authorization", bearer(token));
    return api.request(config);
  },
);

function isAuthFailure(error: unknown): boolean {
  if (!(error instanceof AxiosError) || !error.response) return false;
  return error.response.status === 401 || error.response.status === 403;
}

/** For tests: forget every token and in-flight refresh. */
export function resetClientForTests(): void {
  accessToken = null;
  refreshInFlight = null;
  sessionEndedListeners.clear();
}
