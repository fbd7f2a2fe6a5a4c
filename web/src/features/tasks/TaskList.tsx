import { useEffect, useRef, type ReactNode } from "react";
import { Link } from "react-router";
import { TagBadge } from "../../components/TagBadge";
import { formatDue } from "../../lib/dates";
import type { Task } from "../../types/task";
import { RowMenu } from "./RowMenu";
import { isOverdue, priorityBadge, priorityLabel } from "./types";

interface TaskListProps {
  tasks: Task[];
  busy: ReadonlySet<string>;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onToggle: (task: Task) => void;
  onEdit: (task: Task) => void;
  onDelete: (task: Task) => void;
  /** The task being edited in place, and the editor to show for it. */
  editingId?: string | null;
  editor?: ReactNode;
  /** The row the list keys (j/k) selected. */
  selectedId?: string | null;
  empty: ReactNode;
  /** Viewers see the tasks without the controls that change them. */
  readOnly?: boolean;
}

export function TaskList(props: TaskListProps) {
  const { tasks, busy, hasMore, loadingMore, onLoadMore, editingId, editor, empty } = props;
  const sentinel = useRef<HTMLDivElement>(null);

  // Infinite scroll: the next page loads when the end of the list comes into view.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasMore || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) onLoadMore();
      },
      { rootMargin: "400px 0px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, onLoadMore]);

  if (tasks.length === 0) return <>{empty}</>;

  return (
    <>
      <ul className="list-group mb-3" aria-label="Tasks">
        {tasks.map((task) =>
          task.id === editingId ? (
            <li key={task.id} className="list-group-item py-3">
              {editor}
            </li>
          ) : (
            <TaskRow key={task.id} task={task} pending={busy.has(task.id)} {...props} />
          ),
        )}
      </ul>
      <div ref={sentinel} className="text-center mb-4">
        {hasMore ? (
          <button type="button" className="btn btn-outline-primary" onClick={onLoadMore} disabled={loadingMore}>
            {loadingMore ? "Loading more…" : "Load more tasks"}
          </button>
        ) : (
          <p className="text-body-secondary small mb-0">
            {tasks.length === 1 ? "1 task" : `${tasks.length} tasks`}, that is all.
          </p>
        )}
      </div>
    </>
  );
}

function TaskRow({ task, pending, onToggle, onEdit, onDelete, readOnly, selectedId }: { task: Task; pending: boolean } & TaskListProps) {
  const overdue = isOverdue(task);
  return (
    <li className={`list-group-item d-flex align-items-start gap-2 gap-sm-3 py-3 ${task.id === selectedId ? "is-selected" : ""}`}
      data-testid="task-row" data-row-id={task.id} tabIndex={-1} aria-current={task.id === selectedId ? "true" : undefined}>
      <input
        type="checkbox"
        className="form-check-input flex-shrink-0 mt-0 task-check"
        checked={task.completed}
        disabled={pending || readOnly}
        aria-label={`Completed: ${task.title}`}
        onChange={() => onToggle(task)}
      />
      <div className="flex-grow-1" style={{ minWidth: 0 }}>
        <Link
          to={`/tasks/${task.id}`}
          className={`fw-semibold text-break ${
            task.completed
              ? "text-decoration-line-through link-secondary"
              : "link-body-emphasis link-underline-opacity-0 link-underline-opacity-100-hover"
          }`}
        >
          {task.title}
        </Link>
        <div className="d-flex flex-wrap align-items-center gap-2 small mt-1">
          <span className={`badge ${priorityBadge(task.priority)}`}>{priorityLabel(task.priority)}</span>
          {task.due_date && (
            <span className={overdue ? "text-danger-emphasis fw-semibold" : "text-body-secondary"}>
              {overdue ? "Overdue · " : "Due "}
              <time dateTime={task.due_date}>{formatDue(task.due_date)}</time>
            </span>
          )}
          {task.completed && <span className="text-success-emphasis">Done</span>}
          {task.checklist_progress && task.checklist_progress.total > 0 && (
            <span className="text-body-secondary" data-testid="checklist-progress"
              aria-label={`Checklist: ${task.checklist_progress.done} of ${task.checklist_progress.total} done`}>
              ☑ {task.checklist_progress.done}/{task.checklist_progress.total}
            </span>
          )}
          {task.tags?.map((tag) => <TagBadge key={tag.id} tag={tag} />)}
        </div>
      </div>
      {!readOnly && <div className="d-none d-sm-flex gap-1 flex-shrink-0">
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => onEdit(task)}
          aria-label={`Edit “${task.title}”`}>
          Edit
        </button>
        <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => onDelete(task)}
          aria-label={`Delete “${task.title}”`}>
          Delete
        </button>
      </div>}
      {/* On a phone the actions share one menu: a row has no room for them. */}
      {!readOnly && (
        <RowMenu className="d-sm-none flex-shrink-0" label={`Actions for “${task.title}”`}
          actions={[{ label: "Edit", onSelect: () => onEdit(task) }, { label: "Delete", onSelect: () => onDelete(task), danger: true }]} />
      )}
    </li>
  );
}
