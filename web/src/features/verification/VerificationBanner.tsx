import { useState } from "react";
import { useLocation } from "react-router";
import { useAuth } from "../../lib/session/AuthProvider";
import { isEmailUnverified } from "./api";
import { ResendVerification } from "./ResendVerification";

const DISMISSED = "taskforge-verification-banner-dismissed";

function dismissedFor(userId: string): boolean {
  try {
    return sessionStorage.getItem(DISMISSED) === userId;
  } catch {
    return false;
  }
}

/** A reminder for a logged-in user whose address is not verified; dismissed for this tab's session. */
export function VerificationBanner() {
  const { status, user } = useAuth();
  const location = useLocation();
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (status !== "authenticated" || !user || !isEmailUnverified(user)) return null;
  if (dismissed === user.id || dismissedFor(user.id) || location.pathname === "/verify-email") return null;

  function dismiss() {
    if (!user) return;
    setDismissed(user.id);
    try {
      sessionStorage.setItem(DISMISSED, user.id);
    } catch {
      // Private modes may refuse storage: the banner then stays away until the next load only.
    }
  }

  return (
    <aside className="alert alert-info rounded-0 mb-0 py-2" aria-label="Address verification">
      <div className="container d-flex flex-wrap align-items-center gap-2">
        <span className="flex-grow-1">
          Confirm your e-mail address: open the link we sent to <strong className="text-break">{user.email}</strong>.
          You need it to join shared workspaces.
        </span>
        <ResendVerification label="Send the link again" />
        <button type="button" className="btn-close" aria-label="Dismiss the verification reminder" onClick={dismiss} />
      </div>
    </aside>
  );
}
