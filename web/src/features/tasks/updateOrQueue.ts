/**
 * An edit of one task, wherever it is made (the list, the agenda, the task's page): sent now,
 * or queued on the device (writeQueue.ts) when the API cannot be reached, when older changes
 * still wait, or when the task is not on the server yet.
 */
import { etagOf } from "../../api/etags";
import { isOfflineError } from "../../api/problem";
import type { Task } from "../../types/task";
import { newIdempotencyKey, updateTask } from "./api";
import type { TaskPatch } from "./types";
import { changedFields, isLocalTask, queueUpdate, shouldQueue, versionTag } from "./writeQueue";

export interface UpdateResult {
  /** The task as the server saved it, or as it will look once the queued change is sent. */
  task: Task;
  queued: boolean;
}

/**
 * Changes `task` (as the user sees it) to `input` (a form's whole task, or the fields to set),
 * for the version `etag` (by default the one last read). A request that gets no answer is
 * queued with its Idempotency-Key, so sending it again applies it once.
 */
export async function updateOrQueue(task: Task, input: TaskPatch, etag?: string): Promise<UpdateResult> {
  const version = etag ?? etagOf(task.id);
  if (shouldQueue() || isLocalTask(task.id)) {
    return { task: queueUpdate(task, changedFields(task, input), version ?? versionTag(task)), queued: true };
  }
  const key = newIdempotencyKey();
  try {
    return { task: await updateTask(task.id, input, { etag: version, key }), queued: false };
  } catch (error) {
    if (!isOfflineError(error)) throw error;
    return { task: queueUpdate(task, input, version, key), queued: true };
  }
}
