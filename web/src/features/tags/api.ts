import { api } from "../../api/client";
import { rememberEtag } from "../../api/etags";
import type { TagRef, Task } from "../../types/task";

/** A workspace's tag; tasks carry references to them. */
export interface Tag extends TagRef {
  workspace_id: string;
}

const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

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

/** Attaching or detaching answers with the task, at its new version: its ETag is kept for the next change. */
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
