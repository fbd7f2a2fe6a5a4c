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

/** How many people are in a workspace: its members list (read with its ETag, so mostly a 304). */
export async function countMembers(workspaceId: string, signal?: AbortSignal): Promise<number> {
  const { data } = await api.get<{ items: unknown[] }>(`/workspaces/${encodeURIComponent(workspaceId)}/members`, { signal });
  return data.items.length;
}

/** What an invitation link offers; readable without logging in, so that a visitor can see it first. */
export interface InvitationDetails {
  workspace_name: string;
  role: "editor" | "viewer";
  /** The inviter, named as the members list names people. */
  invited_by: string;
  expires_at: string;
}

export async function fetchInvitation(token: string, signal?: AbortSignal): Promise<InvitationDetails> {
  const { data } = await api.get<InvitationDetails>(`/invitations/${encodeURIComponent(token)}`, {
    signal,
    // No session needed, and none is renewed for it.
    skipAuthRefresh: true,
  });
  return data;
}
