import { api } from "../../api/client";
import type { Role, Workspace } from "../../lib/workspaces/api";

export async function createWorkspace(name: string): Promise<Workspace> {
  const { data } = await api.post<Workspace>("/workspaces", { name });
  return data;
}

export interface CreatedInvitation {
  id: string;
  /** Shown once: the invited person's link carries it. */
  token: string;
  /** Whether the link was also e-mailed to the invited address. */
  emailed: boolean;
}

export async function inviteToWorkspace(workspaceId: string, email: string, role: "editor" | "viewer"): Promise<CreatedInvitation> {
  const { data } = await api.post<CreatedInvitation>(`/workspaces/${encodeURIComponent(workspaceId)}/invitations`, { email, role });
  return data;
}

/** An owner withdraws an open invitation: its link stops working. */
export async function revokeInvitation(workspaceId: string, invitationId: string): Promise<void> {
  await api.delete(`/workspaces/${encodeURIComponent(workspaceId)}/invitations/${encodeURIComponent(invitationId)}`);
}

export async function acceptInvitation(token: string): Promise<Workspace> {
  const { data } = await api.post<Workspace>(`/invitations/${encodeURIComponent(token)}/accept`);
  return data;
}

export interface Member {
  user_id: string;
  email: string;
  display_name: string | null;
  role: Role;
  joined_at: string;
}

export interface PendingInvitation {
  id: string;
  email: string;
  role: "editor" | "viewer";
  created_at: string;
  expires_at: string;
}

export interface MemberList {
  items: Member[];
  /** Open invitations: filled for owners only. */
  invitations: PendingInvitation[];
}

const membersPath = (workspaceId: string) => `/workspaces/${encodeURIComponent(workspaceId)}/members`;

export async function listMembers(workspaceId: string, signal?: AbortSignal): Promise<MemberList> {
  const { data } = await api.get<MemberList>(membersPath(workspaceId), { signal });
  return data;
}

export async function changeMemberRole(workspaceId: string, userId: string, role: Role): Promise<Member> {
  const { data } = await api.patch<Member>(`${membersPath(workspaceId)}/${encodeURIComponent(userId)}`, { role });
  return data;
}

/** An owner removes someone, or a member removes themself (leaves). */
export async function removeMember(workspaceId: string, userId: string): Promise<void> {
  await api.delete(`${membersPath(workspaceId)}/${encodeURIComponent(userId)}`);
}
