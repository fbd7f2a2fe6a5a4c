import type { Priority, Task } from "../../types/task";

export interface TaskPage {
  items: Task[];
  next_cursor: string | null;
}

export interface TaskInput {
  title: string;
  description: string;
  priority: Priority;
  due_date: string | null;
  /** Sent only when the task repeats, or stops repeating. */
  recurrence?: string | null;
  timezone?: string | null;
  workspace_id?: string;
}

export type TaskPatch = Partial<TaskInput & { completed: boolean }>;

/** A move in the manual order: right after a task (null: first), or right before one (null: last). */
export type Placement = { after: string | null } | { before: string | null };

/** What one item of a batch changes: a PATCH's fields, a move, and tags to attach or detach. */
export type BatchChanges = TaskPatch & Partial<Placement> & { add_tags?: string[]; remove_tags?: string[] };

export interface BatchItemResult {
  id: string;
  status: number;
  etag?: string | null;
  task?: Task | null;
  problem?: { status: number; title: string; detail: string } | null;
}

export type SortField = "created_at" | "due_date" | "priority" | "position";
export type SortOrder = "asc" | "desc";

export interface TaskFilterValues {
  /** "" any, "open", "done" */
  status: "" | "open" | "done";
  /** "" any, or a priority */
  priority: "" | "1" | "2" | "3";
  /** Local calendar days (YYYY-MM-DD), both ends included; "" for open-ended. */
  dueFrom: string;
  dueTo: string;
  q: string;
  sort: SortField;
  order: SortOrder;
  /** Tag ids; a task must carry all of them. */
  tags: string[];
}

export const PRIORITIES: { value: Priority; label: string; badge: string }[] = [
  { value: 1, label: "High", badge: "text-bg-danger" },
  { value: 2, label: "Normal", badge: "text-bg-secondary" },
  { value: 3, label: "Low", badge: "text-bg-info" },
];

export function priorityLabel(priority: number): string {
  return PRIORITIES.find((item) => item.value === priority)?.label ?? `P${priority}`;
}

export function priorityBadge(priority: number): string {
  return PRIORITIES.find((item) => item.value === priority)?.badge ?? "text-bg-secondary";
}

/** Open and past its due date. */
export function isOverdue(task: { completed: boolean; due_date: string | null }, now = Date.now()): boolean {
  return !task.completed && task.due_date !== null && new Date(task.due_date).getTime() < now;
}
