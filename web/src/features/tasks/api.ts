import { api } from "../../api/client";
import type { Task, TaskInput, TaskPage, TaskPatch } from "./types";

/**
 * ETags of the tasks this browser has read or written, so that edits are conditional
 * (If-Match) and a change made elsewhere meanwhile is refused with 412, not overwritten.
 */
const etags = new Map<string, string>();

export function etagOf(id: string): string | undefined {
  return etags.get(id);
}

export function forgetEtags(): void {
  etags.clear();
}

function remember(id: string, etag: unknown): void {
  if (typeof etag === "string" && etag) etags.set(id, etag);
}

function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export type TaskQueryParams = Record<string, string | number | boolean>;

export async function listTasks(params: TaskQueryParams, signal?: AbortSignal): Promise<TaskPage> {
  const { data } = await api.get<TaskPage>("/tasks", { params, signal });
  return data;
}

export async function getTask(id: string, signal?: AbortSignal): Promise<Task> {
  const response = await api.get<Task>(`/tasks/${encodeURIComponent(id)}`, { signal });
  remember(response.data.id, response.headers.etag);
  return response.data;
}

export async function createTask(input: TaskInput): Promise<Task> {
  const response = await api.post<Task>("/tasks", input, {
    headers: { "Idempotency-Key": newIdempotencyKey() },
  });
  remember(response.data.id, response.headers.etag);
  return response.data;
}

export async function updateTask(id: string, patch: TaskPatch): Promise<Task> {
  const etag = etags.get(id);
  const response = await api.patch<Task>(`/tasks/${encodeURIComponent(id)}`, patch, {
    headers: etag ? { "If-Match": etag } : {},
  });
  remember(response.data.id, response.headers.etag);
  return response.data;
}

export async function deleteTask(id: string): Promise<void> {
  const etag = etags.get(id);
  await api.delete(`/tasks/${encodeURIComponent(id)}`, { headers: etag ? { "If-Match": etag } : {} });
  etags.delete(id);
}
