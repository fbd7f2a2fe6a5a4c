import { subscribeQueuedWrites } from "../../api/offlineWrites";
import { AgendaPage, type AgendaDeletes, type AgendaQueue } from "../../features/agenda/AgendaPage";
import type { AgendaTask, AgendaView } from "../../features/agenda/api";
import { isPendingDelete, scheduleDelete, subscribeDeletes } from "../../features/tasks/pendingDeletes";
import { queuedMarks } from "../../features/tasks/QueuedNotice";
import { updateOrQueue } from "../../features/tasks/updateOrQueue";
import { currentWrites, onQueuedTaskNews, versionTag, withQueued, type QueuedWrite } from "../../features/tasks/writeQueue";

// One object for the page's lifetime: the agenda reads with it, so a new one would read again.
const DELETES: AgendaDeletes = { schedule: scheduleDelete, isPending: isPendingDelete, subscribe: subscribeDeletes };

const QUEUE: AgendaQueue<readonly QueuedWrite[]> = {
  subscribe: subscribeQueuedWrites,
  snapshot: currentWrites,
  overlay: (items, writes) => {
    // Tasks made offline belong to a workspace's list: the agenda shows them once the server has them.
    const { tasks, states } = withQueued(items, writes, undefined);
    const read = new Map(items.map((item) => [item.id, item]));
    const shown = tasks.flatMap((task): AgendaTask[] => {
      const item = read.get(task.id);
      return item ? [{ ...item, ...task }] : [];
    });
    return { items: shown, marks: new Map(shown.map((task) => [task.id, queuedMarks(task, states.get(task.id))])) };
  },
  // The agenda's read carries no ETags: the change is for the version it shows.
  setCompleted: async (task, completed) => !(await updateOrQueue(task, { completed }, versionTag(task))).queued,
  onNews: onQueuedTaskNews,
};

/** Today, Upcoming or the inbox, deleting (# on a row) and queueing changes offline with the task list's machinery. */
export function AgendaRoute({ view }: { view: AgendaView }) {
  return <AgendaPage key={view} view={view} deletes={DELETES} queue={QUEUE} />;
}
