/** The caller's workspaces: which exist and their role in each (the workspace picker and every scoped page need them). */
import { api } from "../../api/client";

export type Role = "owner" | "editor" | "viewer";

export interface Workspace {
  id: string;
  name: string;
  personal: boolean;
  role: Role;
  created_at: string;
}

export async function listWorkspaces(signal?: AbortSignal): Promise<Workspace[]> {
  const { data } = await api.get<{ items: Workspace[] }>("/workspaces", { signal });
  // Personal first, as the API promises; kept so even if it did not.
  return [...data.items].sort((a, b) => Number(b.personal) - Number(a.personal));
}
