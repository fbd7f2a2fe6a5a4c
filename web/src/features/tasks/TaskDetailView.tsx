import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import axios from "axios";
import { Link, useNavigate } from "react-router";
import { httpStatus } from "../../api/problem";
import { notifyError } from "../../components/notify";
import { Spinner } from "../../components/Spinner";
import { usePageTitle } from "../../components/usePageTitle";
import { browserTimeZone, formatFull } from "../../lib/dates";
import { hasDraft } from "../../lib/drafts/store";
import { useDraftOwner } from "../../lib/drafts/useFormDraft";
import { offerUndoOf } from "../../lib/versions/offerUndo";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import type { Task } from "../../types/task";
import { getTask, skipOccurrence } from "./api";
import { announceNextOccurrence, movedToNextOccurrence } from "./nextOccurrence";
import { scheduleDelete } from "./pendingDeletes";
import { queuedMarks } from "./QueuedNotice";
import { describeRule } from "./rrule";
import { editDraftKey, TaskForm, type SaveOptions } from "./TaskForm";
import { isOverdue, priorityBadge, priorityLabel, type TaskInput } from "./types";
import { updateOrQueue } from "./updateOrQueue";
import { useQueuedWrites } from "./useQueuedWrites";
import { onQueuedTaskNews, withQueued } from "./writeQueue";

/** What the sections below a task get from it. */
export interface TaskSectionProps {
  task: Task;
  /** Viewers see the task without the controls that change it. */
  canEdit: boolean;
  /** Shows the task as a section's call answered it. */
  replaceTask: (task: Task) => void;
  /** Reads the task again, for a change that gave it a new version without answering with it. */
  reloadTask: () => Promise<void>;
}

interface TaskDetailViewProps {
  taskId: string;
  /** What the page shows below the task; other features' sections, put together by the page. */
  sections?: (props: TaskSectionProps) => ReactNode;
}

type State = { kind: "loading" } | { kind: "missing" } | { kind: "failed" } | { kind: "ready"; task: Task };

/** One task: its fields, and the controls to complete, edit, skip or delete it. */
export function TaskDetailView({ taskId, sections }: TaskDetailViewProps) {
  const navigate = useNavigate();
  const [state, setState] = useState<State>({ kind: "loading" });
  const [editing, setEditing] = useState(false);
  const [toggling, setToggling] = useState(false);
  const { roleIn } = useWorkspaces();
  const replaceTask = useCallback((next: Task) => setState({ kind: "ready", task: next }), []);
  const reloadTask = useCallback(async () => replaceTask(await getTask(taskId)), [taskId, replaceTask]);

  // The task as the server sent it, with the changes queued offline on top (null: deleted offline).
  const writes = useQueuedWrites();
  const read = state.kind === "ready" ? state.task : null;
  const queued = useMemo(() => {
    if (!read) return null;
    const { tasks, states } = withQueued([read], writes, undefined);
    return { task: tasks.find((task) => task.id === read.id) ?? null, state: states.get(read.id) };
  }, [read, writes]);
  usePageTitle(queued?.task?.title ?? "Task");

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        setState({ kind: "ready", task: await getTask(taskId, signal) });
      } catch (error) {
        if (axios.isCancel(error)) return;
        if (httpStatus(error) === 404) {
          setState({ kind: "missing" });
        } else {
          setState({ kind: "failed" });
          notifyError(error, { context: "Could not load the task." });
        }
      }
    },
    [taskId],
  );

  // Another task: show "Loading" until it arrives.
  const [shownId, setShownId] = useState(taskId);
  if (shownId !== taskId) {
    setShownId(taskId);
    setState({ kind: "loading" });
    setEditing(false);
  }

  // An edit the end of the session interrupted opens again, with what was typed, once the task is here.
  const owner = useDraftOwner();
  const [draftCheckedFor, setDraftCheckedFor] = useState<string | null>(null);
  if (state.kind === "ready" && draftCheckedFor !== taskId) {
    setDraftCheckedFor(taskId);
    if (hasDraft(owner, editDraftKey(taskId))) setEditing(true);
  }

  useEffect(() => {
    const controller = new AbortController();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- load() sets state only after its await, never synchronously (a known false positive of the rule: react/react#34905)
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  // What the queue's sender learned of this task: the server's version, or that it is gone.
  useEffect(
    () =>
      onQueuedTaskNews((id, task) => {
        if (id !== taskId) return;
        if (task) replaceTask(task);
        else if (task === null) setState({ kind: "missing" });
        else void load();
      }),
    [taskId, replaceTask, load],
  );

  if (state.kind === "loading") return <Spinner label="Loading the task…" />;
  if (state.kind === "missing") {
    return (
      <div className="py-5 text-center">
        <h1 className="h3">Task not found</h1>
        <p className="text-body-secondary">It may have been deleted, or it is not yours.</p>
        <Link to="/" className="btn btn-primary">Back to your tasks</Link>
      </div>
    );
  }
  if (state.kind === "failed") {
    return (
      <div className="py-5 text-center">
        <h1 className="h3">The task could not be loaded</h1>
        <button type="button" className="btn btn-primary" onClick={() => void load()}>Try again</button>
      </div>
    );
  }

  if (!queued?.task) {
    return (
      <div className="py-5 text-center">
        <h1 className="h3">Deleted while offline</h1>
        <p className="text-body-secondary">The delete is waiting to be sent.</p>
        <Link to="/" className="btn btn-primary">Back to your tasks</Link>
      </div>
    );
  }

  const previous = state.task;
  const task = queued.task;
  const marks = queuedMarks(task, queued.state);
  const overdue = isOverdue(task);
  const canEdit = roleIn(task.workspace_id) !== "viewer";

  async function save(input: TaskInput, options?: SaveOptions) {
    const { task: saved, queued } = await updateOrQueue(task, input, options?.etag);
    setEditing(false);
    if (queued) return; // shown from the queue until it is sent
    setState({ kind: "ready", task: saved });
    offerUndoOf(`Saved “${saved.title}”.`, saved, replaceTask);
  }

  async function toggle() {
    const completed = !task.completed;
    setState({ kind: "ready", task: { ...previous, completed, completed_at: completed ? new Date().toISOString() : null } });
    setToggling(true);
    try {
      const { task: saved, queued } = await updateOrQueue(task, { completed });
      if (queued) {
        setState({ kind: "ready", task: previous }); // shown from the queue until it is sent
        return;
      }
      setState({ kind: "ready", task: saved });
      // A repeating task's completion says so with an undo of its own.
      if (movedToNextOccurrence(task, saved)) announceNextOccurrence(task, saved, replaceTask);
      else offerUndoOf(saved.completed ? `Marked “${saved.title}” as done.` : `Marked “${saved.title}” as open.`, saved, replaceTask);
    } catch (error) {
      setState({ kind: "ready", task: previous });
      notifyError(error, { context: "Could not update the task.", onReload: () => void load() });
    } finally {
      setToggling(false);
    }
  }

  async function skip() {
    setToggling(true);
    try {
      const next = await skipOccurrence(task.id);
      setState({ kind: "ready", task: next });
      offerUndoOf(next.due_date ? `Skipped. Next occurrence: ${formatFull(next.due_date)}.` : "Skipped to the next occurrence.", next, replaceTask);
    } catch (error) {
      notifyError(error, { context: "Could not skip this occurrence.", onReload: () => void load() });
    } finally {
      setToggling(false);
    }
  }

  function remove() {
    scheduleDelete(task, 0);
    navigate("/");
  }

  return (
    <article className="py-2">
      <nav aria-label="Breadcrumb" className="mb-3">
        <Link to="/">← All tasks</Link>
      </nav>
      {editing ? (
        <section className="card" aria-labelledby="edit-heading">
          <div className="card-body">
            <h1 id="edit-heading" className="h4">Edit task</h1>
            <TaskForm
              task={task}
              label="Edit task"
              submitLabel="Save"
              focusTitle
              draftKey={editDraftKey(task.id)}
              onSubmit={save}
              onCancel={() => setEditing(false)}
              onReload={() => load()}
            />
          </div>
        </section>
      ) : (
        <div className="card">
          <div className="card-body">
            <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
              <span className={`badge ${priorityBadge(task.priority)}`}>{priorityLabel(task.priority)} priority</span>
              <span className={`badge ${task.completed ? "text-bg-success" : "bg-body-tertiary text-body-emphasis border"}`}>
                {task.completed ? "Done" : "Open"}
              </span>
              {overdue && <span className="badge text-bg-danger">Overdue</span>}
              {marks.badge}
            </div>
            <h1 className={`h3 text-break ${task.completed ? "text-decoration-line-through" : ""}`}>{task.title}</h1>
            {marks.notice}
            {task.description ? (
              <p className="text-break" style={{ whiteSpace: "pre-wrap" }}>{task.description}</p>
            ) : (
              <p className="text-body-secondary fst-italic">No description.</p>
            )}
            <dl className="row small mb-0">
              <dt className="col-sm-3">Due</dt>
              <dd className="col-sm-9" data-testid="task-due">
                {task.due_date ? <time dateTime={task.due_date}>{formatFull(task.due_date)}</time> : "No due date"}
              </dd>
              {task.completed_at && (
                <>
                  <dt className="col-sm-3">Completed</dt>
                  <dd className="col-sm-9"><time dateTime={task.completed_at}>{formatFull(task.completed_at)}</time></dd>
                </>
              )}
              <dt className="col-sm-3">Repeats</dt>
              <dd className="col-sm-9" data-testid="task-recurrence">
                {describeRule(task.recurrence)}
                {task.recurrence && task.timezone && <span className="text-body-secondary"> ({task.timezone})</span>}
              </dd>
              <dt className="col-sm-3">Created</dt>
              <dd className="col-sm-9"><time dateTime={task.created_at}>{formatFull(task.created_at)}</time></dd>
              <dt className="col-sm-3">Updated</dt>
              <dd className="col-sm-9"><time dateTime={task.updated_at}>{formatFull(task.updated_at)}</time></dd>
            </dl>
            <p className="small text-body-secondary mt-2 mb-0">Times are shown in your time zone ({browserTimeZone()}).</p>
          </div>
          {canEdit ? (
          <div className="card-footer bg-body d-flex flex-wrap gap-2">
            <button type="button" className="btn btn-success" onClick={() => void toggle()} disabled={toggling}>
              {task.completed ? "Mark as open" : "Mark as done"}
            </button>
            <button type="button" className="btn btn-outline-secondary" onClick={() => setEditing(true)}>
              Edit
            </button>
            {task.recurrence && (
              <button type="button" className="btn btn-outline-secondary" onClick={() => void skip()} disabled={toggling}>
                Skip this occurrence
              </button>
            )}
            <button type="button" className="btn btn-outline-danger ms-sm-auto" onClick={remove}>
              Delete
            </button>
          </div>
          ) : (
            <div className="card-footer bg-body small text-body-secondary">You can view this task; only editors can change it.</div>
          )}
        </div>
      )}
      {sections?.({ task, canEdit, replaceTask, reloadTask })}
    </article>
  );
}

