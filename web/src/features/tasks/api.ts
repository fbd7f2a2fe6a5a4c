import { api } from "../../api/client";
import { forgetEtag, ifMatch, rememberEtag } from "../../api/etags";
import type { Task } from "../../types/task";
import type { ChecklistItem, Tag, TaskInput, TaskPage, TaskPatch } from "./types";

function newIdempotencyKey(): string {
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

export async function createTask(input: TaskInput): Promise<Task> {
  const response = await api.post<Task>("/tasks", input, {
    headers: { "Idempotency-Key": newIdempotencyKey() },
  });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

export async function updateTask(id: string, patch: TaskPatch): Promise<Task> {
  const response = await api.patch<Task>(`/tasks/${encodeURIComponent(id)}`, patch, { headers: ifMatch(id) });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

export async function deleteTask(id: string): Promise<void> {
  await api.delete(`/tasks/${encodeURIComponent(id)}`, { headers: ifMatch(id) });
  forgetEtag(id);
}

const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

// Tags ----------------------------------------------------------------------------

export async function listTags(workspaceId?: string | null, signal?: AbortSignal): Promise<Tag[]> {
  const { data } = await api.get<{ items: Tag[] }>("/tags", {
    params: workspaceId ? { workspace_id: workspaceId } : {},
    signal,
  });
  return data.items;
}

export async function createTag(input: { name: string; color: string; workspace_id?: string | null }): Promise<Tag> {
  const { data } = await api.post<Tag>("/tags", input);
  return data;
}

export async function attachTag(taskId: string, tagId: string): Promise<Task> {
  const response = await api.put<Task>(`${taskPath(taskId)}/tags/${encodeURIComponent(tagId)}`);
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

export async function detachTag(taskId: string, tagId: string): Promise<Task> {
  const response = await api.delete<Task>(`${taskPath(taskId)}/tags/${encodeURIComponent(tagId)}`);
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

// Checklist -----------------------------------------------------------------------

export async function listChecklist(taskId: string, signal?: AbortSignal): Promise<ChecklistItem[]> {
  const { data } = await api.get<{ items: ChecklistItem[] }>(`${taskPath(taskId)}/checklist`, { signal });
  return [...data.items].sort((a, b) => a.position - b.position);
}

export async function addChecklistItem(taskId: string, text: string): Promise<ChecklistItem> {
  const { data } = await api.post<ChecklistItem>(`${taskPath(taskId)}/checklist`, { text });
  return data;
}

export async function updateChecklistItem(
  taskId: string,
  itemId: string,
  patch: Partial<Pick<ChecklistItem, "done" | "text">>,
): Promise<ChecklistItem> {
  const { data } = await api.patch<ChecklistItem>(`${taskPath(taskId)}/checklist/${encodeURIComponent(itemId)}`, patch);
  return data;
}

/** Moves an item; conditional on the task's ETag, so a reorder made elsewhere meanwhile is refused (412). */
export async function moveChecklistItem(taskId: string, itemId: string, position: number): Promise<ChecklistItem> {
  const { data } = await api.patch<ChecklistItem>(
    `${taskPath(taskId)}/checklist/${encodeURIComponent(itemId)}`,
    { position },
    { headers: ifMatch(taskId) },
  );
  return data;
}

export async function deleteChecklistItem(taskId: string, itemId: string): Promise<void> {
  await api.delete(`${taskPath(taskId)}/checklist/${encodeURIComponent(itemId)}`);
}

/** A recurring task moves on to its next occurrence. */
export async function skipOccurrence(id: string): Promise<Task> {
  const response = await api.post<Task>(`${taskPath(id)}/skip`, undefined, { headers: ifMatch(id) });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}
