/**
 * Saving what quick add parsed with the existing API: the tags first (those missing are created),
 * then the task (with an Idempotency-Key, so a retried click never makes two), then each tag is
 * attached (PUT, safe to repeat). A tag that could not be attached after the task was made is
 * reported, by name, with a way to try again: the task itself is never lost or made twice.
 */
import axios from "axios";
import { api } from "../../api/client";
import { rememberEtag } from "../../api/etags";
import type { Task } from "../../types/task";
import type { ParsedTask } from "./parse";

interface Tag {
  id: string;
  name: string;
  color: string;
}

export const NEW_TAG_COLOR = "#0a58ca";

export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

async function workspaceTags(workspaceId: string): Promise<Tag[]> {
  const { data } = await api.get<{ items: Tag[] }>("/tags", { params: { workspace_id: workspaceId } });
  return data.items;
}

const same = (a: string, b: string) => a.toLocaleLowerCase() === b.toLocaleLowerCase();

/** The workspace's tags of these names, created when missing (409: made meanwhile, so read again). */
export async function ensureTags(names: string[], workspaceId: string): Promise<Tag[]> {
  if (names.length === 0) return [];
  let known = await workspaceTags(workspaceId);
  const found: Tag[] = [];
  for (const name of names) {
    let tag = known.find((candidate) => same(candidate.name, name));
    if (!tag) {
      try {
        const { data } = await api.post<Tag>("/tags", { name, color: NEW_TAG_COLOR, workspace_id: workspaceId });
        tag = data;
      } catch (error) {
        if (!axios.isAxiosError(error) || error.response?.status !== 409) throw error;
        known = await workspaceTags(workspaceId);
        tag = known.find((candidate) => same(candidate.name, name));
        if (!tag) throw error;
      }
    }
    found.push(tag);
  }
  return found;
}

export async function createParsedTask(parsed: ParsedTask, workspaceId: string, idempotencyKey: string): Promise<Task> {
  const body: Record<string, unknown> = {
    title: parsed.title,
    workspace_id: workspaceId,
    due_date: parsed.due,
  };
  if (parsed.priority) body.priority = parsed.priority;
  if (parsed.recurrence) {
    body.recurrence = parsed.recurrence;
    body.timezone = parsed.timeZone;
  }
  const response = await api.post<Task>("/tasks", body, { headers: { "Idempotency-Key": idempotencyKey } });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

/** Attaches each tag; the ones that failed, by name (empty when all are on the task). */
export async function attachTags(task: Task, tags: Tag[]): Promise<{ task: Task; failed: Tag[] }> {
  let latest = task;
  const failed: Tag[] = [];
  for (const tag of tags) {
    try {
      const response = await api.put<Task>(`/tasks/${encodeURIComponent(task.id)}/tags/${encodeURIComponent(tag.id)}`);
      rememberEtag(response.data.id, response.headers.etag);
      latest = response.data;
    } catch {
      failed.push(tag);
    }
  }
  return { task: latest, failed };
}
