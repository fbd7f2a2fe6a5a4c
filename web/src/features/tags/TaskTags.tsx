import { useEffect, useId, useState, type FormEvent } from "react";
import axios from "axios";
import { fieldErrors } from "../../api/problem";
import { notifyError } from "../../components/notify";
import { offerUndoOf } from "../../lib/versions/offerUndo";
import type { Task } from "../../types/task";
import { attachTag, createTag, detachTag, listTags, type Tag } from "./api";
import { TagBadge, textOn } from "../../components/TagBadge";

interface TaskTagsProps {
  task: Task;
  onChange: (task: Task) => void;
  readOnly?: boolean;
}

const DEFAULT_COLOR = "#0a58ca";

/** The task's tags: detach, attach one of the workspace's tags, or create a new one. */
export function TaskTags({ task, onChange, readOnly = false }: TaskTagsProps) {
  const id = useId().replace(/:/g, "");
  const [available, setAvailable] = useState<Tag[]>([]);
  const [choice, setChoice] = useState("");
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [color, setColor] = useState(DEFAULT_COLOR);
  const [nameError, setNameError] = useState("");

  useEffect(() => {
    if (readOnly) return;
    const controller = new AbortController();
    listTags(task.workspace_id, controller.signal)
      .then(setAvailable)
      .catch((error: unknown) => {
        if (!axios.isCancel(error)) notifyError(error, { context: "Could not load the tags." });
      });
    return () => controller.abort();
  }, [task.workspace_id, readOnly]);

  const attached = new Set(task.tags.map((tag) => tag.id));
  const attachable = available.filter((tag) => !attached.has(tag.id));

  async function run(work: () => Promise<Task>, context: string, done: string) {
    setBusy(true);
    try {
      const changed = await work();
      onChange(changed);
      offerUndoOf(done, changed, onChange);
      return true;
    } catch (error) {
      notifyError(error, { context });
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function attach(event: FormEvent) {
    event.preventDefault();
    if (!choice) return;
    const name = available.find((tag) => tag.id === choice)?.name ?? "the tag";
    if (await run(() => attachTag(task.id, choice), "Could not add the tag.", `Added the tag “${name}”.`)) setChoice("");
  }

  async function create(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setNameError("Enter a name for the tag.");
      return;
    }
    setNameError("");
    setBusy(true);
    try {
      const tag = await createTag({ name: trimmed, color, workspace_id: task.workspace_id });
      setAvailable((current) => [...current, tag]);
      const changed = await attachTag(task.id, tag.id);
      onChange(changed);
      offerUndoOf(`Added the tag “${tag.name}”.`, changed, onChange);
      setName("");
      setCreating(false);
    } catch (error) {
      const byField = fieldErrors(error);
      if (byField.name) setNameError(byField.name);
      else notifyError(error, { context: "Could not create the tag." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card mt-3" aria-labelledby={`${id}-heading`}>
      <div className="card-body">
        <h2 id={`${id}-heading`} className="h5">Tags</h2>
        {task.tags.length === 0 ? (
          <p className="text-body-secondary small">No tags.</p>
        ) : (
          <ul className="list-inline mb-3" aria-label="Tags of this task">
            {task.tags.map((tag) => (
              <li key={tag.id} className="list-inline-item mb-1">
                <TagBadge tag={tag}>
                  {!readOnly && (
                    <button
                      type="button"
                      className="btn btn-sm p-0 ms-1 lh-1 border-0"
                      style={{ color: textOn(tag.color) }}
                      aria-label={`Remove the tag ${tag.name}`}
                      disabled={busy}
                      onClick={() => void run(() => detachTag(task.id, tag.id), "Could not remove the tag.", `Removed the tag “${tag.name}”.`)}
                    >
                      <span aria-hidden="true">×</span>
                    </button>
                  )}
                </TagBadge>
              </li>
            ))}
          </ul>
        )}
        {!readOnly && (
          <>
            <form className="d-flex flex-wrap gap-2 align-items-end" onSubmit={(event) => void attach(event)}>
              <div className="flex-grow-1" style={{ minWidth: "12rem" }}>
                <label htmlFor={`${id}-choice`} className="form-label small mb-1">Add a tag</label>
                <select id={`${id}-choice`} className="form-select form-select-sm" value={choice}
                  onChange={(event) => setChoice(event.target.value)}>
                  <option value="">{attachable.length ? "Choose a tag…" : "No other tags yet"}</option>
                  {attachable.map((tag) => (
                    <option key={tag.id} value={tag.id}>{tag.name}</option>
                  ))}
                </select>
              </div>
              <button type="submit" className="btn btn-sm btn-outline-primary" disabled={!choice || busy}>Add tag</button>
              <button type="button" className="btn btn-sm btn-link" aria-expanded={creating}
                aria-controls={`${id}-new`} onClick={() => setCreating((open) => !open)}>
                {creating ? "Cancel new tag" : "New tag"}
              </button>
            </form>
            {creating && (
              <form id={`${id}-new`} className="d-flex flex-wrap gap-2 align-items-end mt-2" aria-label="New tag"
                onSubmit={(event) => void create(event)} noValidate>
                <div className="flex-grow-1" style={{ minWidth: "10rem" }}>
                  <label htmlFor={`${id}-name`} className="form-label small mb-1">Tag name</label>
                  <input id={`${id}-name`} className={`form-control form-control-sm${nameError ? " is-invalid" : ""}`}
                    value={name} maxLength={50} onChange={(event) => setName(event.target.value)}
                    aria-invalid={nameError ? true : undefined}
                    aria-describedby={nameError ? `${id}-name-error` : undefined} />
                  {nameError && <div id={`${id}-name-error`} className="invalid-feedback d-block">{nameError}</div>}
                </div>
                <div>
                  <label htmlFor={`${id}-color`} className="form-label small mb-1">Colour</label>
                  <input id={`${id}-color`} type="color" className="form-control form-control-sm form-control-color"
                    value={color} onChange={(event) => setColor(event.target.value)} />
                </div>
                <button type="submit" className="btn btn-sm btn-primary" disabled={busy}>Create and add</button>
              </form>
            )}
          </>
        )}
      </div>
    </section>
  );
}
