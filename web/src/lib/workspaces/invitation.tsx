import { useEffect, useState } from "react";
import axios from "axios";
import { httpStatus } from "../../api/problem";
import { fetchInvitation, type InvitationDetails } from "./api";

export const INVITATION_MISSING = "This invitation does not exist.";
export const INVITATION_GONE = "This invitation was already used or has expired.";

export type InvitationState =
  | { kind: "loading" }
  | { kind: "ready"; details: InvitationDetails }
  /** 404 or 410: nothing to accept. */
  | { kind: "unusable"; message: string }
  /** Could not be read (offline, rate limited…): accepting may still work. */
  | { kind: "unknown" };

/** The invitation a link names, read without a session (the invitee may not be logged in yet). */
export function useInvitation(token: string | null): InvitationState {
  const [read, setRead] = useState<{ token: string; state: InvitationState } | null>(null);

  useEffect(() => {
    if (!token) return;
    const controller = new AbortController();
    fetchInvitation(token, controller.signal)
      .then((details) => setRead({ token, state: { kind: "ready", details } }))
      .catch((error: unknown) => {
        if (axios.isCancel(error)) return;
        const status = httpStatus(error);
        const state: InvitationState =
          status === 404
            ? { kind: "unusable", message: INVITATION_MISSING }
            : status === 410
              ? { kind: "unusable", message: INVITATION_GONE }
              : { kind: "unknown" };
        setRead({ token, state });
      });
    return () => controller.abort();
  }, [token]);

  return read && read.token === token ? read.state : { kind: "loading" };
}

const ROLE: Record<InvitationDetails["role"], string> = {
  editor: "an editor, who adds and changes its tasks",
  viewer: "a viewer, who reads its tasks",
};

export function formatExpiry(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeStyle: "short" }).format(date);
}

/** Who invites whom to what, as the invitation page and the login page a logged-out invitee lands on say it. */
export function InvitationSummary({ details }: { details: InvitationDetails }) {
  return (
    <div data-testid="invitation-summary">
      <p className="mb-1">
        <strong className="text-break">{details.invited_by}</strong> invited you to join{" "}
        <strong className="text-break">“{details.workspace_name}”</strong> as {ROLE[details.role]}.
      </p>
      <p className="small text-body-secondary mb-0">
        The invitation is for your e-mail address only and expires on{" "}
        <time dateTime={details.expires_at}>{formatExpiry(details.expires_at)}</time>.
      </p>
    </div>
  );
}
