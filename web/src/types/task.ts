/**
 * A task as the API sends it. Shared: the tasks feature shows and edits it, the tag calls
 * answer with the task they changed, and the checklist and reminders hang off it.
 */
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
  workspace_id: string;
  recurrence: string | null;
  timezone: string | null;
  tags: TagRef[];
  checklist_progress: ChecklistProgress;
  /** Its place in the manual order: compare byte-wise (the server makes them). */
  position: string;
  version: number;
}

export interface TagRef {
  id: string;
  name: string;
  color: string;
}

export interface ChecklistProgress {
  done: number;
  total: number;
}
