import { useEffect, useRef, type CSSProperties, type MouseEvent, type ReactNode } from "react";
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { Link } from "react-router";
import { TagBadge } from "../../components/TagBadge";
import { formatDue } from "../../lib/dates";
import type { Task } from "../../types/task";
import { queuedMarks } from "./QueuedNotice";
import { RowMenu } from "./RowMenu";
import { isOverdue, priorityBadge, priorityLabel } from "./types";
import { isLocalTask, type QueuedState } from "./writeQueue";

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
  /** Manual order: rows are dragged (by the handle, or with the keyboard) to a new place. */
  manual?: boolean;
  onMove?: (from: number, to: number) => void;
  /** Multi-select: the chosen tasks, and a click on a row's box (with Shift: the range). */
  selected?: ReadonlySet<string>;
  onSelect?: (task: Task, index: number, range: boolean) => void;
  /** Why the last batch left a task as it was, by id. */
  failures?: ReadonlyMap<string, string>;
  /** Tasks with changes made offline: waiting to be sent, or refused (with what to do). */
  queued?: ReadonlyMap<string, QueuedState>;
}

type RowProps = { task: Task; index: number; pending: boolean; handle?: ReactNode; rowRef?: (node: HTMLElement | null) => void; style?: CSSProperties };

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

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  if (tasks.length === 0) return <>{empty}</>;

  const manual = Boolean(props.manual && props.onMove && !props.readOnly);
  const rows = (
    <ul className="list-group mb-3" aria-label="Tasks">
      {tasks.map((task, index) =>
        task.id === editingId ? (
          <li key={task.id} className="list-group-item py-3">
            {editor}
          </li>
        ) : manual ? (
          <SortableRow key={task.id} task={task} index={index} pending={busy.has(task.id)} {...props} />
        ) : (
          <TaskRow key={task.id} task={task} index={index} pending={busy.has(task.id)} {...props} />
        ),
      )}
    </ul>
  );
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    const from = tasks.findIndex((task) => task.id === active.id);
    const to = tasks.findIndex((task) => task.id === over.id);
    if (from >= 0 && to >= 0) props.onMove?.(from, to);
  };

  return (
    <>
      {manual ? (
        <DndContext
          sensors={sensors}
          collisionDetection={closestCenter}
          onDragEnd={onDragEnd}
          accessibility={{ announcements: announcements(tasks), screenReaderInstructions: { draggable: DRAG_INSTRUCTIONS } }}
        >
          <SortableContext items={tasks.map((task) => task.id)} strategy={verticalListSortingStrategy}>
            {rows}
          </SortableContext>
        </DndContext>
      ) : (
        rows
      )}
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

const DRAG_INSTRUCTIONS =
  "To move a task, press Space or Enter on its handle, then the arrow keys; Space or Enter again drops it, Escape cancels.";

/** What a screen reader hears while a task is dragged: titles and places, not ids. */
function announcements(tasks: Task[]): Announcements {
  const title = (id: unknown) => tasks.find((task) => task.id === id)?.title ?? "the task";
  const place = (id: unknown) => tasks.findIndex((task) => task.id === id) + 1;
  return {
    onDragStart: ({ active }) => `Picked up “${title(active.id)}”, at place ${place(active.id)} of ${tasks.length}.`,
    onDragOver: ({ active, over }) =>
      over ? `“${title(active.id)}” is over place ${place(over.id)} of ${tasks.length}.` : `“${title(active.id)}” is not over the list.`,
    onDragEnd: ({ active, over }) =>
      over ? `Dropped “${title(active.id)}” at place ${place(over.id)} of ${tasks.length}.` : `Dropped “${title(active.id)}” where it was.`,
    onDragCancel: ({ active }) => `Moving “${title(active.id)}” was cancelled; it stays at place ${place(active.id)}.`,
  };
}

function SortableRow(props: RowProps & TaskListProps) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: props.task.id,
    disabled: props.pending,
  });
  const style: CSSProperties = {
    transform: CSS.Transform.toString(transform),
    transition,
    ...(isDragging ? { position: "relative", zIndex: 2 } : {}),
  };
  const handle = (
    <button type="button" ref={setActivatorNodeRef}
      className="btn btn-sm btn-link text-body-secondary p-0 lh-1 flex-shrink-0 drag-handle"
      aria-label={`Move “${props.task.title}”`} disabled={props.pending} {...attributes} {...listeners}>
      <span aria-hidden="true">⠿</span>
    </button>
  );
  return <TaskRow {...props} rowRef={setNodeRef} style={style} handle={handle} />;
}

function TaskRow(props: RowProps & TaskListProps) {
  const { task, index, pending, onToggle, onEdit, onDelete, readOnly, handle, rowRef, style, selected, onSelect, failures, selectedId } = props;
  const overdue = isOverdue(task);
  const failure = failures?.get(task.id);
  const chosen = selected?.has(task.id) ?? false;
  const queued = queuedMarks(task, props.queued?.get(task.id));
  // Made offline: no page and no batch until the server has it.
  const local = isLocalTask(task.id);
  const titleClass = `fw-semibold text-break ${
    task.completed
      ? "text-decoration-line-through link-secondary"
      : "link-body-emphasis link-underline-opacity-0 link-underline-opacity-100-hover"
  }`;
  return (
    <li ref={rowRef} style={style}
      className={`list-group-item d-flex align-items-start gap-2 gap-sm-3 py-3${chosen ? " list-group-item-primary" : ""}${task.id === selectedId ? " is-selected" : ""}`}
      data-testid="task-row" data-row-id={task.id} tabIndex={-1} aria-current={task.id === selectedId ? "true" : undefined}
      aria-describedby={failure ? `failure-${task.id}` : undefined}>
      {handle}
      {onSelect && !readOnly && !local && (
        <input type="checkbox" className="form-check-input flex-shrink-0 mt-0 task-select" checked={chosen}
          aria-label={`Select “${task.title}”`}
          onChange={() => undefined}
          onClick={(event: MouseEvent<HTMLInputElement>) => onSelect(task, index, event.shiftKey)} />
      )}
      <input
        type="checkbox"
        className="form-check-input flex-shrink-0 mt-0 task-check"
        checked={task.completed}
        disabled={pending || readOnly}
        aria-label={`Completed: ${task.title}`}
        onChange={() => onToggle(task)}
      />
      <div className="flex-grow-1" style={{ minWidth: 0 }}>
        {local ? (
          <span className={titleClass}>{task.title}</span>
        ) : (
          <Link to={`/tasks/${task.id}`} className={titleClass}>
            {task.title}
          </Link>
        )}
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
          {queued.badge}
        </div>
        {queued.notice}
        {failure && (
          <div id={`failure-${task.id}`} className="small text-danger-emphasis mt-1" data-testid="row-failure">
            Not changed: {failure}
          </div>
        )}
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
