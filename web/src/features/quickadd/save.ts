/**
 * Saving what quick add parsed with the existing API: the tags first (those missing are created,
 * api/tagNames.ts), then the task (with an Idempotency-Key, so a retried click never makes two), then each tag is
 * attached (PUT, safe to repeat). A tag that could not be attached after the task was made is
 * reported, by name, with a way to try again: the task itself is never lost or made twice.
 */
import { api } from "../../api/client";
import { rememberEtag } from "../../api/etags";
import type { Priority, Task } from "../../types/task";
import type { ParsedTask } from "./parse";

export { attachTags, ensureTags, NEW_TAG_COLOR } from "../../api/tagNames";

export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** What the API is sent for the task (its tags go separately, by id). */
export interface ParsedTaskBody {
  title: string;
  workspace_id: string;
  due_date: string | null;
  priority?: Priority;
  recurrence?: string;
  timezone?: string;
}

export function parsedTaskBody(parsed: ParsedTask, workspaceId: string): ParsedTaskBody {
  const body: ParsedTaskBody = {
    title: parsed.title,
    workspace_id: workspaceId,
    due_date: parsed.due,
  };
  if (parsed.priority) body.priority = parsed.priority;
  if (parsed.recurrence) {
    body.recurrence = parsed.recurrence;
    body.timezone = parsed.timeZone;
  }
  return body;
}

export async function createParsedTask(parsed: ParsedTask, workspaceId: string, idempotencyKey: string): Promise<Task> {
  const body = parsedTaskBody(parsed, workspaceId);
  const response = await api.post<Task>("/tasks", body, { headers: { "Idempotency-Key": idempotencyKey } });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}
