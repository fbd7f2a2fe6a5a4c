import { useCallback, useEffect, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { errorMessage, httpStatus } from "../../api/problem";
import { notifySuccess } from "../../components/notify";
import { usePageTitle } from "../../components/usePageTitle";
import type { ArrivalState } from "../../features/auth/RouteGuards";
import { isEmailUnverified, needsVerification } from "../../features/verification/api";
import { ResendVerification } from "../../features/verification/ResendVerification";
import { acceptInvitation } from "../../features/workspaces/api";
import { useAuth } from "../../lib/session/AuthProvider";
import { InvitationSummary, INVITATION_MISSING, useInvitation } from "../../lib/workspaces/invitation";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";

const WHY: Record<number, string> = {
  403: "This invitation is for another account. Log in with the invited e-mail address.",
  404: `${INVITATION_MISSING} Ask for a new one.`,
  409: "You are already a member of this workspace.",
};
// 410 says itself why (revoked, expired, or its sender is no longer an owner); this when it does not.
const GONE = "This invitation can no longer be used. Ask for a new one.";

/**
 * Who invites the user to what, and joining it. Joining a workspace (the workspaces feature) needs a
 * verified address (the verification feature). Arriving from the login or register page of a
 * visitor who followed the link, the invitation is accepted at once.
 */
export function InvitationPage() {
  usePageTitle("Invitation");
  const { token = "" } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const { user } = useAuth();
  const { reload, select } = useWorkspaces();
  const invitation = useInvitation(token);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");
  const [unverified, setUnverified] = useState(false);
  const verifyFirst = unverified || isEmailUnverified(user);
  const usable = invitation.kind === "ready" || invitation.kind === "unknown";

  const accept = useCallback(async () => {
    setBusy(true);
    setProblem("");
    try {
      const workspace = await acceptInvitation(token);
      await reload();
      select(workspace.id);
      notifySuccess(`You joined “${workspace.name}”.`);
      navigate("/");
    } catch (error) {
      if (needsVerification(error)) {
        setUnverified(true);
        return;
      }
      const status = httpStatus(error);
      setProblem(status === 410 ? errorMessage(error) || GONE : (status && WHY[status]) || errorMessage(error));
    } finally {
      setBusy(false);
    }
  }, [token, reload, select, navigate]);

  // Back from logging in or registering to accept this invitation: accept it, once.
  const arrivedToAccept = (location.state as ArrivalState | null)?.acceptInvitation === token;
  const acceptedOnArrival = useRef(false);
  useEffect(() => {
    if (!arrivedToAccept || !usable || acceptedOnArrival.current) return;
    acceptedOnArrival.current = true;
    // Once: going Back to this page later does not accept again.
    void navigate(`${location.pathname}${location.search}`, { replace: true, state: null });
    void accept();
  }, [arrivedToAccept, usable, accept, navigate, location.pathname, location.search]);

  if (invitation.kind === "unusable") {
    return (
      <div className="py-4 mx-auto" style={{ maxWidth: "32rem" }}>
        <h1 className="h3">Join a workspace</h1>
        <div className="alert alert-warning" role="alert" data-testid="invitation-unusable">
          <p className="mb-1">{invitation.message}</p>
          <p className="small mb-0">Ask the person who invited you for a new link.</p>
        </div>
        <Link to="/" className="btn btn-outline-dark">Back to your tasks</Link>
      </div>
    );
  }

  return (
    <div className="py-4 mx-auto" style={{ maxWidth: "32rem" }}>
      <h1 className="h3 text-break">
        {invitation.kind === "ready" ? `Join “${invitation.details.workspace_name}”` : "Join a workspace"}
      </h1>
      {invitation.kind === "ready" ? (
        <div className="mb-3">
          <InvitationSummary details={invitation.details} />
        </div>
      ) : (
        <p aria-busy={invitation.kind === "loading" || undefined}>
          You have been invited to a shared workspace. Accept to see and work on its tasks.
        </p>
      )}
      {verifyFirst && (
        <div className="alert alert-warning" role={unverified ? "alert" : undefined} data-testid="verify-first">
          <p className="mb-2">
            Verify your e-mail address first: open the link we sent to{" "}
            <strong className="text-break">{user?.email ?? "your address"}</strong>, then come back and accept. Only the
            owner of the invited address can join.
          </p>
          <ResendVerification />
        </div>
      )}
      {problem && <div className="alert alert-danger" role="alert">{problem}</div>}
      <div className="d-flex gap-2">
        <button type="button" className="btn btn-primary" onClick={() => void accept()} disabled={busy || invitation.kind === "loading"}>
          Accept the invitation
        </button>
        <Link to="/" className="btn btn-outline-dark">Not now</Link>
      </div>
    </div>
  );
}
