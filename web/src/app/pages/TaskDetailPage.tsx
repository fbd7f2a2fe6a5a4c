import { useCallback, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { api } from "../../api/client";
import { httpStatus } from "../../api/problem";
import { notifyInfo } from "../../components/notify";
import { ActivityFeed } from "../../features/activity/ActivityFeed";
import { Checklist } from "../../features/checklist/Checklist";
import { TaskHistory } from "../../features/history/TaskHistory";
import { Reminders } from "../../features/reminders/Reminders";
import { TaskTags } from "../../features/tags/TaskTags";
import { TaskDetailView } from "../../features/tasks/TaskDetailView";
import { useRevalidation } from "../../lib/revalidate/useRevalidation";
import { useSharedWorkspace } from "../../lib/workspaces/useSharedWorkspace";
import type { Task } from "../../types/task";

/** One task with its tags, checklist, reminders, history and activity, each section its own feature's. */
export function TaskDetailPage() {
  const { taskId = "" } = useParams();
  // A restored version brings its own checklist: the checklist reads it again.
  const [restores, setRestores] = useState(0);
  return (
    <TaskDetailView
      taskId={taskId}
      sections={({ task, canEdit, replaceTask, reloadTask }) => (
        <>
          <GoneElsewhere task={task} />
          <TaskTags task={task} onChange={replaceTask} readOnly={!canEdit} />
          <Checklist key={`${task.id}#${restores}`} taskId={task.id} reloadTask={reloadTask} readOnly={!canEdit} />
          <Reminders task={task} />
          <TaskHistory
            task={task}
            canEdit={canEdit}
            reloadTask={reloadTask}
            onRestored={(restored) => {
              replaceTask(restored);
              setRestores((count) => count + 1);
            }}
          />
          <section className="card mt-3" aria-labelledby="task-activity-heading">
            <div className="card-body">
              <h2 id="task-activity-heading" className="h5">Activity</h2>
              <ActivityFeed key={task.id} scope={{ taskId: task.id }} label="Activity of this task" />
            </div>
          </section>
        </>
      )}
    />
  );
}

/** Whether the task is still there. Read apart from the task's ETag, which stays the one of the version shown. */
async function stillThere(taskId: string): Promise<boolean> {
  try {
    await api.get(`/tasks/${encodeURIComponent(taskId)}`);
    return true;
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

/**
 * A task deleted in another tab or by another member: when the page revalidates, it says so and
 * goes back to the list, instead of failing with "no such task" on the next click. Only whether it
 * exists is checked; a change to it is left to the edit's If-Match, so nothing being typed is replaced.
 */
function GoneElsewhere({ task }: { task: Task }) {
  const navigate = useNavigate();
  const shared = useSharedWorkspace(task.workspace_id);
  const check = useCallback(() => {
    stillThere(task.id)
      .then((there) => {
        if (there) return;
        notifyInfo(`“${task.title}” was deleted elsewhere.`);
        void navigate("/", { replace: true });
      })
      .catch(() => undefined); // unknown: the next revalidation asks again
  }, [task.id, task.title, navigate]);
  useRevalidation(check, { poll: shared });
  return null;
}
