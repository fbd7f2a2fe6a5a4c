import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from "react";
import axios from "axios";
import { Link, useNavigate } from "react-router";
import { httpStatus } from "../../api/problem";
import { notifyError, notifySuccess } from "../../components/notify";
import { Spinner } from "../../components/Spinner";
import { usePageTitle } from "../../components/usePageTitle";
import { useRevalidation } from "../../lib/revalidate/useRevalidation";
import { useAuth } from "../../lib/session/AuthProvider";
import type { Role, Workspace } from "../../lib/workspaces/api";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import {
  changeMemberRole, listMembers, removeMember, revokeInvitation, type Member, type MemberList, type PendingInvitation,
} from "./api";
import { InviteForm } from "./InviteForm";

const ROLE_NAME: Record<Role, string> = { owner: "Owner", editor: "Editor", viewer: "Viewer" };
const ROLE_BADGE: Record<Role, string> = { owner: "text-bg-dark", editor: "text-bg-success", viewer: "bg-body-tertiary text-body-emphasis border" };
const WITH_ARTICLE: Record<Role, string> = { owner: "an owner", editor: "an editor", viewer: "a viewer" };
const NEEDS_AN_OWNER = "A workspace needs at least one owner: make someone else an owner first.";

const nameOf = (member: Member) => member.display_name || member.email;
const dateOf = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(iso));

/** The members and roles of the workspace picked in the navbar. */
export function MembersPage() {
  usePageTitle("Members");
  const { current } = useWorkspaces();
  if (!current) return <Spinner label="Loading your workspaces…" />;
  if (current.personal) return <PersonalWorkspace name={current.name} />;
  // Another workspace picked in the navbar starts afresh.
  return <WorkspaceMembers key={current.id} workspace={current} />;
}

function Heading({ name }: { name: string }) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2">
        <Link to="/workspaces">← Workspaces</Link>
      </nav>
      <h1 className="h3 mb-1 text-break">
        Members<small className="text-body-secondary fs-6"> · {name}</small>
      </h1>
    </>
  );
}

/** Nobody else is ever in the personal workspace: nothing to load or manage. */
function PersonalWorkspace({ name }: { name: string }) {
  return (
    <>
      <Heading name={name} />
      <div className="alert alert-info mt-3">
        This is your personal workspace: only you can see it. <Link to="/workspaces">Create a workspace</Link> to work
        with others, then invite them from its members page.
      </div>
    </>
  );
}

function WorkspaceMembers({ workspace }: { workspace: Workspace }) {
  const { user } = useAuth();
  const { reload: reloadWorkspaces, select } = useWorkspaces();
  const navigate = useNavigate();
  const [list, setList] = useState<MemberList | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const heading = useRef<HTMLHeadingElement>(null);
  const invitationsHeading = useRef<HTMLHeadingElement>(null);
  const manage = workspace.role === "owner";

  // Read again when the caller's own role changes: owners see more (the open invitations).
  useEffect(() => {
    const controller = new AbortController();
    listMembers(workspace.id, controller.signal)
      .then((found) => {
        setList(found);
        setFailed(false);
      })
      .catch((error: unknown) => {
        if (axios.isCancel(error)) return;
        setFailed(true);
        notifyError(error, { context: "Could not load the members." });
      });
    return () => controller.abort();
  }, [workspace.id, workspace.role, attempt]);

  // Someone joined, left or got another role elsewhere: read again when the page revalidates (and
  // every 15 s while others are in it), never over a change of this page's still on its way.
  const idle = useRef(true);
  useEffect(() => {
    idle.current = busy.size === 0;
  });
  const revalidate = useCallback(() => {
    if (!idle.current) return;
    listMembers(workspace.id)
      .then((found) => {
        if (!idle.current) return;
        setList((current) => (current && JSON.stringify(current) === JSON.stringify(found) ? current : found));
      })
      .catch(() => undefined); // what is shown stays; the next revalidation asks again
  }, [workspace.id]);
  useRevalidation(revalidate, { poll: (list?.items.length ?? 0) > 1 });

  const markBusy = (userId: string, on: boolean) =>
    setBusy((current) => {
      const next = new Set(current);
      if (on) next.add(userId);
      else next.delete(userId);
      return next;
    });

  const setRoleOf = (userId: string, role: Role) =>
    setList((current) => current && {
      ...current,
      items: current.items.map((member) => (member.user_id === userId ? { ...member, role } : member)),
    });

  async function changeRole(member: Member, role: Role) {
    const previous = member.role;
    // Optimistic: the list shows the new role now and takes it back if the server refuses.
    setRoleOf(member.user_id, role);
    markBusy(member.user_id, true);
    try {
      const saved = await changeMemberRole(workspace.id, member.user_id, role);
      setRoleOf(saved.user_id, saved.role);
      notifySuccess(`${member.user_id === user?.id ? "You are" : `${nameOf(member)} is`} now ${WITH_ARTICLE[saved.role]}.`);
      // One's own role decides what the app offers (here and on the task list).
      if (member.user_id === user?.id) {
        await reloadWorkspaces();
        heading.current?.focus();
      }
    } catch (error) {
      setRoleOf(member.user_id, previous);
      notifyError(error, {
        context: `Could not make ${member.user_id === user?.id ? "you" : nameOf(member)} ${WITH_ARTICLE[role]}.`,
        byStatus: { 409: NEEDS_AN_OWNER, 403: "Only an owner can change roles." },
      });
      // No longer an owner (someone else changed it): show what is allowed now.
      if (httpStatus(error) === 403) await reloadWorkspaces();
    } finally {
      markBusy(member.user_id, false);
    }
  }

  async function remove(member: Member): Promise<boolean> {
    markBusy(member.user_id, true);
    try {
      await removeMember(workspace.id, member.user_id);
      setList((current) => current && { ...current, items: current.items.filter((item) => item.user_id !== member.user_id) });
      notifySuccess(`${nameOf(member)} was removed from “${workspace.name}”.`);
      heading.current?.focus();
      return true;
    } catch (error) {
      notifyError(error, { context: `Could not remove ${nameOf(member)}.`, byStatus: { 409: NEEDS_AN_OWNER } });
      if (httpStatus(error) === 403) await reloadWorkspaces();
      return false;
    } finally {
      markBusy(member.user_id, false);
    }
  }

  async function revoke(invitation: PendingInvitation): Promise<boolean> {
    try {
      await revokeInvitation(workspace.id, invitation.id);
    } catch (error) {
      notifyError(error, {
        context: `Could not revoke the invitation to ${invitation.email}.`,
        byStatus: { 409: "It was accepted meanwhile: remove the member instead.", 403: "Only an owner can revoke invitations." },
      });
      const status = httpStatus(error);
      if (status === 409 || status === 404) setAttempt((n) => n + 1); // show what is true now
      if (status === 403) await reloadWorkspaces();
      return false;
    }
    setList((current) => current && { ...current, invitations: current.invitations.filter((item) => item.id !== invitation.id) });
    notifySuccess(`The invitation to ${invitation.email} was revoked: its link no longer works.`);
    invitationsHeading.current?.focus();
    return true;
  }

  async function leave(): Promise<boolean> {
    if (!user) return false;
    try {
      await removeMember(workspace.id, user.id);
    } catch (error) {
      notifyError(error, {
        context: `Could not leave “${workspace.name}”.`,
        byStatus: { 409: "You are its last owner: make someone else an owner before you leave." },
      });
      return false;
    }
    // Away from this page first, so that it does not go on to show the next workspace's members.
    await navigate("/workspaces");
    const remaining = await reloadWorkspaces();
    const personal = remaining.find((item) => item.personal);
    if (personal) select(personal.id);
    notifySuccess(`You left “${workspace.name}”.`);
    return true;
  }

  return (
    <>
      <Heading name={workspace.name} />
      <p className="text-body-secondary small mb-3">
        Owners manage the members and their roles; editors add and change tasks; viewers only read them.
      </p>
      {failed && !list ? (
        <div className="alert alert-danger d-flex flex-wrap align-items-center gap-2">
          <span className="flex-grow-1">The members could not be loaded.</span>
          <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      ) : !list ? (
        <Spinner label="Loading the members…" />
      ) : (
        <div className="row g-3">
          <section className={manage ? "col-12 col-lg-7" : "col-12"} aria-labelledby="members-heading">
            <div className="card">
              <div className="card-body">
                <h2 id="members-heading" ref={heading} tabIndex={-1} className="h5">
                  People <span className="text-body-secondary fw-normal">({list.items.length})</span>
                </h2>
                <ul className="list-group list-group-flush" aria-labelledby="members-heading">
                  {list.items.map((member) => (
                    <MemberRow key={member.user_id} member={member} self={member.user_id === user?.id} manage={manage}
                      busy={busy.has(member.user_id)} workspaceName={workspace.name}
                      onRoleChange={(role) => void changeRole(member, role)} onRemove={() => remove(member)} />
                  ))}
                </ul>
                <LeaveWorkspace workspace={workspace} onLeave={leave} />
              </div>
            </div>
          </section>
          {manage && (
            <section className="col-12 col-lg-5" aria-labelledby="invite-heading">
              <div className="card">
                <div className="card-body">
                  <h2 id="invite-heading" className="h5">Invite someone</h2>
                  <InviteForm workspace={workspace} startOpen onInvited={() => setAttempt((n) => n + 1)} />
                  <OpenInvitations invitations={list.invitations} heading={invitationsHeading} onRevoke={revoke} />
                </div>
              </div>
            </section>
          )}
        </div>
      )}
    </>
  );
}

interface MemberRowProps {
  member: Member;
  self: boolean;
  manage: boolean;
  busy: boolean;
  workspaceName: string;
  onRoleChange: (role: Role) => void;
  onRemove: () => Promise<boolean>;
}

function MemberRow({ member, self, manage, busy, workspaceName, onRoleChange, onRemove }: MemberRowProps) {
  const [confirming, setConfirming] = useState(false);
  const removeButton = useRef<HTMLButtonElement>(null);
  const id = `member-${member.user_id}`;
  const name = nameOf(member);

  return (
    <li className="list-group-item px-0" data-testid="member-row" aria-busy={busy || undefined}>
      <div className="d-flex flex-wrap align-items-center gap-2">
        <div className="flex-grow-1 text-break" style={{ minWidth: "10rem" }}>
          <span className="fw-semibold">{name}</span>
          {self && <span className="badge bg-body-tertiary text-body-emphasis border ms-2">You</span>}
          {member.display_name && <div className="small text-body-secondary">{member.email}</div>}
          <div className="small text-body-secondary">Joined {dateOf(member.joined_at)}</div>
        </div>
        <span className={`badge ${ROLE_BADGE[member.role]}`} data-testid="member-role">{ROLE_NAME[member.role]}</span>
      </div>
      {manage && (
        <div className="d-flex flex-wrap align-items-center gap-2 mt-2">
          <label htmlFor={`${id}-role`} className="visually-hidden">Role of {name}</label>
          {/* Not disabled while a change is on its way, so the focus stays on it; another choice meanwhile is ignored. */}
          <select id={`${id}-role`} className="form-select form-select-sm w-auto" value={member.role} aria-disabled={busy || undefined}
            onChange={(event) => {
              if (!busy) onRoleChange(event.target.value as Role);
            }}>
            <option value="owner">Owner</option>
            <option value="editor">Editor</option>
            <option value="viewer">Viewer (read only)</option>
          </select>
          {!self && (
            <button ref={removeButton} type="button" className="btn btn-sm btn-outline-danger" aria-label={`Remove ${name}`}
              onClick={() => setConfirming(true)}>
              Remove
            </button>
          )}
        </div>
      )}
      {confirming && (
        <Confirm
          question={`Remove ${name} from “${workspaceName}”? They will no longer see its tasks.`}
          confirmLabel="Yes, remove"
          busy={busy}
          onConfirm={async () => {
            // A removed row goes away; a refused removal stays and can be tried again.
            if (await onRemove()) return;
            setConfirming(false);
            removeButton.current?.focus();
          }}
          onCancel={() => {
            setConfirming(false);
            removeButton.current?.focus();
          }}
        />
      )}
    </li>
  );
}

function LeaveWorkspace({ workspace, onLeave }: { workspace: Workspace; onLeave: () => Promise<boolean> }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const leaveButton = useRef<HTMLButtonElement>(null);
  return (
    <div className="border-top pt-3 mt-2">
      <button ref={leaveButton} type="button" className="btn btn-sm btn-outline-danger" onClick={() => setConfirming(true)}>
        Leave workspace
      </button>
      {confirming && (
        <Confirm
          question={`Leave “${workspace.name}”? You will no longer see its tasks unless someone invites you again.`}
          confirmLabel="Yes, leave"
          busy={busy}
          onConfirm={async () => {
            setBusy(true);
            if (await onLeave()) return;
            setBusy(false);
            setConfirming(false);
            leaveButton.current?.focus();
          }}
          onCancel={() => {
            setConfirming(false);
            leaveButton.current?.focus();
          }}
        />
      )}
    </div>
  );
}

interface ConfirmProps {
  question: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void | Promise<void>;
  onCancel: () => void;
}

/** An inline "are you sure?": focus starts on "Cancel", Escape cancels. */
function Confirm({ question, confirmLabel, busy, onConfirm, onCancel }: ConfirmProps) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  const escape = (event: KeyboardEvent) => {
    if (event.key === "Escape") onCancel();
  };
  return (
    <div className="alert alert-warning d-flex flex-wrap align-items-center gap-2 mt-2 mb-0 p-2" role="group" aria-labelledby={id}>
      <span id={id} className="flex-grow-1 small">{question}</span>
      <button type="button" className="btn btn-sm btn-danger" disabled={busy} onClick={() => void onConfirm()} onKeyDown={escape}>
        {confirmLabel}
      </button>
      <button ref={cancel} type="button" className="btn btn-sm btn-outline-dark" onClick={onCancel} onKeyDown={escape}>
        Cancel
      </button>
    </div>
  );
}

interface OpenInvitationsProps {
  invitations: PendingInvitation[];
  heading: RefObject<HTMLHeadingElement | null>;
  onRevoke: (invitation: PendingInvitation) => Promise<boolean>;
}

function OpenInvitations({ invitations, heading, onRevoke }: OpenInvitationsProps) {
  return (
    <>
      <h3 id="open-invitations" ref={heading} tabIndex={-1} className="h6 mt-4">Open invitations</h3>
      {invitations.length === 0 ? (
        <p className="small text-body-secondary mb-0">No invitation is waiting for an answer.</p>
      ) : (
        <ul className="list-group list-group-flush" aria-labelledby="open-invitations">
          {invitations.map((invitation) => (
            <InvitationRow key={invitation.id} invitation={invitation} onRevoke={() => onRevoke(invitation)} />
          ))}
        </ul>
      )}
    </>
  );
}

function InvitationRow({ invitation, onRevoke }: { invitation: PendingInvitation; onRevoke: () => Promise<boolean> }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const revokeButton = useRef<HTMLButtonElement>(null);
  return (
    <li className="list-group-item px-0" data-testid="invitation-row" aria-busy={busy || undefined}>
      <div className="d-flex flex-wrap align-items-center gap-2">
        <span className="flex-grow-1 text-break">{invitation.email}</span>
        <span className={`badge ${ROLE_BADGE[invitation.role]}`}>{ROLE_NAME[invitation.role]}</span>
        <button ref={revokeButton} type="button" className="btn btn-sm btn-outline-danger"
          aria-label={`Revoke the invitation to ${invitation.email}`} onClick={() => setConfirming(true)}>
          Revoke
        </button>
      </div>
      <div className="small text-body-secondary">
        Sent {dateOf(invitation.created_at)} · expires {dateOf(invitation.expires_at)}
      </div>
      {confirming && (
        <Confirm
          question={`Revoke the invitation to ${invitation.email}? Its link stops working; you can invite them again later.`}
          confirmLabel="Yes, revoke"
          busy={busy}
          onConfirm={async () => {
            setBusy(true);
            // A revoked invitation leaves the list; a refused revocation stays and can be tried again.
            if (await onRevoke()) return;
            setBusy(false);
            setConfirming(false);
            revokeButton.current?.focus();
          }}
          onCancel={() => {
            setConfirming(false);
            revokeButton.current?.focus();
          }}
        />
      )}
    </li>
  );
}
