/**
 * Delete with undo: the task leaves the list at once, and the DELETE is sent only when
 * the "Undo" toast closes without being used. Logging out or leaving the page sends
 * whatever is still waiting. Without a connection a single delete is queued instead
 * (writeQueue.ts), and sent when the connection is back.
 */
import { toast, type ToastContentProps } from "react-toastify/unstyled";
import { getAccessToken } from "../../api/client";
import { etagOf } from "../../api/etags";
import { registerPendingWork } from "../../api/pendingWork";
import { isOfflineError } from "../../api/problem";
import { notifyError, notifyInfo } from "../../components/notify";
import { batchItem, deleteTask, deleteTasks, newIdempotencyKey } from "./api";
import type { Task } from "../../types/task";
import { isLocalTask, queueDelete, shouldQueue, versionTag } from "./writeQueue";

export const UNDO_MS = 5_000;

export type DeleteEvent =
  /** `problem`: why the server kept it, when it refused (a task deleted with others). */
  | { type: "restored"; task: Task; index: number; problem?: string }
  | { type: "deleted"; task: Task };

interface Pending {
  task: Task;
  index: number;
  toastId: string;
  undone: boolean;
  sent: boolean;
}

const pending = new Map<string, Pending>();
let scheduled = 0;
const listeners = new Set<(event: DeleteEvent) => void>();

function emit(event: DeleteEvent): void {
  listeners.forEach((listener) => listener(event));
}

export function subscribeDeletes(listener: (event: DeleteEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function isPendingDelete(id: string): boolean {
  return pending.has(id) || [...batches].some((batch) => batch.entries.some((entry) => entry.task.id === id));
}

function UndoToast({ title, onUndo, closeToast }: { title: string; onUndo: () => void } & Partial<ToastContentProps>) {
  return (
    <div className="d-flex align-items-center gap-3">
      <span className="flex-grow-1 text-break">Deleted {title}.</span>
      <button
        type="button"
        className="btn btn-sm btn-outline-primary"
        onClick={() => {
          onUndo();
          closeToast?.();
        }}
      >
        Undo
      </button>
    </div>
  );
}

/** Queues the delete when it cannot be sent now; true when it did. */
function queuedInstead(task: Task): boolean {
  if (!shouldQueue() && !isLocalTask(task.id)) return false;
  queueDelete(task, etagOf(task.id) ?? versionTag(task));
  return true;
}

async function send(entry: Pending): Promise<void> {
  if (entry.sent || entry.undone) return;
  entry.sent = true;
  pending.delete(entry.task.id);
  const etag = etagOf(entry.task.id);
  const key = newIdempotencyKey();
  try {
    if (!queuedInstead(entry.task)) {
      await deleteTask(entry.task.id, { etag, key }).catch((error: unknown) => {
        // No answer: the delete may have been done, and its key makes sending it again safe.
        if (!isOfflineError(error)) throw error;
        queueDelete(entry.task, etag, key);
      });
    }
    emit({ type: "deleted", task: entry.task });
  } catch (error) {
    // The task is still there: put it back where it was.
    emit({ type: "restored", task: entry.task, index: entry.index });
    notifyError(error, { context: `Could not delete “${entry.task.title}”.` });
  }
}

/** Removes nothing by itself: the caller hides the task, this sends or undoes the delete. */
export function scheduleDelete(task: Task, index: number): void {
  if (pending.has(task.id)) return;
  // A fresh toast id each time: the toast of an undone delete may still be fading out.
  scheduled += 1;
  const entry: Pending = { task, index, toastId: `delete-${task.id}-${scheduled}`, undone: false, sent: false };
  pending.set(task.id, entry);
  toast(
    (props) => (
      <UndoToast
        title={`“${task.title}”`}
        onUndo={() => {
          if (entry.sent) return;
          entry.undone = true;
          pending.delete(task.id);
          emit({ type: "restored", task, index });
        }}
        {...props}
      />
    ),
    {
      toastId: entry.toastId,
      autoClose: UNDO_MS,
      closeOnClick: false,
      onClose: () => void send(entry),
    },
  );
}

// -- many at once: one toast, one undo, one DELETE /api/tasks whose items fail alone ----------

interface PendingBatch {
  entries: { task: Task; index: number }[];
  toastId: string;
  undone: boolean;
  sent: boolean;
}

const batches = new Set<PendingBatch>();

async function sendBatch(batch: PendingBatch): Promise<void> {
  if (batch.sent || batch.undone) return;
  batch.sent = true;
  batches.delete(batch);
  const restore = (entry: { task: Task; index: number }, problem?: string) =>
    emit({ type: "restored", task: entry.task, index: entry.index, problem });
  if (shouldQueue()) {
    queueEach(batch, restore);
    return;
  }
  try {
    const results = await deleteTasks(batch.entries.map((entry) => entry.task));
    batch.entries.forEach((entry, position) => {
      const result = results[position];
      if (result?.status === 204) emit({ type: "deleted", task: entry.task });
      else restore(entry, result?.problem?.detail ?? "It could not be deleted.");
    });
    const kept = results.filter((result) => result.status !== 204).length;
    if (kept > 0) notifyInfo(`${kept} of ${results.length} tasks could not be deleted; each says why.`);
  } catch (error) {
    batch.entries.forEach((entry) => restore(entry));
    notifyError(error, { context: "Could not delete the tasks." });
  }
}

/** Without a connection: one queued delete per task, as if each were deleted alone (the queue knows no batches). */
function queueEach(batch: PendingBatch, restore: (entry: { task: Task; index: number }) => void): void {
  for (const entry of batch.entries) {
    try {
      queueDelete(entry.task, etagOf(entry.task.id) ?? versionTag(entry.task));
      emit({ type: "deleted", task: entry.task });
    } catch (error) {
      restore(entry);
      notifyError(error, { context: `Could not delete “${entry.task.title}”.` });
    }
  }
}

/** Like scheduleDelete, for several tasks at once (`index`: where each was, to come back to). */
export function scheduleDeleteMany(entries: { task: Task; index: number }[]): void {
  const fresh = entries.filter((entry) => !isPendingDelete(entry.task.id));
  if (fresh.length === 0) return;
  if (fresh.length === 1) return scheduleDelete(fresh[0].task, fresh[0].index);
  scheduled += 1;
  const batch: PendingBatch = { entries: fresh, toastId: `delete-many-${scheduled}`, undone: false, sent: false };
  batches.add(batch);
  toast(
    (props) => (
      <UndoToast
        title={`${fresh.length} tasks`}
        onUndo={() => {
          if (batch.sent) return;
          batch.undone = true;
          batches.delete(batch);
          // Back in their places, the first first, so that each index is the one it had.
          [...fresh].sort((a, b) => a.index - b.index).forEach((entry) => emit({ type: "restored", ...entry }));
        }}
        {...props}
      />
    ),
    { toastId: batch.toastId, autoClose: UNDO_MS, closeOnClick: false, onClose: () => void sendBatch(batch) },
  );
}

export async function flushPendingDeletes(): Promise<void> {
  const entries = [...pending.values()];
  const waiting = [...batches];
  await Promise.all([...entries.map((entry) => send(entry)), ...waiting.map((batch) => sendBatch(batch))]);
  entries.forEach((entry) => toast.dismiss(entry.toastId));
  waiting.forEach((batch) => toast.dismiss(batch.toastId));
}

registerPendingWork(flushPendingDeletes);

// A page that is closed or reloaded cannot wait for a toast: send with keepalive.
if (typeof window !== "undefined") {
  window.addEventListener("pagehide", () => {
    const token = getAccessToken();
    for (const entry of pending.values()) {
      if (entry.sent || entry.undone) continue;
      entry.sent = true;
      try {
        if (queuedInstead(entry.task)) continue;
      } catch {
        // Not kept on the device: sent as it is, the last chance it has.
      }
      const headers: Record<string, string> = {};
      if (token) headers.Authorization = `Bearer ${token}`;
      const etag = etagOf(entry.task.id);
      if (etag) headers["If-Match"] = etag;
      void fetch(`/api/tasks/${encodeURIComponent(entry.task.id)}`, {
        method: "DELETE",
        headers,
        credentials: "same-origin",
        keepalive: true,
      }).catch(() => undefined);
    }
    pending.clear();
    for (const batch of batches) {
      if (batch.sent || batch.undone) continue;
      batch.sent = true;
      if (shouldQueue()) {
        queueEach(batch, () => undefined); // one the storage refuses is lost with the page
        continue;
      }
      const items = batch.entries.map((entry) => batchItem(entry.task));
      void fetch("/api/tasks", {
        method: "DELETE",
        headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json" },
        body: JSON.stringify({ items }),
        credentials: "same-origin",
        keepalive: true,
      }).catch(() => undefined);
    }
    batches.clear();
  });
}
