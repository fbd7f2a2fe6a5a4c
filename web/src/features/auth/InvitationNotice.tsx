import { InvitationSummary, useInvitation } from "../../lib/workspaces/invitation";

/** On the login and register pages of a visitor who followed an invitation link: what they were invited to. */
export function InvitationNotice({ token }: { token: string }) {
  const invitation = useInvitation(token);
  if (invitation.kind === "loading" || invitation.kind === "unknown") return null;
  if (invitation.kind === "unusable") {
    return (
      <div className="alert alert-warning" role="alert" data-testid="invitation-notice">
        <p className="mb-1">{invitation.message}</p>
        <p className="small mb-0">Ask the person who invited you for a new link.</p>
      </div>
    );
  }
  return (
    <section className="alert alert-info" aria-label="Your invitation" data-testid="invitation-notice">
      <InvitationSummary details={invitation.details} />
      <p className="small mb-0 mt-2">Log in, or create an account with the invited address, to accept it.</p>
    </section>
  );
}
