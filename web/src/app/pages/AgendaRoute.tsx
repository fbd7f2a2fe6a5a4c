import { AgendaPage, type AgendaDeletes } from "../../features/agenda/AgendaPage";
import type { AgendaView } from "../../features/agenda/api";
import { isPendingDelete, scheduleDelete, subscribeDeletes } from "../../features/tasks/pendingDeletes";

// One object for the page's lifetime: the agenda reads with it, so a new one would read again.
const DELETES: AgendaDeletes = { schedule: scheduleDelete, isPending: isPendingDelete, subscribe: subscribeDeletes };

/** Today, Upcoming or the inbox, deleting (# on a row) with the task list's undo. */
export function AgendaRoute({ view }: { view: AgendaView }) {
  return <AgendaPage key={view} view={view} deletes={DELETES} />;
}
