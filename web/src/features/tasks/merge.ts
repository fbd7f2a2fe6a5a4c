/**
 * A task's fields as the form edits them, and how three versions compare: the one the edit
 * started from (base), what the user has now (mine) and what the server has now (theirs).
 * A save refused because the task changed meanwhile (412) shows the difference field by field
 * and can put the user's changes on top of the latest version.
 */
import { defaultTimeZone } from "../../lib/accountTimeZone";
import { formatDue, fromLocalInput, toLocalInput } from "../../lib/dates";
import type { Task } from "../../types/task";
import { buildRule, describeRule, parseRule, type RecurrenceState } from "./rrule";
import { priorityLabel } from "./types";
import type { TaskFormValues } from "./validation";

/** Everything the task form holds. */
export interface FormState {
  values: TaskFormValues;
  repeat: RecurrenceState;
  timezone: string;
}

export type FieldName = "title" | "description" | "priority" | "due" | "repeat";

export const FIELD_LABELS: Record<FieldName, string> = {
  title: "Title",
  description: "Description",
  priority: "Priority",
  due: "Due",
  repeat: "Repeats",
};

const FIELDS = Object.keys(FIELD_LABELS) as FieldName[];

/** One field that differs between the versions. */
export interface FieldChange {
  field: FieldName;
  label: string;
  /** The field as the user has it, and as the server has it now, for reading. */
  mine: string;
  theirs: string;
  changedByMe: boolean;
  changedByThem: boolean;
  /** Both changed it, to different values: applying mine replaces theirs. */
  conflict: boolean;
}

/** The form's state for a task (or an empty form). */
export function formStateOf(task?: Task | null): FormState {
  return {
    values: {
      title: task?.title ?? "",
      description: task?.description ?? "",
      priority: String(task?.priority ?? 2),
      due: toLocalInput(task?.due_date ?? null),
    },
    repeat: parseRule(task?.recurrence),
    timezone: task?.timezone || defaultTimeZone(),
  };
}

/** The day "this day" means in a repeat: the due date, else today. */
export function anchorOf(due: string): Date {
  const date = due ? new Date(due) : null;
  return date && !Number.isNaN(date.getTime()) ? date : new Date();
}

/** Each field as one comparable string (the repeat as the rule the form would send, with its zone). */
function comparable(state: FormState): Record<FieldName, string> {
  const rule = buildRule(state.repeat, anchorOf(state.values.due)) ?? "";
  return {
    title: state.values.title.trim(),
    description: state.values.description,
    priority: state.values.priority,
    due: state.values.due,
    repeat: rule ? `${rule}|${state.timezone}` : "",
  };
}

function shown(field: FieldName, state: FormState): string {
  const { values } = state;
  switch (field) {
    case "title":
      return values.title.trim();
    case "description":
      return values.description || "(none)";
    case "priority":
      return priorityLabel(Number(values.priority));
    case "due": {
      const instant = fromLocalInput(values.due);
      return instant ? formatDue(instant) : "No due date";
    }
    case "repeat": {
      const rule = buildRule(state.repeat, anchorOf(values.due));
      return rule ? `${describeRule(rule)} (${state.timezone})` : describeRule(null);
    }
  }
}

/** Whether the form holds anything else than `base` (an empty form when there is none). */
export function isDirty(state: FormState, base?: Task | null): boolean {
  const now = comparable(state);
  const start = comparable(formStateOf(base));
  return FIELDS.some((field) => now[field] !== start[field]);
}

/** Whether two versions of a task differ in a field the form edits. */
export function sameFields(a: Task, b: Task): boolean {
  const left = comparable(formStateOf(a));
  const right = comparable(formStateOf(b));
  return FIELDS.every((field) => left[field] === right[field]);
}

/** The fields that I or they changed since `base`, in the form's order. */
export function compareVersions(base: Task, mine: FormState, latest: Task): FieldChange[] {
  const theirs = formStateOf(latest);
  const [start, now, there] = [comparable(formStateOf(base)), comparable(mine), comparable(theirs)];
  return FIELDS.flatMap((field) => {
    const changedByMe = now[field] !== start[field];
    const changedByThem = there[field] !== start[field];
    if (!changedByMe && !changedByThem) return [];
    return [{
      field,
      label: FIELD_LABELS[field],
      mine: shown(field, mine),
      theirs: shown(field, theirs),
      changedByMe,
      changedByThem,
      conflict: changedByMe && changedByThem && now[field] !== there[field],
    }];
  });
}

/** The latest version with the user's changes on top: their fields where the user changed nothing. */
export function mergeOnto(mine: FormState, base: Task, latest: Task): FormState {
  const changes = new Map(compareVersions(base, mine, latest).map((change) => [change.field, change.changedByMe]));
  const theirs = formStateOf(latest);
  const pick = (field: FieldName) => (changes.get(field) ? mine : theirs);
  return {
    values: {
      title: pick("title").values.title,
      description: pick("description").values.description,
      priority: pick("priority").values.priority,
      due: pick("due").values.due,
    },
    repeat: pick("repeat").repeat,
    timezone: pick("repeat").timezone,
  };
}
