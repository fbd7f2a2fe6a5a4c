import { useEffect, useId, useState, type FormEvent } from "react";
import axios from "axios";
import { notifyError } from "../../components/notify";
import { formatFull, fromLocalInput } from "../../lib/dates";
import type { Task } from "../../types/task";
import { addReminder, deleteReminder, listReminders, type Reminder } from "./api";

export const BEFORE_DUE = [
  { value: "PT10M", label: "10 minutes before" },
  { value: "PT30M", label: "30 minutes before" },
  { value: "PT1H", label: "1 hour before" },
  { value: "P1D", label: "1 day before" },
];

export function describeReminder(reminder: Reminder): string {
  if (reminder.before_due) {
    const preset = BEFORE_DUE.find((item) => item.value === reminder.before_due);
    return `${preset ? preset.label : `${reminder.before_due} before`} the due date`;
  }
  return reminder.at ? `At ${formatFull(reminder.at)}` : "Reminder";
}

const STATUS: Record<Reminder["status"], string> = {
  pending: "text-bg-light border",
  sent: "text-bg-success",
  missed: "text-bg-warning",
  failed: "text-bg-danger",
};

export function Reminders({ task, readOnly = false }: { task: Task; readOnly?: boolean }) {
  const id = useId().replace(/:/g, "");
  const [items, setItems] = useState<Reminder[] | null>(null);
  const [kind, setKind] = useState<"relative" | "absolute">(task.due_date ? "relative" : "absolute");
  const [before, setBefore] = useState("PT30M");
  const [at, setAt] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    listReminders(task.id, controller.signal)
      .then(setItems)
      .catch((failure: unknown) => {
        if (!axios.isCancel(failure)) notifyError(failure, { context: "Could not load the reminders." });
      });
    return () => controller.abort();
  }, [task.id]);

  async function add(event: FormEvent) {
    event.preventDefault();
    let body: { at: string } | { before_due: string };
    if (kind === "absolute") {
      const instant = at ? fromLocalInput(at) : null;
      if (!instant) {
        setError("Choose the date and time of the reminder.");
        return;
      }
      body = { at: instant };
    } else {
      body = { before_due: before };
    }
    setError("");
    setBusy(true);
    try {
      const created = await addReminder(task.id, body);
      setItems((current) => [...(current ?? []), created]);
      setAt("");
    } catch (failure) {
      notifyError(failure, { context: "Could not add the reminder." });
    } finally {
      setBusy(false);
    }
  }

  async function remove(reminder: Reminder) {
    try {
      await deleteReminder(task.id, reminder.id);
      setItems((current) => current?.filter((item) => item.id !== reminder.id) ?? null);
    } catch (failure) {
      notifyError(failure, { context: "Could not delete the reminder." });
    }
  }

  return (
    <section className="card mt-3" aria-labelledby={`${id}-heading`}>
      <div className="card-body">
        <h2 id={`${id}-heading`} className="h5">Reminders</h2>
        {items === null ? (
          <p className="small text-body-secondary">Loading the reminders…</p>
        ) : items.length === 0 ? (
          <p className="small text-body-secondary">No reminders.</p>
        ) : (
          <ul className="list-group mb-3" aria-label="Reminders">
            {items.map((reminder) => (
              <li key={reminder.id} className="list-group-item d-flex flex-wrap align-items-center gap-2" data-testid="reminder">
                <div className="flex-grow-1">
                  <div>{describeReminder(reminder)}</div>
                  {reminder.scheduled_at && reminder.before_due && (
                    <div className="small text-body-secondary">
                      Next: <time dateTime={reminder.scheduled_at}>{formatFull(reminder.scheduled_at)}</time>
                    </div>
                  )}
                </div>
                <span className={`badge ${STATUS[reminder.status]}`}>{reminder.status}</span>
                {!readOnly && (
                  <button type="button" className="btn btn-sm btn-outline-danger"
                    aria-label={`Delete the reminder: ${describeReminder(reminder)}`} onClick={() => void remove(reminder)}>
                    Delete
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {!readOnly && (
          <form onSubmit={(event) => void add(event)} noValidate aria-label="New reminder">
            <fieldset className="mb-2">
              <legend className="form-label fs-6 mb-1">Remind me</legend>
              <div className="form-check form-check-inline">
                <input className="form-check-input" type="radio" name={`${id}-kind`} id={`${id}-relative`} checked={kind === "relative"}
                  onChange={() => setKind("relative")} />
                <label className="form-check-label" htmlFor={`${id}-relative`}>Before the due date</label>
              </div>
              <div className="form-check form-check-inline">
                <input className="form-check-input" type="radio" name={`${id}-kind`} id={`${id}-absolute`} checked={kind === "absolute"}
                  onChange={() => setKind("absolute")} />
                <label className="form-check-label" htmlFor={`${id}-absolute`}>At a date and time</label>
              </div>
            </fieldset>
            <div className="d-flex flex-wrap gap-2 align-items-start">
              {kind === "relative" ? (
                <div>
                  <label htmlFor={`${id}-before`} className="visually-hidden">How long before the due date</label>
                  <select id={`${id}-before`} className="form-select form-select-sm" value={before} onChange={(event) => setBefore(event.target.value)}
                    aria-describedby={task.due_date ? undefined : `${id}-nodue`}>
                    {BEFORE_DUE.map((item) => <option key={item.value} value={item.value}>{item.label}</option>)}
                  </select>
                  {!task.due_date && (
                    <div id={`${id}-nodue`} className="form-text">This task has no due date yet.</div>
                  )}
                </div>
              ) : (
                <div>
                  <label htmlFor={`${id}-at`} className="visually-hidden">Reminder date and time</label>
                  <input id={`${id}-at`} type="datetime-local" className={`form-control form-control-sm${error ? " is-invalid" : ""}`}
                    value={at} onChange={(event) => setAt(event.target.value)} aria-invalid={error ? true : undefined}
                    aria-describedby={error ? `${id}-at-error` : undefined} />
                  {error && <div id={`${id}-at-error`} className="invalid-feedback d-block">{error}</div>}
                </div>
              )}
              <button type="submit" className="btn btn-sm btn-outline-primary" disabled={busy}>Add reminder</button>
            </div>
          </form>
        )}
      </div>
    </section>
  );
}
