import { StatsSummary } from "../../features/stats/StatsSummary";
import { useTags } from "../../features/tags/useTags";
import { TasksView } from "../../features/tasks/TasksView";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";

/** The task list, with the workspace's tags as filters and its numbers above. */
export function TasksPage() {
  const { workspaceId } = useWorkspaces();
  const tags = useTags(workspaceId);
  return (
    <TasksView tags={tags} summary={(revision) => <StatsSummary revision={revision} workspaceId={workspaceId} />} />
  );
}
