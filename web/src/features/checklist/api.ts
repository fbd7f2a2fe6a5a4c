import { api } from "../../api/client";
import { ifMatch, rememberEtag } from "../../api/etags";

export interface ChecklistItem {
  id: string;
  text: string;
  done: boolean;
  position: number;
}

const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

export async function listChecklist(taskId: string, signal?: AbortSignal): Promise<ChecklistItem[]> {
  const { data } = await api.get<{ items: ChecklistItem[] }>(`${taskPath(taskId)}/checklist`, { signal });
  return [...data.items].sort((a, b) => a.position - b.position);
}

export async function addChecklistItem(taskId: string, text: string): Promise<ChecklistItem> {
  const response = await api.post<ChecklistItem>(`${taskPath(taskId)}/checklist`, { text });
  rememberEtag(taskId, response.headers.etag);
  return response.data;
}

export async function updateChecklistItem(
  taskId: string,
  itemId: string,
  patch: Partial<Pick<ChecklistItem, "done" | "text">>,
): Promise<ChecklistItem> {
  const response = await api.patch<ChecklistItem>(`${taskPath(taskId)}/checklist/${encodeURIComponent(itemId)}`, patch);
  rememberEtag(taskId, response.headers.etag);
  return response.data;
}

/** Moves an item; conditional on the task's ETag, so a reorder made elsewhere meanwhile is refused (412). */
export async function moveChecklistItem(taskId: string, itemId: string, position: number): Promise<ChecklistItem> {
  const response = await api.patch<ChecklistItem>(
    `${taskPath(taskId)}/checklist/${encodeURIComponent(itemId)}`,
    { position },
    { headers: ifMatch(taskId) },
  );
  rememberEtag(taskId, response.headers.etag);
  return response.data;
}

export async function deleteChecklistItem(taskId: string, itemId: string): Promise<void> {
  const response = await api.delete(`${taskPath(taskId)}/checklist/${encodeURIComponent(itemId)}`);
  rememberEtag(taskId, response.headers.etag);
}
