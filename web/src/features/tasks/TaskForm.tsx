import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { etagOf } from "../../api/etags";
import { fieldErrors, httpStatus } from "../../api/problem";
import { focusFirstInvalid, SelectField, TextAreaField, TextField } from "../../components/Field";
import { notifyError } from "../../components/notify";
import { dateEntryProblem, fromLocalInput } from "../../lib/dates";
import { useKeptIfSessionEnds, useRestoredDraft } from "../../lib/drafts/useFormDraft";
import type { Task } from "../../types/task";
import { getTaskWithEtag } from "./api";
import { ConflictPanel } from "./ConflictPanel";
import { anchorOf, compareVersions, formStateOf, isDirty, mergeOnto, sameFields, type FormState } from "./merge";
import { PRIORITIES, type TaskInput } from "./types";
import { RecurrenceEditor } from "./RecurrenceEditor";
import { buildRule, type RecurrenceState } from "./rrule";
import { length, TITLE_MAX, toInput, validateTask, type TaskFormErrors, type TaskFormValues } from "./validation";

/** How a save is sent: `etag` is the version it must apply to (If-Match); else the one last read. */
export interface SaveOptions {
  etag?: string;
}

interface TaskFormProps {
  task?: Task;
  submitLabel: string;
  onSubmit: (input: TaskInput, options?: SaveOptions) => Promise<unknown>;
  onCancel?: () => void;
  /** Asked to show the latest version once the user discards their edits after a 412. */
  onReload?: () => Promise<void> | void;
  /** Clear the fields after a successful save (for "new task"). */
  resetOnSuccess?: boolean;
  /** Put the focus in the title when the form opens (it opens when the person asks for it). */
  focusTitle?: boolean;
  label: string;
  /** Where what is typed is kept should the session end (see lib/drafts); none: not kept. */
  draftKey?: string;
}

/** The draft key of an edit of the task, wherever it is edited (its page, or in place in the list). */
export const EDIT_DRAFT_PREFIX = "task:edit:";
export const editDraftKey = (taskId: string) => `${EDIT_DRAFT_PREFIX}${taskId}`;
/** The draft key of the new-task form of a workspace (undefined: the personal one). */
export const newDraftKey = (workspaceId: string | undefined) => `task:new:${workspaceId ?? "personal"}`;

/** A task form's draft: what it held, and the version the edit started from. */
export interface TaskDraft extends FormState {
  base: Task | null;
}

/** The server's version when it differs from the one the edit started from (a 412, or found on restoring). */
interface Conflict {
  latest: Task;
  etag: string | undefined;
}

const SERVER_FIELDS: Record<string, keyof TaskFormValues> = {
  title: "title",
  description: "description",
  priority: "priority",
  due_date: "due",
};

const sameRepeat = (a: RecurrenceState, b: RecurrenceState) =>
  a.preset === b.preset && a.custom === b.custom && a.days.join(",") === b.days.join(",");

export function TaskForm(props: TaskFormProps) {
  const { task, submitLabel, onSubmit, onCancel, onReload, resetOnSuccess, focusTitle, label, draftKey } = props;
  const id = useId().replace(/:/g, "");
  const form = useRef<HTMLFormElement>(null);
  const titleInput = useRef<HTMLInputElement>(null);
  const dueInput = useRef<HTMLInputElement>(null);
  const draft = useRestoredDraft<TaskDraft>(draftKey);
  // What the session's end kept comes back in the form. An edit that started from an older version
  // than the one now shown is compared with it at once, as after a refused save.
  const kept = draft.restored?.value;
  const keptBase = task && kept?.base?.id === task.id ? kept.base : null;
  const [state, setState] = useState<FormState>(() =>
    kept ? { values: kept.values, repeat: kept.repeat, timezone: kept.timezone } : formStateOf(task));
  const [base, setBase] = useState<Task | null>(() =>
    keptBase && task && !sameFields(keptBase, task) ? keptBase : task ?? null);
  const [conflict, setConflict] = useState<Conflict | null>(() =>
    keptBase && task && !sameFields(keptBase, task) ? { latest: task, etag: etagOf(task.id) } : null);
  const [errors, setErrors] = useState<TaskFormErrors>({});
  const [saving, setSaving] = useState(false);
  const [repeatError, setRepeatError] = useState("");
  const [restoredNotice, setRestoredNotice] = useState(Boolean(kept));
  const { values, repeat, timezone } = state;
  const dirty = isDirty(state, base);
  useKeptIfSessionEnds<TaskDraft>(draftKey, () => (dirty ? { ...state, base } : null));

  // Another version of the task from the page (a reload, a tag added below): it replaces an
  // untouched form; under edits it becomes the base if only other things changed (tags, checklist),
  // and is shown beside the edits if a field of the form changed.
  const [shownTask, setShownTask] = useState(task);
  if (shownTask !== task) {
    setShownTask(task);
    if (!task || !dirty || !base) {
      setState(formStateOf(task));
      setBase(task ?? null);
      setConflict(null);
    } else if (sameFields(base, task)) {
      setBase(task);
    } else {
      setConflict({ latest: task, etag: etagOf(task.id) });
    }
  }

  useEffect(() => {
    if (focusTitle) titleInput.current?.focus();
  }, [focusTitle]);

  const setValue = (field: keyof TaskFormValues) => (event: { target: { value: string } }) =>
    setState((current) => ({ ...current, values: { ...current.values, [field]: event.target.value } }));

  // An impossible date (31 February) leaves the field's value empty: checked as it changes and on
  // saving. Not on leaving the field: the message appearing then would move the Save button away
  // from under the pointer between the press and the release of the click.
  const checkDue = () => {
    const problem = dateEntryProblem(dueInput.current, "datetime");
    setErrors((current) => ({ ...current, due: problem ?? undefined }));
  };

  async function send(sending: FormState, against: Task | null, etag?: string) {
    const found = validateTask(sending.values);
    const dueProblem = dateEntryProblem(dueInput.current, "datetime");
    if (dueProblem) found.due = dueProblem;
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const input = toInput(sending.values, fromLocalInput);
    const rule = buildRule(sending.repeat, anchorOf(sending.values.due));
    if (sending.repeat.preset === "custom" && !rule) {
      setRepeatError("Enter a rule, or choose another repeat.");
      return;
    }
    if (rule) {
      input.recurrence = rule;
      input.timezone = sending.timezone;
    } else if (against?.recurrence) {
      input.recurrence = null;
    }
    setRepeatError("");
    setSaving(true);
    try {
      await onSubmit(input, etag ? { etag } : undefined);
      draft.discard();
      setRestoredNotice(false);
      setConflict(null);
      if (resetOnSuccess) {
        setState(formStateOf());
        setErrors({});
        titleInput.current?.focus();
      }
    } catch (error) {
      const byField: TaskFormErrors = {};
      const serverErrors = fieldErrors(error);
      for (const [name, message] of Object.entries(serverErrors)) {
        const field = SERVER_FIELDS[name];
        if (field) byField[field] = message;
      }
      const ruleProblem = serverErrors.recurrence || serverErrors.timezone;
      if (ruleProblem) setRepeatError(ruleProblem);
      if (ruleProblem && Object.keys(byField).length === 0) {
        setErrors({});
      } else if (Object.keys(byField).length > 0) {
        setErrors(byField);
        focusFirstInvalid(form.current);
      } else if (httpStatus(error) === 412 && against) {
        await showLatest(against.id);
      } else {
        notifyError(error, { context: "Could not save the task." });
      }
    } finally {
      setSaving(false);
    }
  }

  /** After a 412: the server's version now, beside the user's edits. */
  async function showLatest(taskId: string) {
    try {
      const latest = await getTaskWithEtag(taskId);
      setConflict({ latest: latest.task, etag: latest.etag });
    } catch (error) {
      notifyError(error, { context: "The task changed elsewhere, and its latest version could not be read." });
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (conflict && base) {
      // Saving while the difference is shown means "my changes on top of theirs", as the button says.
      await applyMine();
      return;
    }
    await send(state, base);
  }

  /** The user's changes on top of the latest version, sent as a change of that version (its ETag). */
  async function applyMine() {
    if (!conflict || !base) return;
    const merged = mergeOnto(state, base, conflict.latest);
    setState(merged);
    setBase(conflict.latest);
    const { latest, etag } = conflict;
    setConflict(null);
    await send(merged, latest, etag);
  }

  function discardMine() {
    if (!conflict) return;
    setState(formStateOf(conflict.latest));
    setBase(conflict.latest);
    setConflict(null);
    setErrors({});
    setRestoredNotice(false);
    draft.discard();
    void onReload?.();
  }

  function cancel() {
    draft.discard();
    onCancel?.();
  }

  const titleLength = length(values.title);
  const anchor = anchorOf(values.due);
  const changes = conflict && base ? compareVersions(base, state, conflict.latest) : [];
  return (
    // Esc closes the form as Cancel does (a menu or a picker inside it handles its own Esc first).
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions -- Esc from any of its fields, not a widget of its own
    <form ref={form} onSubmit={submit} noValidate aria-label={label} onKeyDown={(event) => {
      if (event.key === "Escape" && onCancel && !saving && !event.defaultPrevented) {
        event.preventDefault();
        cancel();
      }
    }}>
      {restoredNotice && (
        <div className="alert alert-info py-2" role="status" data-testid="draft-restored">
          Your session ended while you were typing: what you had typed is back. It is not saved yet.
        </div>
      )}
      {conflict && (
        <ConflictPanel changes={changes} busy={saving} onApply={() => void applyMine()} onDiscard={discardMine} />
      )}
      <TextField
        ref={titleInput}
        id={`${id}-title`}
        label="Title"
        value={values.title}
        error={errors.title}
        hint={`${titleLength}/${TITLE_MAX}`}
        onChange={setValue("title")}
        required
      />
      <TextAreaField
        id={`${id}-description`}
        label="Description"
        rows={3}
        value={values.description}
        error={errors.description}
        onChange={setValue("description")}
      />
      <div className="row g-3">
        <div className="col-12 col-sm-5">
          <SelectField id={`${id}-priority`} label="Priority" value={values.priority} error={errors.priority}
            onChange={setValue("priority")} wrapperClassName="mb-0">
            {PRIORITIES.map((priority) => (
              <option key={priority.value} value={priority.value}>
                {priority.label}
              </option>
            ))}
          </SelectField>
        </div>
        <div className="col-12 col-sm-7">
          <TextField ref={dueInput} id={`${id}-due`} label="Due" type="datetime-local" value={values.due} error={errors.due}
            onChange={(event) => {
              setValue("due")(event);
              checkDue();
            }}
            wrapperClassName="mb-0" />
        </div>
      </div>
      <div className="mt-3">
        <RecurrenceEditor value={repeat}
          onChange={(next) => setState((current) => (sameRepeat(current.repeat, next) ? current : { ...current, repeat: next }))}
          timezone={timezone} onTimezoneChange={(zone) => setState((current) => ({ ...current, timezone: zone }))}
          error={repeatError} anchorDay={anchor.getDate()} />
      </div>
      <div className="d-flex flex-wrap gap-2 mt-3">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="btn btn-outline-secondary" onClick={cancel} disabled={saving}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
