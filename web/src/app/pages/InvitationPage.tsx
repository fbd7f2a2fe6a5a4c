import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { errorMessage, httpStatus } from "../../api/problem";
import { notifySuccess } from "../../components/notify";
import { usePageTitle } from "../../components/usePageTitle";
import { isEmailUnverified, needsVerification } from "../../features/verification/api";
import { ResendVerification } from "../../features/verification/ResendVerification";
import { acceptInvitation } from "../../features/workspaces/api";
import { useAuth } from "../../lib/session/AuthProvider";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";

const WHY: Record<number, string> = {
  403: "This invitation is for another account. Log in with the invited e-mail address.",
  404: "This invitation does not exist. Ask for a new one.",
  409: "You are already a member of this workspace.",
};
// 410 says itself why (revoked, expired, or its sender is no longer an owner); this when it does not.
const GONE = "This invitation can no longer be used. Ask for a new one.";

/** Joining a workspace (the workspaces feature) needs a verified address (the verification feature). */
export function InvitationPage() {
  usePageTitle("Invitation");
  const { token = "" } = useParams();
  const navigate = useNavigate();
  const { user } = useAuth();
  const { reload, select } = useWorkspaces();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");
  const [unverified, setUnverified] = useState(false);
  const verifyFirst = unverified || isEmailUnverified(user);

  async function accept() {
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
  }

  return (
    <div className="py-4 mx-auto" style={{ maxWidth: "32rem" }}>
      <h1 className="h3">Join a workspace</h1>
      <p>You have been invited to a shared workspace. Accept to see and work on its tasks.</p>
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
        <button type="button" className="btn btn-primary" onClick={() => void accept()} disabled={busy}>Accept the invitation</button>
        <Link to="/" className="btn btn-outline-secondary">Not now</Link>
      </div>
    </div>
  );
}
