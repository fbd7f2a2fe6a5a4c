import { useParams } from "react-router";
import { ActivityFeed } from "../../features/activity/ActivityFeed";
import { Checklist } from "../../features/checklist/Checklist";
import { Reminders } from "../../features/reminders/Reminders";
import { TaskTags } from "../../features/tags/TaskTags";
import { TaskDetailView } from "../../features/tasks/TaskDetailView";

/** One task with its tags, checklist, reminders and activity, each section its own feature's. */
export function TaskDetailPage() {
  const { taskId = "" } = useParams();
  return (
    <TaskDetailView
      taskId={taskId}
      sections={({ task, canEdit, replaceTask, reloadTask }) => (
        <>
          <TaskTags task={task} onChange={replaceTask} readOnly={!canEdit} />
          <Checklist taskId={task.id} reloadTask={reloadTask} readOnly={!canEdit} />
          <Reminders task={task} />
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
