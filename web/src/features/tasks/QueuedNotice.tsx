import type { ReactNode } from "react";
import { formatDue } from "../../lib/dates";
import type { Task } from "../../types/task";
import { describeRule } from "./rrule";
import { priorityLabel, type TaskPatch } from "./types";
import { VersionsTable } from "./VersionsTable";
import { applyMineAgain, dismissRefused, keepTheirs, type QueuedState } from "./writeQueue";

const FIELDS: { name: keyof TaskPatch; label: string; show: (task: Task) => string }[] = [
  { name: "title", label: "Title", show: (task) => task.title },
  { name: "description", label: "Description", show: (task) => task.description || "(none)" },
  { name: "priority", label: "Priority", show: (task) => priorityLabel(task.priority) },
  { name: "due_date", label: "Due", show: (task) => (task.due_date ? formatDue(task.due_date) : "No due date") },
  { name: "recurrence", label: "Repeats", show: (task) => describeRule(task.recurrence) },
  { name: "completed", label: "Done", show: (task) => (task.completed ? "Done" : "Open") },
];

/** The fields the queued change sets, where the server's version now says something else. */
function differences(changes: TaskPatch, mine: Task, theirs: Task) {
  return FIELDS.filter(({ name, show }) => name in changes && show(mine) !== show(theirs)).map(({ name, label, show }) => ({
    field: name,
    label,
    mine: show(mine),
    theirs: show(theirs),
  }));
}

/** "Waiting to send", for a task row's line of details. */
export function WaitingBadge() {
  return <span className="badge text-bg-warning" data-testid="queued-waiting">Waiting to send</span>;
}

/**
 * A change made offline that the server refused, on its task's row: changed elsewhere meanwhile
 * (412: both versions, to keep theirs or apply mine on top of theirs), or refused for another
 * reason (the server's words, to dismiss the change).
 */
export function QueuedNotice({ task, state }: { task: Task; state: Exclude<QueuedState, { status: "waiting" }> }) {
  if (state.status === "refused") {
    return (
      <div className="small text-danger-emphasis mt-1 d-flex flex-wrap align-items-center gap-2" role="alert" data-testid="queued-refused">
        <span>Your change made offline was not saved: {state.detail}</span>
        <button type="button" className="btn btn-sm btn-outline-secondary py-0" onClick={() => dismissRefused(state.write.taskId)}>
          Dismiss
        </button>
      </div>
    );
  }
  const deleted = state.write.kind === "delete";
  const rows = deleted ? [] : differences(state.write.body ?? {}, state.mine, state.theirs);
  return (
    <section className="alert alert-warning small py-2 px-3 mt-2 mb-0" aria-label={`Conflict on “${task.title}”`} data-testid="queued-conflict">
      <p className="mb-1 fw-semibold" role="alert">
        {deleted
          ? "You deleted this task while offline, but it was changed elsewhere meanwhile."
          : "This task was changed elsewhere while your change waited to be sent."}
      </p>
      {rows.length > 0 && (
        <VersionsTable rows={rows} caption="Your change and the version saved now, field by field" testIdPrefix="queued-conflict" />
      )}
      <div className="d-flex flex-wrap gap-2">
        <button type="button" className="btn btn-sm btn-warning" onClick={() => applyMineAgain(state.write.taskId)}>
          {deleted ? "Delete anyway" : "Apply mine"}
        </button>
        <button type="button" className="btn btn-sm btn-outline-dark" onClick={() => keepTheirs(state.write.taskId)}>
          Keep theirs
        </button>
      </div>
    </section>
  );
}

/** What a task's row or page shows of its queued changes: a badge beside its details, a notice below them. */
export interface QueuedMarks {
  badge?: ReactNode;
  notice?: ReactNode;
}

export function queuedMarks(task: Task, state: QueuedState | undefined): QueuedMarks {
  if (!state) return {};
  if (state.status === "waiting") return { badge: <WaitingBadge /> };
  return { notice: <QueuedNotice task={task} state={state} /> };
}
