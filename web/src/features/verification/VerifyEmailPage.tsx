import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { errorMessage, httpStatus } from "../../api/problem";
import { usePageTitle } from "../../components/usePageTitle";
import { useAuth } from "../../lib/session/AuthProvider";
import { isEmailUnverified, VERIFIED, verifyEmail } from "./api";
import { ResendVerification } from "./ResendVerification";

type Outcome =
  | { kind: "verifying" }
  | { kind: "verified"; email: string }
  | { kind: "failed"; message: string };

const WHY: Record<number, string> = {
  400: "This verification link is not valid. Check that you opened the whole link from the e-mail, or ask for a new one.",
  422: "This verification link is not valid. Check that you opened the whole link from the e-mail, or ask for a new one.",
};

/** Where a verification e-mail's link leads: it sends the token once and says what happened. */
export function VerifyEmailPage() {
  usePageTitle("Verify your e-mail address");
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const { status, user, updateUser } = useAuth();
  const [outcome, setOutcome] = useState<Outcome>(
    token ? { kind: "verifying" } : { kind: "failed", message: "This link has no token. Open the whole link from the e-mail." },
  );
  // The token works once: never send it twice (React runs effects twice in development).
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    verifyEmail(token)
      .then((email) => setOutcome({ kind: "verified", email }))
      .catch((error: unknown) => {
        const status = httpStatus(error);
        // A spent link (410) says why itself: used, expired, or for an address the account no longer has.
        setOutcome({ kind: "failed", message: (status && WHY[status]) || errorMessage(error) });
      });
  }, [token]);

  // The logged-in account is the one verified: show it at once (the banner goes away).
  const verifiedEmail = outcome.kind === "verified" ? outcome.email : null;
  useEffect(() => {
    if (verifiedEmail && isEmailUnverified(user) && user?.email.toLowerCase() === verifiedEmail.toLowerCase()) {
      updateUser(VERIFIED);
    }
  }, [verifiedEmail, user, updateUser]);

  return (
    <div className="py-4 mx-auto" style={{ maxWidth: "32rem" }}>
      <h1 className="h3">Verify your e-mail address</h1>
      {outcome.kind === "verifying" && <p role="status">Verifying your e-mail address…</p>}
      {outcome.kind === "verified" && (
        <>
          <div className="alert alert-success" role="status">
            Your e-mail address <strong className="text-break">{outcome.email}</strong> is verified. You can now accept
            invitations to shared workspaces.
          </div>
          {status === "authenticated" ? <Link to="/" className="btn btn-primary">Go to your tasks</Link>
            : <Link to="/login" className="btn btn-primary">Log in</Link>}
        </>
      )}
      {outcome.kind === "failed" && (
        <>
          <div className="alert alert-danger" role="alert">{outcome.message}</div>
          {status === "authenticated" && (isEmailUnverified(user) ? <ResendVerification />
            : <p>Your e-mail address is verified already: there is nothing more to do. <Link to="/">Go to your tasks</Link></p>)}
          {status === "anonymous" && <p><Link to="/login">Log in</Link> to ask for a new link.</p>}
        </>
      )}
    </div>
  );
}
