import { api } from "../../api/client";

export interface Stats {
  total: number;
  completed: number;
  overdue: number;
  by_priority: Record<"1" | "2" | "3", number>;
  completion_rate: number;
}

export async function getStats(signal?: AbortSignal, workspaceId?: string): Promise<Stats> {
  const { data } = await api.get<Stats>("/stats", { signal, params: workspaceId ? { workspace_id: workspaceId } : {} });
  return data;
}

export interface DayCounts {
  /** YYYY-MM-DD, in the user's time zone */
  day: string;
  created: number;
  completed: number;
}

export interface StatsHistory {
  /** The time zone in which the days begin and end (the user's). */
  timezone: string;
  /** Oldest first, today last. */
  days: DayCounts[];
}

export async function getStatsHistory(days: number, signal?: AbortSignal, workspaceId?: string): Promise<StatsHistory> {
  const { data } = await api.get<StatsHistory>("/stats/history", {
    signal,
    params: { days, ...(workspaceId ? { workspace_id: workspaceId } : {}) },
  });
  return data;
}
