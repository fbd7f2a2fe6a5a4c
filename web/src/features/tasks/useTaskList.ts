import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import axios from "axios";
import { notifyError } from "../../components/notify";
import { createTask, getTask, listTasks, updateTask } from "./api";
import { isPendingDelete, scheduleDelete, subscribeDeletes } from "./pendingDeletes";
import { buildTaskQuery, DEFAULT_FILTERS, hasActiveFilters } from "./query";
import type { Task } from "../../types/task";
import type { TaskFilterValues, TaskInput } from "./types";

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
  save: (id: string, input: TaskInput) => Promise<Task>;
  toggleComplete: (task: Task) => Promise<void>;
  remove: (task: Task) => void;
  reloadTask: (id: string) => Promise<void>;
}

const visible = (tasks: Task[]) => tasks.filter((task) => !isPendingDelete(task.id));

export function useTaskList(filters: TaskFilterValues, workspaceId?: string): TaskListState {
  const [items, setItems] = useState<Task[]>([]);
  const [status, setStatus] = useState<Status>("loading");
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [revision, setRevision] = useState(0);
  const [reloads, setReloads] = useState(0);
  const pageRequest = useRef<AbortController | null>(null);

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

  const create = useCallback(
    async (input: TaskInput) => {
      const task = await createTask(workspaceId ? { ...input, workspace_id: workspaceId } : input);
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
    async (id: string, input: TaskInput) => {
      const task = await updateTask(id, input);
      replace(task);
      changed();
      return task;
    },
    [replace, changed],
  );

  const reloadTask = useCallback(
    async (id: string) => {
      try {
        replace(await getTask(id));
      } catch (error) {
        notifyError(error);
      }
    },
    [replace],
  );

  const toggleComplete = useCallback(
    async (task: Task) => {
      const completed = !task.completed;
      // Optimistic: the list shows the change now and takes it back if the server refuses.
      replace({ ...task, completed, completed_at: completed ? new Date().toISOString() : null });
      markBusy(task.id, true);
      try {
        replace(await updateTask(task.id, { completed }));
        changed();
      } catch (error) {
        replace(task);
        notifyError(error, {
          context: `Could not update “${task.title}”.`,
          onReload: () => void reloadTask(task.id),
        });
      } finally {
        markBusy(task.id, false);
      }
    },
    [replace, markBusy, changed, reloadTask],
  );

  const remove = useCallback(
    (task: Task) => {
      const index = items.findIndex((item) => item.id === task.id);
      setItems((current) => current.filter((item) => item.id !== task.id));
      scheduleDelete(task, Math.max(0, index));
    },
    [items],
  );

  return {
    items,
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
