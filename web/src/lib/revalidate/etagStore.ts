/**
 * The last ETag and body of each list read (GET …/tasks, tags, workspaces, members, reminders,
 * checklist: any answer `{items: [...]}` with an ETag), by URL with its query. Reading a list
 * again sends `If-None-Match`; a 304 means the body kept here is still what the server has, so
 * the client hands that very object back. Callers can therefore tell "unchanged" by identity.
 *
 * Memory only, a bounded number of URLs; forgotten when the session ends.
 */
import axios, { type AxiosResponse, type InternalAxiosRequestConfig } from "axios";

declare module "axios" {
  interface AxiosRequestConfig {
    /** The stored list body this request asked about with If-None-Match (set by this module). */
    revalidating?: StoredList;
  }
}

export interface StoredList {
  etag: string;
  data: unknown;
}

export const MAX_STORED_LISTS = 100;

const stored = new Map<string, StoredList>();

/** What the store keys on: the request's full URL, query included, as it is sent. */
export function listKey(config: { baseURL?: string; url?: string; params?: unknown; paramsSerializer?: unknown }): string {
  return axios.getUri(config as Parameters<typeof axios.getUri>[0]);
}

export function isList(data: unknown): boolean {
  return Boolean(data) && typeof data === "object" && Array.isArray((data as { items?: unknown }).items);
}

/** The stored list for the URL, now the most recently used one. */
export function storedList(key: string): StoredList | undefined {
  const entry = stored.get(key);
  if (entry) {
    stored.delete(key);
    stored.set(key, entry);
  }
  return entry;
}

/** Keeps a list answer; the least recently used one goes when there are too many. */
export function storeList(key: string, etag: string, data: unknown): void {
  stored.delete(key);
  stored.set(key, { etag, data });
  while (stored.size > MAX_STORED_LISTS) {
    const oldest = stored.keys().next().value;
    if (oldest === undefined) break;
    stored.delete(oldest);
  }
}

export function forgetStoredLists(): void {
  stored.clear();
}

export function storedListCount(): number {
  return stored.size;
}

const notModifiedToo = (status: number) => (status >= 200 && status < 300) || status === 304;

/** Request side: a GET of a list read before asks whether it changed. */
export function askIfChanged(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
  if ((config.method ?? "get").toLowerCase() !== "get" || config.headers.has("If-None-Match")) return config;
  const entry = storedList(listKey(config));
  if (!entry) return config;
  config.headers.set("If-None-Match", entry.etag);
  config.revalidating = entry;
  config.validateStatus = notModifiedToo;
  return config;
}

/** Response side: a 304 gets the stored body back; a new list with an ETag is stored. */
export function keepOrStore(response: AxiosResponse): AxiosResponse {
  const { config } = response;
  if ((config.method ?? "get").toLowerCase() !== "get") return response;
  if (response.status === 304 && config.revalidating) {
    response.data = config.revalidating.data;
    return response;
  }
  const etag: unknown = response.headers.etag;
  if (response.status === 200 && typeof etag === "string" && etag && isList(response.data)) {
    storeList(listKey(config), etag, response.data);
  }
  return response;
}
