/**
 * Completing an occurrence of a repeating task moves the task on to its next one: the API
 * records the completion and gives the task its next due date. Said in a toast, with Undo.
 *
 * The API has no call that takes a completion back. Undo puts the task back on the due date it
 * had (the same rule and zone, planned again from that date); the completion stays recorded, so
 * it still counts in the statistics, and a rule limited to a number of times (COUNT) starts
 * counting again from that date. The toast says so.
 */
import { toast, type ToastContentProps } from "react-toastify/unstyled";
import { notifyError } from "../../components/notify";
import { defaultTimeZone } from "../../lib/accountTimeZone";
import { formatOccurrence } from "../../lib/dates";
import type { Task } from "../../types/task";
import { updateTask } from "./api";

export const NEXT_OCCURRENCE_MS = 10_000;

/** Whether the answer to completing `before` moved it to another occurrence instead of closing it. */
export function movedToNextOccurrence(before: Task, after: Task): boolean {
  return Boolean(before.recurrence) && !before.completed && !after.completed && Boolean(after.due_date) &&
    after.due_date !== before.due_date;
}

/** The task back on the occurrence it had before it was completed (see above for what stays). */
export async function undoCompletion(before: Task, after: Task): Promise<Task> {
  return updateTask(after.id, { due_date: before.due_date, recurrence: after.recurrence, timezone: after.timezone });
}

function NextToast({ before, after, onUndo, closeToast }: { before: Task; after: Task; onUndo: () => void } & Partial<ToastContentProps>) {
  // The repeats' zone; the account's for a task that names none.
  const zone = after.timezone || defaultTimeZone();
  return (
    <div data-testid="next-occurrence">
      <p className="mb-1 text-break">
        Done: “{after.title}”. Next: <time dateTime={after.due_date ?? undefined}>{formatOccurrence(after.due_date ?? "", zone)}</time>
      </p>
      <div className="d-flex align-items-center gap-2">
        <button type="button" className="btn btn-sm btn-outline-primary"
          aria-describedby={`undo-${after.id}-what`}
          onClick={() => {
            closeToast?.();
            onUndo();
          }}>
          Undo
        </button>
        {before.due_date && (
          <span id={`undo-${after.id}-what`} className="small">
            Undo puts it back to {formatOccurrence(before.due_date, zone)}; the completion stays counted in the statistics.
          </span>
        )}
      </div>
    </div>
  );
}

/**
 * After completing `before`: if it moved on, says when it is due next and offers Undo, which
 * hands the task as it then is to `onUndone`.
 */
export function announceNextOccurrence(before: Task, after: Task, onUndone: (task: Task) => void): void {
  if (!movedToNextOccurrence(before, after)) return;
  const undo = async () => {
    try {
      onUndone(await undoCompletion(before, after));
    } catch (error) {
      notifyError(error, { context: `Could not undo completing “${after.title}”.` });
    }
  };
  toast.info((props) => <NextToast before={before} after={after} onUndo={() => void undo()} {...props} />, {
    toastId: `next-${after.id}-${after.version}`,
    autoClose: NEXT_OCCURRENCE_MS,
    closeOnClick: false,
  });
}
