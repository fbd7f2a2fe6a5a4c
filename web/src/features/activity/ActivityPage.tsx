import { usePageTitle } from "../../components/usePageTitle";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import { ActivityFeed } from "./ActivityFeed";

export function ActivityPage() {
  usePageTitle("Activity");
  const { workspaceId, current } = useWorkspaces();
  return (
    <>
      <h1 className="h3 mb-3">
        Activity
        {current && <small className="text-body-secondary fs-6"> · {current.name}</small>}
      </h1>
      <ActivityFeed key={workspaceId ?? "personal"} scope={{ workspaceId }} linkTasks label="Recent activity" />
    </>
  );
}
