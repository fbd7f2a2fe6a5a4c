import { api } from "../../api/client";
import { rememberEtag } from "../../api/etags";
import type { Task } from "../../types/task";

export type AgendaView = "today" | "upcoming" | "inbox";

export interface AgendaTask extends Task {
  workspace_name: string;
  workspace_personal: boolean;
}

export interface Agenda {
  view: AgendaView;
  timezone: string;
  today: string;
  items: AgendaTask[];
  truncated: boolean;
}

export interface AgendaCounts {
  timezone: string;
  today: number;
  overdue: number;
  upcoming: number;
  inbox: number;
}

export async function getAgenda(view: AgendaView, completed: boolean, signal?: AbortSignal): Promise<Agenda> {
  const { data } = await api.get<Agenda>("/agenda", { params: { view, completed }, signal });
  return data;
}

export async function getAgendaCounts(signal?: AbortSignal): Promise<AgendaCounts> {
  const { data } = await api.get<AgendaCounts>("/agenda/counts", { signal });
  return data;
}

/** Completes or reopens a task of the agenda, for the version the agenda showed (If-Match). */
export async function setCompleted(task: Task, completed: boolean): Promise<Task> {
  const response = await api.patch<Task>(
    `/tasks/${encodeURIComponent(task.id)}`,
    { completed },
    { headers: { "If-Match": `"${task.version}"` } },
  );
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}
