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
