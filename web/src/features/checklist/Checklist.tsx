import { useCallback, useEffect, useId, useRef, useState, type DragEvent, type FormEvent } from "react";
import axios from "axios";
import { httpStatus } from "../../api/problem";
import { etagOf } from "../../api/etags";
import { notifyError, notifyInfo } from "../../components/notify";
import { offerUndo } from "../../lib/versions/offerUndo";
import {
  addChecklistItem,
  deleteChecklistItem,
  listChecklist,
  moveChecklistItem,
  updateChecklistItem,
  type ChecklistItem,
} from "./api";

interface ChecklistProps {
  taskId: string;
  /**
   * Every checklist change moves the task to a new version: this reads the task again (its new
   * progress, and the ETag the next move is conditional on). Awaited before the next change is sent.
   */
  reloadTask: () => Promise<void>;
  readOnly?: boolean;
}

/** Moves the element at `from` to `to`. */
export function moved<T>(items: T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

export function Checklist({ taskId, reloadTask, readOnly = false }: ChecklistProps) {
  const id = useId().replace(/:/g, "");
  const [items, setItems] = useState<ChecklistItem[] | null>(null);
  const [text, setText] = useState("");
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const focusAfterMove = useRef<string | null>(null);
  const list = useRef<HTMLUListElement>(null);
  // Changes go to the server one at a time: each moves the task to a new version, and the next
  // move must carry that version's ETag (a quick second move would otherwise be refused as stale).
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const enqueue = useCallback(<T,>(work: () => Promise<T>): Promise<T> => {
    const next = queue.current.then(work, work);
    queue.current = next.catch(() => undefined);
    return next;
  }, []);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        setItems(await listChecklist(taskId, signal));
      } catch (error) {
        if (!axios.isCancel(error)) notifyError(error, { context: "Could not load the checklist." });
      }
    },
    [taskId],
  );

  useEffect(() => {
    const controller = new AbortController();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- load() sets state only after its await, never synchronously (a known false positive of the rule: react/react#34905)
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const refreshTask = useCallback(async () => {
    try {
      await reloadTask();
    } catch (error) {
      notifyError(error);
    }
  }, [reloadTask]);

  /** "Undo" for the change just made: the task's ETag its answer carried names the version it made. */
  const undoable = useCallback(
    (message: string) => {
      const etag = etagOf(taskId);
      if (!etag) return;
      offerUndo(message, {
        taskId,
        taskVersion: Number(etag.replace(/\D/g, "")),
        onUndone: () => void enqueue(() => Promise.all([load(), refreshTask()])),
      });
    },
    [taskId, enqueue, load, refreshTask],
  );

  useEffect(() => {
    if (!focusAfterMove.current) return;
    list.current?.querySelector<HTMLElement>(`[data-move="${focusAfterMove.current}"]`)?.focus();
    focusAfterMove.current = null;
  }, [items]);

  async function add(event: FormEvent) {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed) return;
    setAdding(true);
    try {
      const item = await enqueue(() => addChecklistItem(taskId, trimmed));
      setItems((current) => [...(current ?? []), item]);
      setText("");
      undoable(`Added “${item.text}” to the checklist.`);
      void enqueue(refreshTask);
    } catch (error) {
      notifyError(error, { context: "Could not add the item." });
    } finally {
      setAdding(false);
    }
  }

  async function change(item: ChecklistItem, patch: Partial<Pick<ChecklistItem, "done" | "text">>) {
    setItems((current) => current?.map((each) => (each.id === item.id ? { ...each, ...patch } : each)) ?? null);
    try {
      const saved = await enqueue(() => updateChecklistItem(taskId, item.id, patch));
      setItems((current) => current?.map((each) => (each.id === item.id ? { ...each, ...saved } : each)) ?? null);
      undoable(patch.done === undefined ? `Changed “${saved.text}”.` : `${patch.done ? "Checked" : "Unchecked"} “${saved.text}”.`);
      void enqueue(refreshTask);
      return true;
    } catch (error) {
      setItems((current) => current?.map((each) => (each.id === item.id ? item : each)) ?? null);
      notifyError(error, { context: "Could not change the item." });
      return false;
    }
  }

  async function remove(item: ChecklistItem) {
    const before = items;
    setItems((current) => current?.filter((each) => each.id !== item.id) ?? null);
    try {
      await enqueue(() => deleteChecklistItem(taskId, item.id));
      undoable(`Removed “${item.text}” from the checklist.`);
      void enqueue(refreshTask);
    } catch (error) {
      setItems(before);
      notifyError(error, { context: "Could not delete the item." });
    }
  }

  async function move(item: ChecklistItem, to: number, viaKeyboard: boolean) {
    if (!items) return;
    const from = items.findIndex((each) => each.id === item.id);
    if (from < 0 || to < 0 || to >= items.length || from === to) return;
    if (viaKeyboard) focusAfterMove.current = `${item.id}:${to > from ? "down" : "up"}`;
    setItems(moved(items, from, to).map((each, index) => ({ ...each, position: index })));
    setAnnouncement(`Moved “${item.text}” to position ${to + 1} of ${items.length}.`);
    try {
      await enqueue(async () => {
        await moveChecklistItem(taskId, item.id, to);
        undoable(`Moved “${item.text}” to position ${to + 1}.`);
        await refreshTask();
      });
    } catch (error) {
      if (httpStatus(error) === 412) {
        notifyInfo("The checklist was changed elsewhere, so it has been reloaded. Try the move again.");
        await enqueue(() => Promise.all([load(), refreshTask()]));
      } else {
        notifyError(error, { context: "Could not move the item." });
        await enqueue(() => load());
      }
    }
  }

  function onDrop(event: DragEvent, target: number) {
    event.preventDefault();
    const item = items?.find((each) => each.id === dragging);
    setDragging(null);
    if (item) void move(item, target, false);
  }

  const done = items?.filter((item) => item.done).length ?? 0;
  return (
    <section className="card mt-3" aria-labelledby={`${id}-heading`}>
      <div className="card-body">
        <div className="d-flex align-items-baseline gap-2">
          <h2 id={`${id}-heading`} className="h5">Checklist</h2>
          {items && items.length > 0 && (
            <span className="small text-body-secondary" data-testid="checklist-count">{done} of {items.length} done</span>
          )}
        </div>
        <div className="visually-hidden" aria-live="polite">{announcement}</div>
        {items === null ? (
          <p className="small text-body-secondary">Loading the checklist…</p>
        ) : items.length === 0 ? (
          <p className="small text-body-secondary">No items yet.</p>
        ) : (
          <ul ref={list} className="list-group mb-3" aria-label="Checklist items">
            {items.map((item, index) => (
              <li
                key={item.id}
                className={`list-group-item d-flex align-items-center gap-2 flex-wrap ${dragging === item.id ? "opacity-50" : ""}`}
                data-testid="checklist-item"
                draggable={!readOnly && editing?.id !== item.id}
                onDragStart={(event) => {
                  setDragging(item.id);
                  event.dataTransfer.effectAllowed = "move";
                  event.dataTransfer.setData("text/plain", item.id);
                }}
                onDragEnd={() => setDragging(null)}
                onDragOver={(event) => {
                  if (dragging) event.preventDefault();
                }}
                onDrop={(event) => onDrop(event, index)}
              >
                <div className="d-flex align-items-center gap-2" style={{ flex: "1 1 14rem", minWidth: 0 }}>
                {!readOnly && (
                  <span className="text-body-secondary user-select-none" style={{ cursor: "grab" }} aria-hidden="true" title="Drag to reorder">
                    ⠿
                  </span>
                )}
                <input
                  type="checkbox"
                  className="form-check-input mt-0 flex-shrink-0"
                  checked={item.done}
                  disabled={readOnly}
                  aria-label={`Done: ${item.text}`}
                  onChange={() => void change(item, { done: !item.done })}
                />
                {editing?.id === item.id ? (
                  <form
                    className="d-flex gap-1 flex-grow-1"
                    onSubmit={(event) => {
                      event.preventDefault();
                      const next = editing.text.trim();
                      if (!next || next === item.text) {
                        setEditing(null);
                        return;
                      }
                      void change(item, { text: next }).then((ok) => ok && setEditing(null));
                    }}
                  >
                    <label htmlFor={`${id}-edit`} className="visually-hidden">Item text</label>
                    {/* eslint-disable-next-line jsx-a11y/no-autofocus -- the field replaces the item when the person chooses "Edit"; focus follows that choice, not a page load */}
                    <input id={`${id}-edit`} className="form-control form-control-sm" value={editing.text} maxLength={500} autoFocus
                      onChange={(event) => setEditing({ id: item.id, text: event.target.value })}
                      onKeyDown={(event) => event.key === "Escape" && setEditing(null)} />
                    <button type="submit" className="btn btn-sm btn-primary">Save</button>
                    <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setEditing(null)}>Cancel</button>
                  </form>
                ) : (
                  <span className={`flex-grow-1 text-break ${item.done ? "text-decoration-line-through text-body-secondary" : ""}`}
                    style={{ minWidth: 0 }}>
                    {item.text}
                  </span>
                )}
                </div>
                {!readOnly && editing?.id !== item.id && (
                  <div className="btn-group btn-group-sm ms-auto" role="group" aria-label={`Actions for “${item.text}”`}>
                    <button type="button" className="btn btn-outline-secondary" data-move={`${item.id}:up`}
                      aria-label={`Move “${item.text}” up`} disabled={index === 0}
                      onClick={() => void move(item, index - 1, true)}>
                      <span aria-hidden="true">↑</span>
                    </button>
                    <button type="button" className="btn btn-outline-secondary" data-move={`${item.id}:down`}
                      aria-label={`Move “${item.text}” down`} disabled={index === items.length - 1}
                      onClick={() => void move(item, index + 1, true)}>
                      <span aria-hidden="true">↓</span>
                    </button>
                    <button type="button" className="btn btn-outline-secondary" aria-label={`Edit “${item.text}”`}
                      onClick={() => setEditing({ id: item.id, text: item.text })}>
                      Edit
                    </button>
                    <button type="button" className="btn btn-outline-danger" aria-label={`Delete “${item.text}”`}
                      onClick={() => void remove(item)}>
                      <span aria-hidden="true">×</span>
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
        {!readOnly && (
          <form className="d-flex gap-2" onSubmit={(event) => void add(event)}>
            <label htmlFor={`${id}-new`} className="visually-hidden">New checklist item</label>
            <input id={`${id}-new`} className="form-control form-control-sm" placeholder="New checklist item" value={text}
              maxLength={500} onChange={(event) => setText(event.target.value)} />
            <button type="submit" className="btn btn-sm btn-outline-primary text-nowrap" disabled={adding || !text.trim()}>
              Add item
            </button>
          </form>
        )}
      </div>
    </section>
  );
}
