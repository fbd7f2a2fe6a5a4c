import { isRealDateTime, NOT_A_DATE_TIME } from "../../lib/dates";
import type { TaskInput } from "./types";

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 10_000;

export interface TaskFormValues {
  title: string;
  description: string;
  priority: string;
  due: string; // datetime-local, the browser's time
}

export type TaskFormErrors = Partial<Record<keyof TaskFormValues, string>>;

/** Characters as the API counts them (code points, not UTF-16 units). */
export const length = (text: string) => [...text].length;

export function validateTask(values: TaskFormValues): TaskFormErrors {
  const errors: TaskFormErrors = {};
  if (!values.title.trim()) errors.title = "Give the task a title.";
  else if (length(values.title) > TITLE_MAX) errors.title = `Keep the title to ${TITLE_MAX} characters or fewer.`;
  if (length(values.description) > DESCRIPTION_MAX) {
    errors.description = `Keep the description to ${DESCRIPTION_MAX.toLocaleString()} characters or fewer.`;
  }
  if (!["1", "2", "3"].includes(values.priority)) errors.priority = "Choose a priority.";
  if (values.due && !isRealDateTime(values.due)) errors.due = NOT_A_DATE_TIME;
  return errors;
}

export function toInput(values: TaskFormValues, fromLocal: (value: string) => string | null): TaskInput {
  return {
    title: values.title.trim(),
    description: values.description,
    priority: Number(values.priority) as TaskInput["priority"],
    due_date: fromLocal(values.due),
  };
}
