import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import axios from "axios";
import { Link, useNavigate, useSearchParams } from "react-router";
import { httpStatus } from "../../api/problem";
import { notifyError } from "../../components/notify";
import { Spinner } from "../../components/Spinner";
import { TagBadge } from "../../components/TagBadge";
import { usePageTitle } from "../../components/usePageTitle";
import { dayKey, wallClockIn } from "../../lib/dates";
import { useRevalidation } from "../../lib/revalidate/useRevalidation";
import { onTasksChanged } from "../../lib/taskEvents";
import { useListKeys } from "../../lib/useListKeys";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import type { Task } from "../../types/task";
import { getAgenda, type Agenda, type AgendaTask, type AgendaView } from "./api";

const TITLES: Record<AgendaView, string> = { today: "Today", upcoming: "Upcoming", inbox: "Inbox" };
const EMPTY: Record<AgendaView, string> = {
  today: "Nothing due today, and nothing overdue.",
  upcoming: "Nothing due in the next 14 days.",
  inbox: "Your inbox is empty: every task of your personal workspace has a due date.",
};
const PRIORITY_BADGES: Record<number, [string, string]> = {
  1: ["High", "text-bg-danger"],
  2: ["Normal", "text-bg-secondary"],
  3: ["Low", "text-bg-info"],
};

interface Group {
  key: string;
  label: string;
  tasks: AgendaTask[];
}

function dayLabel(key: string, today: string): string {
  const [year, month, day] = key.split("-").map(Number);
  const [thisYear, thisMonth, thisDay] = today.split("-").map(Number);
  const tomorrow = new Date(Date.UTC(thisYear, thisMonth - 1, thisDay + 1));
  const named = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
  if (key === today) return `Today · ${named}`;
  if (key === tomorrow.toISOString().slice(0, 10)) return `Tomorrow · ${named}`;
  return named;
}

/** Today: overdue first, then today's; upcoming: one group per day in the account's zone; the inbox: one list. */
export function groupAgenda(agenda: Agenda): Group[] {
  if (agenda.view === "inbox") return [{ key: "inbox", label: "", tasks: agenda.items }];
  const groups = new Map<string, Group>();
  for (const task of agenda.items) {
    const due = task.due_date ? dayKey(wallClockIn(new Date(task.due_date), agenda.timezone)) : agenda.today;
    const key = agenda.view === "today" ? (due < agenda.today ? "overdue" : agenda.today) : due;
    if (!groups.has(key)) {
      const label = key === "overdue" ? "Overdue" : dayLabel(key, agenda.today);
      groups.set(key, { key, label, tasks: [] });
    }
    groups.get(key)?.tasks.push(task);
  }
  return [...groups.values()];
}

function dueText(task: AgendaTask, agenda: Agenda): string | null {
  if (!task.due_date) return null;
  const date = new Date(task.due_date);
  const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: agenda.timezone }).format(date);
  const key = dayKey(wallClockIn(date, agenda.timezone));
  if (agenda.view === "today" && key < agenda.today) {
    const day = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: agenda.timezone }).format(date);
    return `${day}, ${time}`;
  }
  return time;
}

/**
 * Delete with undo, the task list's own: the page that puts the agenda together hands it in
 * (src/app/pages/AgendaRoute), as one feature never imports another.
 */
export interface AgendaDeletes {
  /** Sends the DELETE once its "Undo" toast closes unused; the agenda hides the task meanwhile. */
  schedule: (task: Task, index: number) => void;
  /** Whether a delete of this task waits for its toast to close. */
  isPending: (id: string) => boolean;
  /** "restored": undone, or refused by the server; "deleted": gone for good. */
  subscribe: (listener: (event: { type: "restored" | "deleted"; task: Task }) => void) => () => void;
}

/** What a row shows of its task's changes made offline: a badge beside its details, a notice below them. */
export interface AgendaRowMarks {
  badge?: ReactNode;
  notice?: ReactNode;
}

/**
 * The task list's queue of changes made offline, handed in like the deletes: a change that
 * cannot be sent now waits on the device, and the rows show it as the list's do.
 */
export interface AgendaQueue<Snapshot = unknown> {
  /** Follows the queue, in this tab and the others; `snapshot` is the queue now (the same value until it changes). */
  subscribe: (listener: () => void) => () => void;
  snapshot: () => Snapshot;
  /** The rows with the queue's changes on top (tasks deleted offline left out), and what each row shows of them. */
  overlay: (items: AgendaTask[], queue: Snapshot) => { items: AgendaTask[]; marks: ReadonlyMap<string, AgendaRowMarks> };
  /** Completes or reopens the task, for the version shown; false: queued, to be sent later. */
  setCompleted: (task: AgendaTask, completed: boolean) => Promise<boolean>;
  /** What the queue's sender learned of a task: its version now (null: gone; undefined: read it again). */
  onNews: (listener: (taskId: string, task: Task | null | undefined) => void) => () => void;
}

/** One of the views across every workspace: `/today`, `/upcoming` or `/inbox`. */
export function AgendaPage<Snapshot>({ view, deletes, queue }: { view: AgendaView; deletes: AgendaDeletes; queue: AgendaQueue<Snapshot> }) {
  usePageTitle(TITLES[view]);
  const navigate = useNavigate();
  const { roleIn } = useWorkspaces();
  const [search, setSearch] = useSearchParams();
  // Kept here as well as in the address: the switch turns at once, the address follows.
  const [showCompleted, setShowCompleted] = useState(() => search.get("completed") === "1");
  const [agenda, setAgenda] = useState<Agenda | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState<ReadonlySet<string>>(() => new Set());

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const next = await getAgenda(view, showCompleted, signal);
        // A task whose delete waits for its Undo stays hidden, however often the view is read.
        const shown = next.items.some((item) => deletes.isPending(item.id))
          ? { ...next, items: next.items.filter((item) => !deletes.isPending(item.id)) }
          : next;
        setAgenda((current) => (current === shown ? current : shown));
        setFailed(false);
      } catch (error) {
        if (axios.isCancel(error)) return;
        setFailed(true);
      }
    },
    [view, showCompleted, deletes],
  );
  useEffect(() => {
    const controller = new AbortController();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- load() sets state only after its await, never synchronously (a known false positive of the rule: react/react#34905)
    void load(controller.signal);
    const stop = onTasksChanged(() => void load());
    return () => {
      controller.abort();
      stop();
    };
  }, [load]);
  useRevalidation(() => void load());

  // The view as the server sent it, with the changes queued offline on top.
  const queued = useSyncExternalStore(queue.subscribe, queue.snapshot);
  const read = agenda?.view === view ? agenda : null;
  const overlaid = useMemo(() => (read ? queue.overlay(read.items, queued) : null), [read, queue, queued]);
  const current = useMemo(() => read && overlaid && { ...read, items: overlaid.items }, [read, overlaid]);
  const groups = useMemo(() => (current ? groupAgenda(current) : []), [current]);
  const ordered = useMemo(() => groups.flatMap((group) => group.tasks), [groups]);

  // The tasks as read, apart from the queue's changes: what a change queued instead of sent leaves shown.
  const readNow = useRef(agenda);
  useLayoutEffect(() => {
    readNow.current = agenda;
  });
  const toggle = useCallback(
    async (task: AgendaTask) => {
      if (roleIn(task.workspace_id) === "viewer") return;
      setBusy((ids) => new Set([...ids, task.id]));
      const before = readNow.current?.items.find((item) => item.id === task.id);
      const put = (next: AgendaTask | undefined) =>
        next && setAgenda((shown) => shown && { ...shown, items: shown.items.map((item) => (item.id === next.id ? next : item)) });
      // Shown at once; the view is read again once the server has it (a completed task then leaves).
      put(before && { ...before, completed: !task.completed });
      try {
        // Queued instead: the queue's overlay shows the change until it is sent.
        if (!(await queue.setCompleted(task, !task.completed))) put(before);
      } catch (error) {
        notifyError(error, {
          context: `Could not update “${task.title}”.`,
          byStatus: { 412: `“${task.title}” was changed elsewhere; the list shows it as it is now.` },
        });
        put(before);
        if (httpStatus(error) === 412 || httpStatus(error) === 404) void load();
      } finally {
        setBusy((ids) => new Set([...ids].filter((id) => id !== task.id)));
      }
    },
    [load, roleIn, queue],
  );
  // What the queue's sender learned shows at once, before the view is read again.
  useEffect(
    () =>
      queue.onNews((taskId, task) => {
        if (task !== undefined) {
          setAgenda((shown) => {
            if (!shown) return shown;
            const items = task
              ? shown.items.map((item) => (item.id === taskId ? { ...item, ...task } : item))
              : shown.items.filter((item) => item.id !== taskId);
            return { ...shown, items };
          });
        }
        void load();
      }),
    [queue, load],
  );
  // The tasks this page hid for a delete, to put back where they were if it is undone.
  const hidden = useRef(new Map<string, { task: AgendaTask; index: number }>());
  const remove = useCallback(
    (task: AgendaTask) => {
      if (roleIn(task.workspace_id) === "viewer") return false;
      const index = Math.max(0, agenda?.items.findIndex((item) => item.id === task.id) ?? 0);
      // Put back as read: the queue's changes, if any, still show on top.
      hidden.current.set(task.id, { task: agenda?.items.find((item) => item.id === task.id) ?? task, index });
      setAgenda((shown) => shown && { ...shown, items: shown.items.filter((item) => item.id !== task.id) });
      deletes.schedule(task, index);
      return true;
    },
    [agenda, deletes, roleIn],
  );
  useEffect(
    () =>
      deletes.subscribe((event) => {
        const mine = hidden.current.get(event.task.id);
        hidden.current.delete(event.task.id);
        if (event.type === "deleted") return;
        // A task hidden by another page (the list, a moment ago) comes back with a fresh read.
        if (!mine) {
          void load();
          return;
        }
        setAgenda((shown) => {
          if (!shown || shown.items.some((item) => item.id === mine.task.id)) return shown;
          const items = [...shown.items];
          items.splice(Math.min(mine.index, items.length), 0, mine.task);
          return { ...shown, items };
        });
      }),
    [deletes, load],
  );

  const keys = useListKeys<AgendaTask>(
    ordered,
    {
      complete: (task) => void toggle(task),
      edit: (task) => void navigate(`/tasks/${task.id}`),
      remove,
    },
    true,
    "Open the selected task, to edit it",
  );

  return (
    <>
      <div className="d-flex flex-wrap align-items-center justify-content-between gap-2 mb-3">
        <div>
          <h1 className="h3 mb-0">{TITLES[view]}</h1>
          {current && (
            <p className="text-body-secondary small mb-0">
              {view === "inbox" ? "Tasks of your personal workspace without a due date." : `Days in ${current.timezone}.`}
            </p>
          )}
        </div>
        <div className="form-check form-switch mb-0">
          <input
            id="show-completed"
            className="form-check-input"
            type="checkbox"
            role="switch"
            checked={showCompleted}
            onChange={(event) => {
              setShowCompleted(event.target.checked);
              setSearch(event.target.checked ? { completed: "1" } : {}, { replace: true });
            }}
          />
          <label className="form-check-label" htmlFor="show-completed">Show completed</label>
        </div>
      </div>
      {failed && !current ? (
        <div className="alert alert-danger d-flex flex-wrap align-items-center gap-2">
          <span className="flex-grow-1">This view could not be loaded.</span>
          <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => void load()}>Try again</button>
        </div>
      ) : !current ? (
        <Spinner label={`Loading ${TITLES[view].toLowerCase()}…`} />
      ) : ordered.length === 0 ? (
        <div className="text-center text-body-secondary py-5 border rounded bg-body">{EMPTY[view]}</div>
      ) : (
        groups.map((group) => (
          <section key={group.key} aria-labelledby={group.label ? `group-${group.key}` : undefined} className="mb-3">
            {group.label && (
              <h2 id={`group-${group.key}`} className={`h6 mb-2 ${group.key === "overdue" ? "text-danger-emphasis" : ""}`}>
                {group.label} <span className="text-body-secondary fw-normal">({group.tasks.length})</span>
              </h2>
            )}
            <ul className="list-group" aria-label={group.label || TITLES[view]}>
              {group.tasks.map((task) => (
                <AgendaRow key={task.id} task={task} agenda={current} selected={task.id === keys.selectedId}
                  marks={overlaid?.marks.get(task.id)}
                  pending={busy.has(task.id)} readOnly={roleIn(task.workspace_id) === "viewer"} onToggle={toggle} />
              ))}
            </ul>
          </section>
        ))
      )}
      {current?.truncated && (
        <p className="text-body-secondary small">Only the first {current.items.length} tasks are listed.</p>
      )}
      <div className="visually-hidden" aria-live="polite">{keys.announcement}</div>
    </>
  );
}

interface RowProps {
  task: AgendaTask;
  marks: AgendaRowMarks | undefined;
  agenda: Agenda;
  selected: boolean;
  pending: boolean;
  readOnly: boolean;
  onToggle: (task: AgendaTask) => Promise<void>;
}

function AgendaRow({ task, marks, agenda, selected, pending, readOnly, onToggle }: RowProps) {
  const [label, badge] = PRIORITY_BADGES[task.priority] ?? PRIORITY_BADGES[2];
  const due = dueText(task, agenda);
  return (
    <li className={`list-group-item d-flex align-items-start gap-2 gap-sm-3 py-2 ${selected ? "is-selected" : ""}`}
      data-testid="agenda-row" data-row-id={task.id} tabIndex={-1} aria-current={selected ? "true" : undefined}>
      <input
        type="checkbox"
        className="form-check-input flex-shrink-0 mt-1 task-check"
        checked={task.completed}
        disabled={pending || readOnly}
        aria-label={`Completed: ${task.title}`}
        onChange={() => void onToggle(task)}
      />
      <div className="flex-grow-1" style={{ minWidth: 0 }}>
        <Link to={`/tasks/${task.id}`}
          className={`fw-semibold text-break ${task.completed ? "text-decoration-line-through link-secondary" : "link-body-emphasis link-underline-opacity-0 link-underline-opacity-100-hover"}`}>
          {task.title}
        </Link>
        <div className="d-flex flex-wrap align-items-center gap-2 small mt-1">
          {due && (
            <time dateTime={task.due_date ?? undefined} className="text-body-secondary">{due}</time>
          )}
          <span className={`badge ${badge}`}>{label}</span>
          <span className="badge bg-body-tertiary text-body-emphasis border" data-testid="agenda-workspace">
            {task.workspace_personal ? "Personal" : task.workspace_name}
          </span>
          {task.recurrence && <span className="text-body-secondary" aria-label="Repeats">↻</span>}
          {task.tags.map((tag) => <TagBadge key={tag.id} tag={tag} />)}
          {marks?.badge}
        </div>
        {marks?.notice}
      </div>
    </li>
  );
}
