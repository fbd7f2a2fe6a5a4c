import { useId, useMemo, useRef, useState, type FormEvent } from "react";
import { toast, type ToastContentProps } from "react-toastify/unstyled";
import { Dialog } from "../../components/Dialog";
import { isOfflineError } from "../../api/problem";
import { notifyError } from "../../components/notify";
import { defaultTimeZone } from "../../lib/accountTimeZone";
import { announceTaskCreated } from "../../lib/taskEvents";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import type { Task } from "../../types/task";
import { describeDue, parseQuickAdd, type ParsedTask, type WorkspaceChoice } from "./parse";
import { attachTags, createParsedTask, ensureTags, newIdempotencyKey, parsedTaskBody, type ParsedTaskBody } from "./save";

const PRIORITY_NAMES = { 1: "High (p1)", 2: "Normal (p2)", 3: "Low (p3)" } as const;
const DAY_NAMES: Record<string, string> = {
  MO: "Monday", TU: "Tuesday", WE: "Wednesday", TH: "Thursday", FR: "Friday", SA: "Saturday", SU: "Sunday",
};

/** A repeat in words, for the preview. */
export function describeRepeat(rule: string): string {
  const parts = new Map(rule.split(";").map((part) => part.split("=") as [string, string]));
  const interval = Number(parts.get("INTERVAL") ?? 1);
  const unit = { DAILY: "day", WEEKLY: "week", MONTHLY: "month", YEARLY: "year" }[parts.get("FREQ") ?? ""] ?? "period";
  let text = interval > 1 ? `Every ${interval} ${unit}s` : `Every ${unit}`;
  const days = parts.get("BYDAY");
  if (days === "MO,TU,WE,TH,FR") text = "Every weekday";
  else if (days) text += ` on ${days.split(",").map((code) => DAY_NAMES[code]).join(", ")}`;
  const monthDay = parts.get("BYMONTHDAY");
  if (monthDay) text += ` on day ${monthDay}${Number(monthDay) > 28 ? " (months without it are skipped)" : ""}`;
  return text;
}

function TagTrouble({ task, names, retry, closeToast }: { task: Task; names: string; retry: () => void } & Partial<ToastContentProps>) {
  return (
    <div>
      <p className="mb-2">“{task.title}” was added, but the tags {names} could not be attached.</p>
      <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => { closeToast?.(); retry(); }}>
        Try again
      </button>
    </div>
  );
}

/** The app's queue of changes made offline, as quick add uses it (the app hands it over). */
export interface QuickAddQueue {
  /** Whether a new task should wait in the queue: no connection, or older changes still waiting. */
  shouldQueue: () => boolean;
  /**
   * Keeps the task to send later, its tags by name, and returns it as the lists show it. `key`:
   * the Idempotency-Key of a create already sent once, whose answer never came.
   */
  queue: (body: ParsedTaskBody, tags: string[], workspace: WorkspaceChoice, key?: string) => Task;
}

interface QuickAddProps {
  open: boolean;
  onClose: () => void;
  queue: QuickAddQueue;
}

/** Quick add: one line, parsed as it is typed, with what will be saved shown below it. */
export function QuickAdd({ open, onClose, queue }: QuickAddProps) {
  const titleId = useId();
  const previewId = useId();
  const { workspaces, current, roleIn } = useWorkspaces();
  const [text, setText] = useState("");
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // One key per line as typed: a retried save of the same line never makes a second task.
  const attempt = useRef<{ text: string; key: string } | null>(null);

  const timeZone = defaultTimeZone();
  const parsed: ParsedTask = useMemo(
    () => parseQuickAdd(text, { now: new Date(), timeZone, workspaces }),
    [text, timeZone, workspaces],
  );
  const fallback = current && roleIn(current.id) !== "viewer" ? current : workspaces.find((w) => w.personal) ?? null;
  const target = parsed.workspace ?? fallback;
  const targetRole = target ? roleIn(target.id) : "owner";
  const blocker = !parsed.title
    ? "Type a title."
    : parsed.title.length > 200
      ? "A title has at most 200 characters."
      : targetRole === "viewer"
        ? `You can only view “${target?.name}”: pick another workspace with @.`
        : !target
          ? "Your workspaces are still loading."
          : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (blocker || !target || saving) {
      setProblem(blocker);
      return;
    }
    if (attempt.current?.text !== text) attempt.current = { text, key: newIdempotencyKey() };
    const key = attempt.current.key;
    setSaving(true);
    setProblem(null);
    let sending = false; // whether the task itself may have reached the server
    try {
      if (queue.shouldQueue()) {
        queued(queue.queue(parsedTaskBody(parsed, target.id), parsed.tags, target));
        return;
      }
      const tags = await ensureTags(parsed.tags, target.id);
      sending = true;
      const created = await createParsedTask(parsed, target.id, key);
      const { task, failed } = await attachTags(created, tags);
      announceTaskCreated(task);
      done();
      const due = describeDue(parsed);
      toast.success(`Added “${task.title}”${due ? `, due ${due}` : ""}.`, { autoClose: 4_000 });
      if (failed.length) reportTagTrouble(task, failed);
    } catch (error) {
      try {
        // No answer: queued like a change made offline, with the key it was sent with (if it was).
        if (!isOfflineError(error)) throw error;
        queued(queue.queue(parsedTaskBody(parsed, target.id), parsed.tags, target, sending ? key : undefined));
      } catch (failure) {
        notifyError(failure, { context: "Could not add the task." });
      }
    } finally {
      setSaving(false);
    }
  }

  function done() {
    attempt.current = null;
    setText("");
    onClose();
  }

  /** The lists show the queued task themselves (marked as waiting): only say where it went. */
  function queued(task: Task) {
    done();
    toast.info(`“${task.title}” is waiting to be sent.`, { autoClose: 4_000 });
  }

  function reportTagTrouble(task: Task, failed: { id: string; name: string; color: string }[]) {
    const names = failed.map((tag) => `#${tag.name}`).join(", ");
    const retry = async () => {
      const again = await attachTags(task, failed);
      announceTaskCreated(again.task);
      if (again.failed.length) reportTagTrouble(again.task, again.failed);
      else toast.success(`Tags attached to “${task.title}”.`, { autoClose: 3_000 });
    };
    toast.warning((props) => <TagTrouble task={task} names={names} retry={() => void retry()} {...props} />, { autoClose: false });
  }

  const due = describeDue(parsed);
  return (
    <Dialog open={open} onClose={onClose} title="Quick add" titleId={titleId}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <label htmlFor="quick-add-input" className="visually-hidden">Task, in one line</label>
        <input
          id="quick-add-input"
          className="form-control form-control-lg"
          data-autofocus
          autoComplete="off"
          placeholder="Call mom tomorrow 5pm p1 #family"
          value={text}
          aria-describedby={previewId}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setProblem(null);
          }}
        />
        <p className="form-text mb-2">
          Dates and repeats in words (“next fri 9am”, “every weekday”), <code>p1</code>–<code>p3</code>, <code>#tag</code>,{" "}
          <code>@Workspace</code>. Times are in {timeZone}. Press <kbd>?</kbd> outside a field for every shortcut.
        </p>
        <div id={previewId} aria-live="polite" className="border rounded p-2 mb-3 bg-body-tertiary" data-testid="quick-add-preview">
          <dl className="row small mb-0">
            <dt className="col-4 col-sm-3">Title</dt>
            <dd className="col-8 col-sm-9 text-break" data-testid="preview-title">{parsed.title || <em>none yet</em>}</dd>
            <dt className="col-4 col-sm-3">Due</dt>
            <dd className="col-8 col-sm-9" data-testid="preview-due">{due ?? "No due date"}</dd>
            {parsed.recurrence && (
              <>
                <dt className="col-4 col-sm-3">Repeats</dt>
                <dd className="col-8 col-sm-9" data-testid="preview-repeat">{describeRepeat(parsed.recurrence)}, in {parsed.timeZone}</dd>
              </>
            )}
            <dt className="col-4 col-sm-3">Priority</dt>
            <dd className="col-8 col-sm-9" data-testid="preview-priority">{PRIORITY_NAMES[parsed.priority ?? 2]}</dd>
            {parsed.tags.length > 0 && (
              <>
                <dt className="col-4 col-sm-3">Tags</dt>
                <dd className="col-8 col-sm-9 text-break" data-testid="preview-tags">{parsed.tags.map((tag) => `#${tag}`).join(" ")}</dd>
              </>
            )}
            <dt className="col-4 col-sm-3">Workspace</dt>
            <dd className="col-8 col-sm-9 mb-0" data-testid="preview-workspace">{target?.name ?? "…"}</dd>
          </dl>
          {parsed.unknownWorkspace && (
            <p className="small text-warning-emphasis mb-0 mt-1">
              No workspace is named “{parsed.unknownWorkspace}”: it stays in the title.
            </p>
          )}
        </div>
        {problem && <div className="alert alert-danger py-2" role="alert">{problem}</div>}
        <div className="d-flex justify-content-end gap-2">
          <button type="button" className="btn btn-outline-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? "Adding…" : "Add task"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
