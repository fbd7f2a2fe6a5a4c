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

export async function createWorkspace(name: string): Promise<Workspace> {
  const { data } = await api.post<Workspace>("/workspaces", { name });
  return data;
}

export async function inviteToWorkspace(workspaceId: string, email: string, role: "editor" | "viewer"): Promise<string> {
  const { data } = await api.post<{ token: string }>(`/workspaces/${encodeURIComponent(workspaceId)}/invitations`, { email, role });
  return data.token;
}

export async function acceptInvitation(token: string): Promise<Workspace> {
  const { data } = await api.post<Workspace>(`/invitations/${encodeURIComponent(token)}/accept`);
  return data;
}
