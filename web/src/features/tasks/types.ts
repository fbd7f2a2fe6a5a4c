export type Priority = 1 | 2 | 3;

export interface Task {
  id: string;
  title: string;
  description: string;
  completed: boolean;
  priority: Priority;
  due_date: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  owner: string;
}

export interface TaskPage {
  items: Task[];
  next_cursor: string | null;
}

export interface TaskInput {
  title: string;
  description: string;
  priority: Priority;
  due_date: string | null;
}

export type TaskPatch = Partial<TaskInput & { completed: boolean }>;

export type SortField = "created_at" | "due_date" | "priority";
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
