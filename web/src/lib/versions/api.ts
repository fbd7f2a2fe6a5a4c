/**
 * A task's versions (GET /api/tasks/{id}/versions) and putting one back (POST …/restore).
 * Shared: the history panel lists and restores them, and the undo offered after every change
 * restores the version before it.
 */
import { api } from "../../api/client";
import { rememberEtag } from "../../api/etags";
import type { Task } from "../../types/task";

export interface VersionSnapshot {
  title: string;
  description: string;
  completed: boolean;
  completed_at: string | null;
  priority: number;
  due_date: string | null;
  workspace_id: string;
  recurrence: string | null;
  timezone: string | null;
  /** `name` is null for a tag of a workspace the reader is not a member of. */
  tags: { id: string; name: string | null }[];
  checklist: { id: string; text: string; done: boolean }[];
}

export interface TaskVersion {
  version: number;
  at: string;
  actor: { id: string; name: string } | null;
  /** The fields that differ from the version before; empty for the first. */
  changed: string[];
  /** The task's version (its ETag) once this change was made. */
  task_version: number;
  snapshot: VersionSnapshot;
}

export interface TaskVersionPage {
  items: TaskVersion[];
  next_cursor: string | null;
}

/** The task a restore answers with, and what of the version could not be put back. */
export interface RestoredTask extends Task {
  not_restored: string[];
}

const versionsPath = (taskId: string) => `/tasks/${encodeURIComponent(taskId)}/versions`;

export async function listVersions(
  taskId: string,
  { limit = 20, cursor, signal }: { limit?: number; cursor?: string | null; signal?: AbortSignal } = {},
): Promise<TaskVersionPage> {
  const { data } = await api.get<TaskVersionPage>(versionsPath(taskId), {
    params: { limit, ...(cursor ? { cursor } : {}) },
    signal,
  });
  return data;
}

/** `etag`: the version of the task the restore replaces (If-Match); 412 when it has changed since. */
export async function restoreVersion(taskId: string, version: number, etag: string): Promise<RestoredTask> {
  const response = await api.post<RestoredTask>(`${versionsPath(taskId)}/${version}/restore`, undefined, {
    headers: { "If-Match": etag },
  });
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

/** Why an undo did not happen, said to the person who asked for it. */
export class NothingToUndo extends Error {}

/**
 * Takes back the change that gave the task version `taskVersion` (the ETag its answer carried):
 * the version before it is restored, conditional on the task still being at `taskVersion`, so a
 * later change (here, in another tab or by someone else) is never undone with it (412).
 */
export async function undoChange(taskId: string, taskVersion: number): Promise<RestoredTask> {
  const [latest, before] = (await listVersions(taskId, { limit: 2 })).items;
  if (!latest || latest.task_version !== taskVersion || !before) {
    throw new NothingToUndo(
      latest && latest.task_version > taskVersion
        ? "The task has changed again since, so this change can no longer be undone on its own. Its history has every version."
        : "There is nothing to undo: the change left the task as it was.",
    );
  }
  return restoreVersion(taskId, before.version, `"${taskVersion}"`);
}
