import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { errorMessage, httpStatus } from "../../api/problem";
import { notifySuccess } from "../../components/notify";
import { usePageTitle } from "../../components/usePageTitle";
import { acceptInvitation } from "./api";
import { useWorkspaces } from "./WorkspaceContext";

const WHY: Record<number, string> = {
  403: "This invitation is for another account. Log in with the invited e-mail address.",
  404: "This invitation does not exist. Ask for a new one.",
  409: "You are already a member of this workspace.",
  410: "This invitation has expired or has been used. Ask for a new one.",
};

export function InvitationPage() {
  usePageTitle("Invitation");
  const { token = "" } = useParams();
  const navigate = useNavigate();
  const { reload, select } = useWorkspaces();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");

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
      const status = httpStatus(error);
      setProblem((status && WHY[status]) || errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="py-4 mx-auto" style={{ maxWidth: "32rem" }}>
      <h1 className="h3">Join a workspace</h1>
      <p>You have been invited to a shared workspace. Accept to see and work on its tasks.</p>
      {problem && <div className="alert alert-danger" role="alert">{problem}</div>}
      <div className="d-flex gap-2">
        <button type="button" className="btn btn-primary" onClick={() => void accept()} disabled={busy}>Accept the invitation</button>
        <Link to="/" className="btn btn-outline-secondary">Not now</Link>
      </div>
    </div>
  );
}
