import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import axios from "axios";
import { etagOf } from "../../api/etags";
import { httpStatus, isOfflineError } from "../../api/problem";
import { notifyError, notifyInfo } from "../../components/notify";
import { useRevalidation } from "../../lib/revalidate/useRevalidation";
import { offerUndoOf } from "../../lib/versions/offerUndo";
import { useSharedWorkspace } from "../../lib/workspaces/useSharedWorkspace";
import { arrayMove } from "@dnd-kit/sortable";
import { changeTasks, createTask, getTask, listTasks, moveTask, newIdempotencyKey, updateTask } from "./api";
import { announceNextOccurrence, movedToNextOccurrence } from "./nextOccurrence";
import { isPendingDelete, scheduleDelete, scheduleDeleteMany, subscribeDeletes } from "./pendingDeletes";
import { buildTaskQuery, DEFAULT_FILTERS, hasActiveFilters, revalidationLimit } from "./query";
import type { Task } from "../../types/task";
import type { BatchChanges, TaskFilterValues, TaskInput, TaskPage, TaskPatch } from "./types";
import { updateOrQueue } from "./updateOrQueue";
import { useQueuedWrites } from "./useQueuedWrites";
import {
  currentWrites,
  isLocalTask,
  onQueueEvent,
  queueCreate,
  queueUpdate,
  shouldQueue,
  versionTag,
  withQueued,
  type QueuedState,
} from "./writeQueue";

type Status = "loading" | "ready" | "error";

export interface TaskListState {
  items: Task[];
  status: Status;
  loadingMore: boolean;
  hasMore: boolean;
  /** Ids of tasks with a change on its way to the server. */
  busy: ReadonlySet<string>;
  /** Grows with every change the server accepted: dependents (the stats) reload on it. */
  revision: number;
  loadMore: () => void;
  reload: () => void;
  create: (input: TaskInput) => Promise<Task>;
  /** `options.etag`: the version the change is for (If-Match), when not the one last read. */
  save: (id: string, input: TaskInput, options?: { etag?: string }) => Promise<Task>;
  toggleComplete: (task: Task) => Promise<void>;
  remove: (task: Task) => void;
  reloadTask: (id: string) => Promise<void>;
  /** Manual order: the task at `from` goes to `to`, in one PATCH; taken back if refused. */
  move: (from: number, to: number) => Promise<void>;
  /** One batch for these tasks; resolves to the ids of those the server refused. */
  changeMany: (tasks: Task[], changes: BatchChanges) => Promise<string[]>;
  /** Deletes these tasks with one undo, then in one batch. */
  removeMany: (tasks: Task[]) => void;
  /** Why a task of the last batch was not changed or deleted, by id (shown on its row). */
  failures: ReadonlyMap<string, string>;
  /** Tasks with changes queued offline (writeQueue.ts), by id: waiting, or refused and why. */
  queued: ReadonlyMap<string, QueuedState>;
  /** How many changes are queued, on this list or not. */
  queuedCount: number;
}

const visible = (tasks: Task[]) => tasks.filter((task) => !isPendingDelete(task.id));

/** The fields a queued change can carry: tags, moves and other workspaces need the server. */
const QUEUED_FIELDS = new Set(["title", "description", "priority", "due_date", "recurrence", "timezone", "completed"]);
const isFieldChange = (changes: BatchChanges): changes is TaskPatch => Object.keys(changes).every((name) => QUEUED_FIELDS.has(name));

const deletedElsewhere = (task: Task) => notifyInfo(`“${task.title}” was deleted elsewhere.`);

export function useTaskList(filters: TaskFilterValues, workspaceId?: string): TaskListState {
  const [items, setItems] = useState<Task[]>([]);
  const [status, setStatus] = useState<Status>("loading");
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [revision, setRevision] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [failures, setFailures] = useState<ReadonlyMap<string, string>>(new Map());
  const pageRequest = useRef<AbortController | null>(null);
  const shared = useSharedWorkspace(workspaceId);
  /** The first page as last read: the same object again means the server answered 304. */
  const lastRead = useRef<TaskPage | null>(null);
  /** Counts the local changes, so that a background read that crossed one is not shown. */
  const writes = useRef(0);

  // The list as the server sent it, with the changes queued offline on top.
  const queue = useQueuedWrites();
  const shown = useMemo(() => withQueued(items, queue, workspaceId), [items, queue, workspaceId]);
  const shownNow = useRef(shown.tasks);
  useLayoutEffect(() => {
    shownNow.current = shown.tasks;
  });

  const queryKey = JSON.stringify({ ...buildTaskQuery(filters), ...(workspaceId ? { workspace_id: workspaceId } : {}) });
  const query = useMemo(() => JSON.parse(queryKey) as Record<string, string | number | boolean>, [queryKey]);

  // Other filters, or a reload: "loading" until the new first page arrives.
  const requestKey = `${queryKey}#${reloads}`;
  const [requested, setRequested] = useState(requestKey);
  if (requested !== requestKey) {
    setRequested(requestKey);
    setStatus("loading");
    setLoadingMore(false);
  }

  // First page whenever the filters change; the previous request is cancelled.
  useEffect(() => {
    pageRequest.current?.abort();
    const controller = new AbortController();
    pageRequest.current = controller;
    listTasks(query, controller.signal)
      .then((page) => {
        lastRead.current = page;
        setItems(visible(page.items));
        setCursor(page.next_cursor);
        setStatus("ready");
      })
      .catch((error: unknown) => {
        if (axios.isCancel(error)) return;
        setStatus("error");
        notifyError(error, { context: "Could not load your tasks." });
      });
    return () => controller.abort();
  }, [query, reloads]);

  // Reading again in the background (focus, another tab's change, the poll of a shared workspace).
  // What the revalidation needs to know of the latest render, without re-subscribing on each one.
  const now = useRef({ status, loadingMore, busy: busy.size, shown: items, query, reloads });
  useLayoutEffect(() => {
    now.current = { status, loadingMore, busy: busy.size, shown: items, query, reloads };
  });
  /** A revalidation put off until the list is idle (loading, or a change on its way). */
  const putOff = useRef(false);

  const revalidate = useCallback(() => {
    const at = now.current;
    if (at.status === "error") {
      setReloads((count) => count + 1); // a list that failed to load gets another chance
      return;
    }
    // Nothing is read over a change on its way or a page still loading: it would show older data.
    // It is read once they are done instead, so that no change announced meanwhile is missed.
    if (at.status !== "ready" || at.loadingMore || at.busy > 0) {
      putOff.current = true;
      return;
    }
    const writesBefore = writes.current;
    const limit = revalidationLimit(at.shown.length);
    listTasks({ ...at.query, limit })
      .then((page) => {
        const after = now.current;
        if (page === lastRead.current) return; // 304: nothing changed
        if (after.query !== at.query || after.reloads !== at.reloads) return;
        if (writes.current !== writesBefore || after.status !== "ready" || after.loadingMore || after.busy > 0) {
          putOff.current = true; // crossed a change of this page's: read again once it is done
          return;
        }
        lastRead.current = page;
        const next = visible(page.items);
        if (JSON.stringify(next) === JSON.stringify(after.shown)) return;
        setItems(next);
        setCursor(page.next_cursor);
        setRevision((count) => count + 1);
      })
      .catch(() => undefined); // a failed background read leaves the list as it is
  }, []);
  useRevalidation(revalidate, { poll: shared });
  const idle = status === "ready" && !loadingMore && busy.size === 0;
  useEffect(() => {
    if (!idle || !putOff.current) return;
    putOff.current = false;
    revalidate();
  }, [idle, revalidate]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore || status !== "ready") return;
    const controller = new AbortController();
    pageRequest.current = controller;
    setLoadingMore(true);
    listTasks({ ...query, cursor }, controller.signal)
      .then((page) => {
        setItems((current) => {
          const known = new Set(current.map((task) => task.id));
          return [...current, ...visible(page.items).filter((task) => !known.has(task.id))];
        });
        setCursor(page.next_cursor);
      })
      .catch((error: unknown) => {
        if (!axios.isCancel(error)) notifyError(error, { context: "Could not load more tasks." });
      })
      .finally(() => {
        if (pageRequest.current === controller) setLoadingMore(false);
      });
  }, [cursor, loadingMore, status, query]);

  const reload = useCallback(() => setReloads((count) => count + 1), []);
  const changed = useCallback(() => setRevision((count) => count + 1), []);

  const replace = useCallback((task: Task) => {
    setItems((current) => current.map((item) => (item.id === task.id ? task : item)));
  }, []);

  const markBusy = useCallback((id: string, on: boolean) => {
    writes.current += 1;
    setBusy((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  // Undone or failed deletes come back where they were.
  useEffect(
    () =>
      subscribeDeletes((event) => {
        if (event.type === "restored") {
          const { problem } = event;
          if (problem) setFailures((current) => new Map([...current, [event.task.id, problem]]));
          setItems((current) => {
            if (current.some((item) => item.id === event.task.id)) return current;
            const next = [...current];
            next.splice(Math.min(event.index, next.length), 0, event.task);
            return next;
          });
        }
        changed();
      }),
    [changed],
  );

  // A task deleted elsewhere leaves the list, with a word why, instead of failing on the next click.
  const drop = useCallback((task: Task) => {
    writes.current += 1;
    setItems((current) => current.filter((item) => item.id !== task.id));
    deletedElsewhere(task);
    setRevision((count) => count + 1);
  }, []);

  // What the queue's sender learns shows here: the server's task in place of the queued one.
  useEffect(
    () =>
      onQueueEvent((event) => {
        if (event.type === "queued") return;
        writes.current += 1;
        if (event.type === "sent") {
          const { write, task } = event;
          if (event.localId && task) {
            if ((write.workspaceId ?? undefined) === workspaceId) setItems((current) => [task, ...current.filter((item) => item.id !== task.id)]);
          } else if (task) replace(task);
          else setItems((current) => current.filter((item) => item.id !== write.taskId));
          changed();
        } else if (event.type === "gone") {
          setItems((current) => current.filter((item) => item.id !== event.task.id));
          if (!isLocalTask(event.task.id)) deletedElsewhere(event.task);
          changed();
        } else if (event.type === "refused") {
          const { write, theirs } = event;
          const back = theirs ?? write.task;
          setItems((current) => {
            if (current.some((item) => item.id === back.id)) return theirs ? current.map((item) => (item.id === back.id ? back : item)) : current;
            // A refused delete: the task is back on the list (the overlay shows why).
            return write.kind === "delete" ? [back, ...current] : current;
          });
        } else if (event.task) {
          replace(event.task);
        } else if (!isLocalTask(event.taskId)) {
          void getTask(event.taskId).then(replace, () => undefined);
        }
      }),
    [workspaceId, replace, changed],
  );

  const create = useCallback(
    async (input: TaskInput) => {
      writes.current += 1;
      if (shouldQueue()) return queueCreate(input, workspaceId);
      const key = newIdempotencyKey();
      let task: Task;
      try {
        task = await createTask(workspaceId ? { ...input, workspace_id: workspaceId } : input, key);
      } catch (error) {
        // No answer: it may or may not have been made, and its key makes sending it again safe.
        if (isOfflineError(error)) return queueCreate(input, workspaceId, key);
        throw error;
      }
      const plainNewestFirst =
        !hasActiveFilters(filters) && filters.sort === DEFAULT_FILTERS.sort && filters.order === DEFAULT_FILTERS.order;
      if (plainNewestFirst) setItems((current) => [task, ...current]);
      else reload();
      changed();
      return task;
    },
    [filters, reload, changed, workspaceId],
  );

  const save = useCallback(
    async (id: string, input: TaskInput, options?: { etag?: string }) => {
      writes.current += 1;
      const before = shownNow.current.find((item) => item.id === id);
      try {
        if (before) {
          const { task, queued } = await updateOrQueue(before, input, options?.etag);
          if (queued) return task;
          replace(task);
          changed();
          return task;
        }
        const task = await updateTask(id, input, { etag: options?.etag ?? etagOf(id), key: newIdempotencyKey() });
        replace(task);
        changed();
        return task;
      } catch (error) {
        const gone = httpStatus(error) === 404 ? now.current.shown.find((item) => item.id === id) : undefined;
        if (!gone) throw error;
        // Nothing left to save: the editor closes with the task, and the user is told why.
        drop(gone);
        return gone;
      }
    },
    [replace, changed, drop],
  );

  const reloadTask = useCallback(
    async (id: string) => {
      try {
        replace(await getTask(id));
      } catch (error) {
        const gone = httpStatus(error) === 404 ? now.current.shown.find((item) => item.id === id) : undefined;
        if (gone) drop(gone);
        else notifyError(error);
      }
    },
    [replace, drop],
  );

  const toggleComplete = useCallback(
    async (task: Task) => {
      const completed = !task.completed;
      const context = `Could not update “${task.title}”.`;
      const queueIt = (etag: string | undefined, key?: string) => {
        try {
          queueUpdate(task, { completed }, etag, key);
        } catch (error) {
          notifyError(error, { context });
        }
      };
      if (shouldQueue() || isLocalTask(task.id)) {
        writes.current += 1;
        queueIt(etagOf(task.id) ?? versionTag(task));
        return;
      }
      // Optimistic: the list shows the change now and takes it back if the server refuses.
      replace({ ...task, completed, completed_at: completed ? new Date().toISOString() : null });
      markBusy(task.id, true);
      const etag = etagOf(task.id);
      const key = newIdempotencyKey();
      try {
        const saved = await updateTask(task.id, { completed }, { etag, key });
        replace(saved);
        changed();
        const shown = (restored: Task) => {
          replace(restored);
          changed();
        };
        if (movedToNextOccurrence(task, saved)) announceNextOccurrence(task, saved, shown);
        else offerUndoOf(saved.completed ? `Marked “${saved.title}” as done.` : `Marked “${saved.title}” as open.`, saved, shown);
      } catch (error) {
        if (httpStatus(error) === 404) {
          drop(task);
          return;
        }
        replace(task);
        if (isOfflineError(error)) {
          queueIt(etag, key);
          return;
        }
        notifyError(error, {
          context,
          onReload: () => void reloadTask(task.id),
        });
      } finally {
        markBusy(task.id, false);
      }
    },
    [replace, markBusy, changed, reloadTask, drop],
  );

  const remove = useCallback(
    (task: Task) => {
      writes.current += 1;
      const index = items.findIndex((item) => item.id === task.id);
      setItems((current) => current.filter((item) => item.id !== task.id));
      scheduleDelete(task, Math.max(0, index));
    },
    [items],
  );

  const move = useCallback(
    async (from: number, to: number) => {
      const before = now.current.shown;
      const task = before[from];
      if (!task || from === to) return;
      if (currentWrites().length > 0) {
        // The order is the server's: a move waits until the changes before it are sent.
        notifyInfo("Tasks can be moved once the changes made offline are sent.");
        return;
      }
      const moved = arrayMove(before, from, to);
      // The neighbour above in the list: "after" it in ascending order, "before" it in descending.
      const above = to > 0 ? moved[to - 1].id : null;
      setItems(moved);
      markBusy(task.id, true);
      try {
        const saved = await moveTask(task, filters.order === "desc" ? { before: above } : { after: above });
        replace(saved);
        changed();
      } catch (error) {
        if (httpStatus(error) === 404) {
          drop(task);
          return;
        }
        setItems((current) => {
          // Back where it was, unless the list changed meanwhile (then a fresh read sorts it out).
          const index = current.findIndex((item) => item.id === task.id);
          return index === to ? arrayMove(current, to, from) : current;
        });
        notifyError(error, { context: `Could not move “${task.title}”.`, onReload: reload });
      } finally {
        markBusy(task.id, false);
      }
    },
    [filters.order, markBusy, replace, changed, drop, reload],
  );

  const changeMany = useCallback(
    async (tasks: Task[], changes: BatchChanges) => {
      if (shouldQueue() && isFieldChange(changes)) {
        // One queued change per task, as if each were changed alone: the queue knows no batches.
        writes.current += 1;
        const refused: string[] = [];
        for (const task of tasks) {
          try {
            queueUpdate(task, changes, etagOf(task.id) ?? versionTag(task));
          } catch (error) {
            refused.push(task.id);
            notifyError(error, { context: `Could not change “${task.title}”.` });
          }
        }
        return refused;
      }
      tasks.forEach((task) => markBusy(task.id, true));
      try {
        const results = await changeTasks(tasks, changes);
        const refused = new Map<string, string>();
        const applied = new Map<string, Task>();
        for (const result of results) {
          if (result.task) applied.set(result.id, result.task);
          else refused.set(result.id, result.problem?.detail ?? "It could not be changed.");
        }
        // A task moved to another workspace leaves this list; the others show what they are now.
        setItems((current) =>
          current.flatMap((item) => {
            const saved = applied.get(item.id);
            if (!saved) return [item];
            return saved.workspace_id !== item.workspace_id ? [] : [saved];
          }),
        );
        setFailures(refused);
        if (applied.size > 0) changed();
        if (refused.size > 0) {
          notifyInfo(`${refused.size} of ${results.length} tasks could not be changed; each says why.`);
        }
        return [...refused.keys()];
      } catch (error) {
        notifyError(error, { context: "Could not change the tasks." });
        return tasks.map((task) => task.id);
      } finally {
        tasks.forEach((task) => markBusy(task.id, false));
      }
    },
    [markBusy, changed],
  );

  const removeMany = useCallback(
    (tasks: Task[]) => {
      writes.current += 1;
      const ids = new Set(tasks.map((task) => task.id));
      const entries = tasks.map((task) => ({ task, index: Math.max(0, items.findIndex((item) => item.id === task.id)) }));
      setItems((current) => current.filter((item) => !ids.has(item.id)));
      setFailures(new Map());
      scheduleDeleteMany(entries);
    },
    [items],
  );

  return {
    move,
    changeMany,
    removeMany,
    failures,
    queued: shown.states,
    queuedCount: queue.length,
    items: shown.tasks,
    status,
    loadingMore,
    hasMore: cursor !== null,
    busy,
    revision,
    loadMore,
    reload,
    create,
    save,
    toggleComplete,
    remove,
    reloadTask,
  };
}
