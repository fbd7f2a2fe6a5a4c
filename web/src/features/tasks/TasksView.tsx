import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { currentConnectivity } from "../../api/connectivity";
import { notifyError } from "../../components/notify";
import { Spinner } from "../../components/Spinner";
import { usePageTitle } from "../../components/usePageTitle";
import { draftKeys, hasDraft, readDraft } from "../../lib/drafts/store";
import { useDraftOwner } from "../../lib/drafts/useFormDraft";
import { onTaskCreated } from "../../lib/taskEvents";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import type { TagRef, Task } from "../../types/task";
import { getTask } from "./api";
import { filtersFromSearch, filtersToSearch, hasActiveFilters } from "./query";
import { TaskFilters } from "./TaskFilters";
import { EDIT_DRAFT_PREFIX, editDraftKey, newDraftKey, TaskForm, type SaveOptions, type TaskDraft } from "./TaskForm";
import { SelectionBar } from "./SelectionBar";
import { TaskList } from "./TaskList";
import type { BatchChanges, TaskFilterValues, TaskInput } from "./types";
import { useTaskKeyboard } from "./useTaskKeyboard";
import { useTaskList } from "./useTaskList";
import { isLocalTask } from "./writeQueue";

interface TasksViewProps {
  /** The workspace's tags, offered as filters. */
  tags: TagRef[];
  /** Shown above the list; `revision` changes whenever the tasks change. */
  summary?: (revision: number) => ReactNode;
}

/** The task list of the workspace picked in the navbar: filters in the address, new task, edit in place. */
export function TasksView({ tags, summary }: TasksViewProps) {
  usePageTitle("Tasks");
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const { workspaceId, canEdit, current, workspaces } = useWorkspaces();
  const list = useTaskList(filters, workspaceId);
  const selection = useSelection(list.items);
  const owner = useDraftOwner();
  const newKey = newDraftKey(workspaceId);
  const [creating, setCreating] = useState(() => hasDraft(owner, newKey));
  const [editing, setEditing] = useState<Task | null>(null);

  // A new task the end of the session interrupted: its form opens again (in the workspace it was for).
  const [newDraftChecked, setNewDraftChecked] = useState(newKey);
  if (newDraftChecked !== newKey) {
    setNewDraftChecked(newKey);
    if (hasDraft(owner, newKey)) setCreating(true);
  }

  const setFilters = useCallback(
    (next: TaskFilterValues) => setSearch(filtersToSearch(next), { replace: true }),
    [setSearch],
  );

  // Edits start from a fresh read, which also brings the ETag the save is conditional on; without
  // a connection, or with changes of the task still queued, from the task as the list shows it.
  const shownTasks = useRef(list.items);
  useEffect(() => {
    shownTasks.current = list.items;
  });
  const queued = useRef(list.queued);
  useEffect(() => {
    queued.current = list.queued;
  });
  const openEditor = useCallback(async (id: string) => {
    const shown = shownTasks.current.find((task) => task.id === id);
    if (shown && (isLocalTask(id) || queued.current.has(id) || currentConnectivity() !== "online")) {
      setEditing(shown);
      return;
    }
    try {
      setEditing(await getTask(id));
    } catch (error) {
      notifyError(error, { context: "Could not open the task." });
    }
  }, []);
  const startEditing = useCallback((task: Task) => openEditor(task.id), [openEditor]);

  const reloadEditing = useCallback(async () => {
    if (!editing) return;
    try {
      const latest = await getTask(editing.id);
      setEditing(latest);
      await list.reloadTask(latest.id);
    } catch (error) {
      notifyError(error);
    }
  }, [editing, list]);

  const { save } = list;
  const saveEditing = useCallback(
    async (input: TaskInput, options?: SaveOptions) => {
      if (!editing) return;
      await save(editing.id, input, options);
      setEditing(null);
    },
    [editing, save],
  );

  // Edits the end of the session interrupted: one of a task in the list opens again in place; the
  // others are offered as links to their tasks' pages, where they open too.
  const interrupted = list.status === "ready" ? draftKeys(owner, EDIT_DRAFT_PREFIX).map((key) => key.slice(EDIT_DRAFT_PREFIX.length)) : [];
  const [reopened, setReopened] = useState<ReadonlySet<string>>(() => new Set());
  const [reopening, setReopening] = useState<string | null>(null);
  const reopen = interrupted.find((id) => !reopened.has(id) && list.items.some((task) => task.id === id));
  if (reopen && !editing && !reopening) {
    setReopened(new Set([...reopened, reopen]));
    setReopening(reopen);
  }
  useEffect(() => {
    if (!reopening) return;
    void openEditor(reopening).finally(() => setReopening(null));
  }, [reopening, openEditor]);
  const elsewhere = interrupted.filter((id) => id !== editing?.id && id !== reopening && !list.items.some((task) => task.id === id));

  // A task quick add made (on any page) shows up here; the keys act on the list while no editor is open.
  const { reload } = list;
  const [createdElsewhere, setCreatedElsewhere] = useState(0);
  useEffect(
    () =>
      onTaskCreated(() => {
        reload();
        setCreatedElsewhere((count) => count + 1);
      }),
    [reload],
  );
  const keys = useTaskKeyboard(list, startEditing, canEdit, !editing && !creating);

  const filtered = hasActiveFilters(filters);
  const chosen = selection.tasks;
  const { changeMany, removeMany } = list;
  const [working, setWorking] = useState(false);
  // After a batch, the tasks it could not change stay selected (to try again); the rest are let go.
  const runBatch = async (changes: BatchChanges) => {
    setWorking(true);
    try {
      selection.set(new Set(await changeMany(chosen, changes)));
    } finally {
      setWorking(false);
    }
  };
  return (
    <>
      <div className="d-flex align-items-center justify-content-between gap-2 mb-3">
        <h1 className="h3 mb-0">
          Tasks
          {current && !current.personal && <small className="text-body-secondary fs-6"> · {current.name}</small>}
        </h1>
        {canEdit ? (
        <button
          type="button"
          className="btn btn-primary"
          aria-expanded={creating}
          aria-controls="new-task"
          onClick={() => setCreating((open) => !open)}
        >
          {creating ? "Close" : "New task"}
        </button>
        ) : (
          <span className="badge bg-body-tertiary text-body-emphasis border">View only</span>
        )}
      </div>
      {summary?.(list.revision + createdElsewhere)}
      {list.queuedCount > 0 && (
        <p className="small text-body-secondary mb-2" role="status" data-testid="queued-count">
          {list.queuedCount === 1 ? "1 change made offline is" : `${list.queuedCount} changes made offline are`} not saved yet.
        </p>
      )}
      {elsewhere.length > 0 && (
        <div className="alert alert-info py-2" role="status" data-testid="drafts-elsewhere">
          Your session ended while you were editing. What you typed is kept:{" "}
          {elsewhere.map((id, index) => (
            <span key={id}>
              {index > 0 && ", "}
              <Link to={`/tasks/${id}`}>{readDraft<TaskDraft>(owner ?? "", editDraftKey(id))?.value.values.title || "a task"}</Link>
            </span>
          ))}
          .
        </div>
      )}
      {creating && canEdit && (
        <section id="new-task" className="card mb-3" aria-labelledby="new-task-heading">
          <div className="card-body">
            <h2 id="new-task-heading" className="h5">New task</h2>
            <TaskForm
              label="New task"
              submitLabel="Add task"
              focusTitle
              resetOnSuccess
              draftKey={newKey}
              onSubmit={list.create}
              onCancel={() => setCreating(false)}
            />
          </div>
        </section>
      )}
      <TaskFilters value={filters} onChange={setFilters} tags={tags} />
      {canEdit && chosen.length > 0 && (
        <SelectionBar
          count={chosen.length}
          destinations={workspaces.filter((workspace) => workspace.id !== current?.id && workspace.role !== "viewer")}
          tags={tags}
          working={working}
          onComplete={() => void runBatch({ completed: true })}
          onMove={(destination) => void runBatch({ workspace_id: destination })}
          onTag={(tagId) => void runBatch({ add_tags: [tagId] })}
          onDelete={() => {
            removeMany(chosen);
            selection.set(new Set());
          }}
          onClear={() => selection.set(new Set())}
        />
      )}
      {list.status === "loading" ? (
        <Spinner label="Loading your tasks…" />
      ) : list.status === "error" ? (
        <div className="alert alert-danger d-flex flex-wrap align-items-center gap-2">
          <span className="flex-grow-1">Your tasks could not be loaded.</span>
          <button type="button" className="btn btn-sm btn-outline-danger" onClick={list.reload}>
            Try again
          </button>
        </div>
      ) : (
        <TaskList
          tasks={list.items}
          busy={list.busy}
          hasMore={list.hasMore}
          loadingMore={list.loadingMore}
          onLoadMore={list.loadMore}
          onToggle={list.toggleComplete}
          onEdit={startEditing}
          onDelete={list.remove}
          readOnly={!canEdit}
          manual={filters.sort === "position"}
          onMove={list.move}
          selected={selection.ids}
          onSelect={selection.toggle}
          failures={list.failures}
          queued={list.queued}
          editingId={editing?.id}
          selectedId={keys.selectedId}
          editor={
            editing && (
              <TaskForm
                key={editing.id}
                task={editing}
                label={`Edit “${editing.title}”`}
                submitLabel="Save"
                focusTitle
                draftKey={editDraftKey(editing.id)}
                onSubmit={saveEditing}
                onCancel={() => setEditing(null)}
                onReload={reloadEditing}
              />
            )
          }
          empty={
            <div className="text-center text-body-secondary py-5 border rounded bg-body">
              {filtered ? "No task matches these filters." : "No tasks yet. Add your first one with “New task”."}
            </div>
          }
        />
      )}
      <div className="visually-hidden" aria-live="polite">{keys.announcement}</div>
    </>
  );
}


/** The tasks chosen for a batch: a click toggles one, Shift-click takes the range from the last one clicked. */
function useSelection(items: Task[]) {
  const [ids, set] = useState<ReadonlySet<string>>(() => new Set());
  const [anchor, setAnchor] = useState<number | null>(null);
  const toggle = useCallback(
    (task: Task, index: number, range: boolean) => {
      const next = new Set(ids);
      if (range && anchor !== null && items[anchor]) {
        const on = !ids.has(task.id);
        const [from, to] = anchor < index ? [anchor, index] : [index, anchor];
        for (const item of items.slice(from, to + 1)) {
          if (on) next.add(item.id);
          else next.delete(item.id);
        }
      } else if (next.has(task.id)) next.delete(task.id);
      else next.add(task.id);
      set(next);
      setAnchor(index);
    },
    [ids, anchor, items],
  );
  // Only tasks still in the list count: deleted or moved-away ones drop out by themselves.
  const tasks = useMemo(() => items.filter((task) => ids.has(task.id)), [items, ids]);
  return { ids, tasks, toggle, set };
}
