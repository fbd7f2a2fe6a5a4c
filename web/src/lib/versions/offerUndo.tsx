import { notifyError, notifyInfo, notifyUndoable } from "../../components/notify";
import type { Task } from "../../types/task";
import { NothingToUndo, undoChange, type RestoredTask } from "./api";

interface UndoOptions {
  /** The task's version once the change was made (its ETag's number). */
  taskVersion: number;
  taskId: string;
  /** Shows the task as the undo left it. */
  onUndone: (task: RestoredTask) => void;
}

/**
 * Says what was just changed, with Undo: the task goes back to its version before the change,
 * unless it has changed again since (then the person is told, and nothing is undone).
 */
export function offerUndo(message: string, { taskId, taskVersion, onUndone }: UndoOptions): void {
  notifyUndoable(message, async () => {
    try {
      onUndone(await undoChange(taskId, taskVersion));
      notifyInfo("Undone.");
    } catch (error) {
      if (error instanceof NothingToUndo) {
        notifyInfo(error.message);
        return;
      }
      notifyError(error, {
        context: "Could not undo.",
        byStatus: {
          412: "The task has changed again since, so this change can no longer be undone on its own. Its history has every version.",
        },
      });
    }
  });
}

/** offerUndo for a change that answered with the task. */
export function offerUndoOf(message: string, changed: Task, onUndone: (task: Task) => void): void {
  offerUndo(message, { taskId: changed.id, taskVersion: changed.version, onUndone });
}
