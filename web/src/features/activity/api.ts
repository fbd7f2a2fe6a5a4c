import { api } from "../../api/client";

export interface ActivityItem {
  id: string;
  type: string;
  /** null for a workspace's own events (members, invitations). */
  task_id: string | null;
  actor_id: string | null;
  summary: string;
  time: string;
  data: Record<string, unknown>;
  /** The task was deleted since: the entry stays, with nothing to open. */
  task_deleted?: boolean;
}

export interface ActivityPage {
  items: ActivityItem[];
  next_cursor: string | null;
}

export const ACTIVITY_PAGE_SIZE = 20;

export async function listActivity(
  scope: { workspaceId?: string } | { taskId: string },
  cursor: string | null,
  signal?: AbortSignal,
): Promise<ActivityPage> {
  const params: Record<string, string | number> = { limit: ACTIVITY_PAGE_SIZE };
  if (cursor) params.cursor = cursor;
  let path = "/activity";
  if ("taskId" in scope) path = `/tasks/${encodeURIComponent(scope.taskId)}/activity`;
  else if (scope.workspaceId) params.workspace_id = scope.workspaceId;
  const { data } = await api.get<ActivityPage>(path, { params, signal });
  return data;
}
