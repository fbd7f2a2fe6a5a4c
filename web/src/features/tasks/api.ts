import { api } from "../../api/client";
import { etagOf, forgetEtag, ifMatch, rememberEtag } from "../../api/etags";
import type { Task } from "../../types/task";
import type { BatchChanges, BatchItemResult, Placement, TaskInput, TaskPage, TaskPatch } from "./types";

export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export type TaskQueryParams = Record<string, string | number | boolean | string[]>;

export async function listTasks(params: TaskQueryParams, signal?: AbortSignal): Promise<TaskPage> {
  // Repeated parameters (`tag=A&tag=B`), not `tag[]=`.
  const { data } = await api.get<TaskPage>("/tasks", { params, signal, paramsSerializer: { indexes: null } });
  return data;
}

export async function getTask(id: string, signal?: AbortSignal): Promise<Task> {
  const response = await api.get<Task>(`/tasks/${encodeURIComponent(id)}`, { signal });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

/** The task and the ETag it was read with: a change meant for exactly this version sends it as If-Match. */
export async function getTaskWithEtag(id: string, signal?: AbortSignal): Promise<{ task: Task; etag: string | undefined }> {
  const task = await getTask(id, signal);
  return { task, etag: etagOf(task.id) };
}

/** `key`: the Idempotency-Key, when the caller keeps it to send the same create again. */
export async function createTask(input: TaskInput, key = newIdempotencyKey()): Promise<Task> {
  const response = await api.post<Task>("/tasks", input, {
    headers: { "Idempotency-Key": key },
  });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

/**
 * How a change of one task is sent. `etag`: the version it is for (If-Match); by default the one
 * last read or written. `key`: an Idempotency-Key, when the caller keeps it to send the same
 * change again.
 */
export interface WriteOptions {
  etag?: string;
  key?: string;
}

function writeHeaders(id: string, { etag, key }: WriteOptions): Record<string, string> {
  return { ...(etag ? { "If-Match": etag } : ifMatch(id)), ...(key ? { "Idempotency-Key": key } : {}) };
}

export async function updateTask(id: string, patch: TaskPatch, options: WriteOptions = {}): Promise<Task> {
  const headers = writeHeaders(id, options);
  const response = await api.patch<Task>(`/tasks/${encodeURIComponent(id)}`, patch, { headers });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

export async function deleteTask(id: string, options: WriteOptions = {}): Promise<void> {
  await api.delete(`/tasks/${encodeURIComponent(id)}`, { headers: writeHeaders(id, options) });
  forgetEtag(id);
}

const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

/** A recurring task moves on to its next occurrence. */
export async function skipOccurrence(id: string): Promise<Task> {
  const response = await api.post<Task>(`${taskPath(id)}/skip`, undefined, { headers: ifMatch(id) });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

/** Moves a task in the manual order: one PATCH, conditional on the version the list shows. */
export async function moveTask(task: Pick<Task, "id" | "version">, placement: Placement): Promise<Task> {
  return updateTask(task.id, placement as TaskPatch, { etag: `"${task.version}"` });
}

/** Keeps the ETags the items that applied now carry; forgets those of deleted tasks. */
function remember(results: BatchItemResult[]): BatchItemResult[] {
  for (const result of results) {
    if (result.status === 204) forgetEtag(result.id);
    else if (result.etag) rememberEtag(result.id, result.etag);
  }
  return results;
}

/** Each item is conditional on the version the list shows: a task changed elsewhere since is refused (412). */
export const batchItem = (task: Pick<Task, "id" | "version">) => ({ id: task.id, if_match: `"${task.version}"` });

/** One request for many changes; each item applies or fails on its own (200 or 207). */
export async function changeTasks(tasks: Task[], changes: BatchChanges): Promise<BatchItemResult[]> {
  const { data } = await api.patch<{ items: BatchItemResult[] }>(
    "/tasks",
    { items: tasks.map((task) => ({ ...batchItem(task), changes })) },
    { headers: { "Idempotency-Key": newIdempotencyKey() } },
  );
  return remember(data.items);
}

/** One request deleting many tasks; each item is deleted or refused on its own. */
export async function deleteTasks(tasks: Task[]): Promise<BatchItemResult[]> {
  const { data } = await api.delete<{ items: BatchItemResult[] }>("/tasks", {
    data: { items: tasks.map(batchItem) },
    headers: { "Idempotency-Key": newIdempotencyKey() },
  });
  return remember(data.items);
}
