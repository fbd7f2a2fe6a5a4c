import { useListKeys } from "../../lib/useListKeys";
import type { Task } from "../../types/task";
import type { TaskListState } from "./useTaskList";

/**
 * The task list's keys: j / k select a row, x completes (or reopens) it, e edits it in place and
 * # deletes it with the usual undo toast. Viewers only move the selection.
 */
export function useTaskKeyboard(list: TaskListState, edit: (task: Task) => void, canEdit: boolean, enabled: boolean) {
  return useListKeys<Task>(
    list.items,
    canEdit ? { complete: list.toggleComplete, edit, remove: list.remove } : {},
    enabled,
  );
}
