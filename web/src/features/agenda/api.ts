import { api } from "../../api/client";
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
