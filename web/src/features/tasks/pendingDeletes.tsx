/**
 * Delete with undo: the task leaves the list at once, and the DELETE is sent only when
 * the "Undo" toast closes without being used. Logging out or leaving the page sends
 * whatever is still waiting.
 */
import { toast, type ToastContentProps } from "react-toastify/unstyled";
import { getAccessToken } from "../../api/client";
import { etagOf } from "../../api/etags";
import { registerPendingWork } from "../../api/pendingWork";
import { notifyError } from "../../components/notify";
import { deleteTask } from "./api";
import type { Task } from "../../types/task";

export const UNDO_MS = 5_000;

export type DeleteEvent =
  | { type: "restored"; task: Task; index: number }
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
  return pending.has(id);
}

function UndoToast({ title, onUndo, closeToast }: { title: string; onUndo: () => void } & Partial<ToastContentProps>) {
  return (
    <div className="d-flex align-items-center gap-3">
      <span className="flex-grow-1 text-break">Deleted “{title}”.</span>
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

async function send(entry: Pending): Promise<void> {
  if (entry.sent || entry.undone) return;
  entry.sent = true;
  pending.delete(entry.task.id);
  try {
    await deleteTask(entry.task.id);
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
        title={task.title}
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

export async function flushPendingDeletes(): Promise<void> {
  const entries = [...pending.values()];
  await Promise.all(entries.map((entry) => send(entry)));
  entries.forEach((entry) => toast.dismiss(entry.toastId));
}

registerPendingWork(flushPendingDeletes);

// A page that is closed or reloaded cannot wait for a toast: send with keepalive.
if (typeof window !== "undefined") {
  window.addEventListener("pagehide", () => {
    const token = getAccessToken();
    for (const entry of pending.values()) {
      if (entry.sent || entry.undone) continue;
      entry.sent = true;
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
  });
}
