import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { fieldErrors, httpStatus } from "../../api/problem";
import { focusFirstInvalid, SelectField, TextAreaField, TextField } from "../../components/Field";
import { notifyError } from "../../components/notify";
import { fromLocalInput, toLocalInput } from "../../lib/dates";
import type { Task } from "../../types/task";
import { PRIORITIES, type TaskInput } from "./types";
import { RecurrenceEditor } from "./RecurrenceEditor";
import { buildRule, parseRule, type RecurrenceState } from "./rrule";
import { defaultTimeZone } from "../../lib/accountTimeZone";
import { length, TITLE_MAX, toInput, validateTask, type TaskFormErrors, type TaskFormValues } from "./validation";

interface TaskFormProps {
  task?: Task;
  submitLabel: string;
  onSubmit: (input: TaskInput) => Promise<unknown>;
  onCancel?: () => void;
  /** Offered when the server refuses a save because the task changed meanwhile (412). */
  onReload?: () => Promise<void> | void;
  /** Clear the fields after a successful save (for "new task"). */
  resetOnSuccess?: boolean;
  /** Put the focus in the title when the form opens (it opens when the person asks for it). */
  focusTitle?: boolean;
  label: string;
}

function valuesOf(task?: Task): TaskFormValues {
  return {
    title: task?.title ?? "",
    description: task?.description ?? "",
    priority: String(task?.priority ?? 2),
    due: toLocalInput(task?.due_date ?? null),
  };
}

const SERVER_FIELDS: Record<string, keyof TaskFormValues> = {
  title: "title",
  description: "description",
  priority: "priority",
  due_date: "due",
};

export function TaskForm({ task, submitLabel, onSubmit, onCancel, onReload, resetOnSuccess, focusTitle, label }: TaskFormProps) {
  const id = useId().replace(/:/g, "");
  const form = useRef<HTMLFormElement>(null);
  const titleInput = useRef<HTMLInputElement>(null);
  const [values, setValues] = useState<TaskFormValues>(() => valuesOf(task));
  const [errors, setErrors] = useState<TaskFormErrors>({});
  const [stale, setStale] = useState(false);
  const [saving, setSaving] = useState(false);
  const [repeat, setRepeat] = useState<RecurrenceState>(() => parseRule(task?.recurrence));
  const [timezone, setTimezone] = useState(() => task?.timezone || defaultTimeZone());
  const [repeatError, setRepeatError] = useState("");

  // A reloaded task replaces what is in the form.
  const [shownTask, setShownTask] = useState(task);
  if (shownTask !== task) {
    setShownTask(task);
    setValues(valuesOf(task));
    setRepeat(parseRule(task?.recurrence));
    setTimezone(task?.timezone || defaultTimeZone());
    setStale(false);
  }

  useEffect(() => {
    if (focusTitle) titleInput.current?.focus();
  }, [focusTitle]);

  const set = (field: keyof TaskFormValues) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateTask(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const input = toInput(values, fromLocalInput);
    const rule = buildRule(repeat, anchor);
    if (repeat.preset === "custom" && !rule) {
      setRepeatError("Enter a rule, or choose another repeat.");
      return;
    }
    if (rule) {
      input.recurrence = rule;
      input.timezone = timezone;
    } else if (task?.recurrence) {
      input.recurrence = null;
    }
    setRepeatError("");
    setSaving(true);
    setStale(false);
    try {
      await onSubmit(input);
      if (resetOnSuccess) {
        setRepeat(parseRule(null));
        setValues(valuesOf());
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
      } else if (httpStatus(error) === 412 && onReload) {
        setStale(true);
      } else {
        notifyError(error, { context: "Could not save the task." });
      }
    } finally {
      setSaving(false);
    }
  }

  const titleLength = length(values.title);
  const dueAt = values.due ? new Date(values.due) : null;
  const anchor = dueAt && !Number.isNaN(dueAt.getTime()) ? dueAt : new Date();
  return (
    <form ref={form} onSubmit={submit} noValidate aria-label={label}>
      {stale && (
        <div className="alert alert-warning d-flex flex-wrap align-items-center gap-2" role="alert">
          <span className="flex-grow-1">This task was changed somewhere else since you opened it.</span>
          <button type="button" className="btn btn-sm btn-warning" onClick={() => void onReload?.()}>
            Reload the latest version
          </button>
        </div>
      )}
      <TextField
        ref={titleInput}
        id={`${id}-title`}
        label="Title"
        value={values.title}
        error={errors.title}
        hint={`${titleLength}/${TITLE_MAX}`}
        onChange={set("title")}
        required
      />
      <TextAreaField
        id={`${id}-description`}
        label="Description"
        rows={3}
        value={values.description}
        error={errors.description}
        onChange={set("description")}
      />
      <div className="row g-3">
        <div className="col-12 col-sm-5">
          <SelectField id={`${id}-priority`} label="Priority" value={values.priority} error={errors.priority}
            onChange={set("priority")} wrapperClassName="mb-0">
            {PRIORITIES.map((priority) => (
              <option key={priority.value} value={priority.value}>
                {priority.label}
              </option>
            ))}
          </SelectField>
        </div>
        <div className="col-12 col-sm-7">
          <TextField id={`${id}-due`} label="Due" type="datetime-local" value={values.due} error={errors.due}
            onChange={set("due")} wrapperClassName="mb-0" />
        </div>
      </div>
      <div className="mt-3">
        <RecurrenceEditor value={repeat} onChange={setRepeat} timezone={timezone} onTimezoneChange={setTimezone}
          error={repeatError} anchorDay={anchor.getDate()} />
      </div>
      <div className="d-flex flex-wrap gap-2 mt-3">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="btn btn-outline-secondary" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
