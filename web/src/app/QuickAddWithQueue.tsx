/**
 * Quick add with the task list's offline queue: a task typed while the API cannot be reached
 * (or while older changes wait) joins the queue, and shows at once on the lists.
 */
import { QuickAdd, type QuickAddQueue } from "../features/quickadd/QuickAdd";
import { queueCreate, shouldQueue } from "../features/tasks/writeQueue";

const queue: QuickAddQueue = {
  shouldQueue,
  // The lists call the personal workspace "none": the queued task must show on its list.
  queue: (body, tags, workspace, key) =>
    queueCreate({ description: "", priority: 2, ...body }, workspace.personal ? undefined : workspace.id, key, tags),
};

export function QuickAddWithQueue(props: { open: boolean; onClose: () => void }) {
  return <QuickAdd {...props} queue={queue} />;
}
