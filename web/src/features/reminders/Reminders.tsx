import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import axios from "axios";
import { notifyError } from "../../components/notify";
import { dateEntryProblem, formatFull, fromLocalInput } from "../../lib/dates";
import { useKeptIfSessionEnds, useRestoredDraft } from "../../lib/drafts/useFormDraft";
import type { Task } from "../../types/task";
import { deviceSubscription } from "../../lib/push/device";
import { addReminder, deleteReminder, listReminders, type Channel, type Reminder } from "./api";

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
  pending: "bg-body-tertiary text-body-emphasis border",
  sent: "text-bg-success",
  missed: "text-bg-warning",
  failed: "text-bg-danger",
  quarantined: "text-bg-danger",
};

const CHANNELS: { value: Channel; label: string }[] = [
  { value: "account", label: "By e-mail (or your webhook)" },
  { value: "push", label: "On this device (notification)" },
];

type Kind = "relative" | "absolute";

/** What the new-reminder form holds; kept as a draft should the session end. */
interface ReminderDraft {
  kind: Kind;
  before: string;
  at: string;
  channel?: Channel;
}

const DEFAULT_BEFORE = "PT30M";

export function Reminders({ task, readOnly = false }: { task: Task; readOnly?: boolean }) {
  const id = useId().replace(/:/g, "");
  const atInput = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Reminder[] | null>(null);
  const initialKind: Kind = task.due_date ? "relative" : "absolute";
  const draftKey = readOnly ? null : `reminder:${task.id}`;
  const draft = useRestoredDraft<ReminderDraft>(draftKey);
  const kept = draft.restored?.value;
  const [kind, setKind] = useState<Kind>(kept?.kind ?? initialKind);
  const [before, setBefore] = useState(kept?.before ?? DEFAULT_BEFORE);
  const [at, setAt] = useState(kept?.at ?? "");
  const [channel, setChannel] = useState<Channel>(kept?.channel ?? "account");
  // Whether this device would show a push reminder: said beside the choice, never assumed.
  const [deviceOn, setDeviceOn] = useState<boolean | null>(null);
  useEffect(() => {
    if (channel !== "push") return;
    let current = true;
    deviceSubscription()
      .then((subscription) => current && setDeviceOn(Boolean(subscription)))
      .catch(() => current && setDeviceOn(false));
    return () => {
      current = false;
    };
  }, [channel]);
  const [restoredNotice, setRestoredNotice] = useState(Boolean(kept));
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useKeptIfSessionEnds<ReminderDraft>(draftKey, () =>
    at || kind !== initialKind || before !== DEFAULT_BEFORE || channel !== "account" ? { kind, before, at, channel } : null);

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
      // A date that does not exist (31 February) leaves the field empty: said as such, not as "choose one".
      const problem = dateEntryProblem(atInput.current ?? { value: at }, "datetime");
      const instant = !problem && at ? fromLocalInput(at) : null;
      if (!instant) {
        setError(problem ?? "Choose the date and time of the reminder.");
        atInput.current?.focus();
        return;
      }
      body = { at: instant };
    } else {
      body = { before_due: before };
    }
    setError("");
    setBusy(true);
    try {
      const created = await addReminder(task.id, { ...body, channel });
      setItems((current) => [...(current ?? []), created]);
      setAt("");
      draft.discard();
      setRestoredNotice(false);
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
                  <div>
                    {describeReminder(reminder)}
                    {reminder.channel === "push" && <span className="small text-body-secondary"> · on your devices</span>}
                  </div>
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
            {restoredNotice && (
              <div className="alert alert-info py-2 small" role="status" data-testid="reminder-draft-restored">
                Your session ended while you were adding a reminder: what you had chosen is back. It is not saved yet.
              </div>
            )}
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
                  <input id={`${id}-at`} ref={atInput} type="datetime-local" className={`form-control form-control-sm${error ? " is-invalid" : ""}`}
                    value={at}
                    onChange={(event) => {
                      setAt(event.target.value);
                      setError(dateEntryProblem(event.target, "datetime") ?? "");
                    }}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={error ? `${id}-at-error` : undefined} />
                  {error && <div id={`${id}-at-error`} className="invalid-feedback d-block">{error}</div>}
                </div>
              )}
              <div>
                <label htmlFor={`${id}-channel`} className="visually-hidden">How to remind</label>
                <select id={`${id}-channel`} className="form-select form-select-sm" value={channel}
                  onChange={(event) => setChannel(event.target.value as Channel)}
                  aria-describedby={channel === "push" && deviceOn === false ? `${id}-channel-hint` : undefined}>
                  {CHANNELS.map((item) => <option key={item.value} value={item.value}>{item.label}</option>)}
                </select>
                {channel === "push" && deviceOn === false && (
                  <div id={`${id}-channel-hint`} className="form-text">
                    Notifications are off on this device: turn them on in Settings. Until a device has them on, this reminder comes by e-mail.
                  </div>
                )}
              </div>
              <button type="submit" className="btn btn-sm btn-outline-primary" disabled={busy}>Add reminder</button>
            </div>
          </form>
        )}
      </div>
    </section>
  );
}
