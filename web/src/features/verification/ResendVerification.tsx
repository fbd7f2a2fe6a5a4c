import { useState } from "react";
import { errorMessage, httpStatus } from "../../api/problem";
import { useAuth } from "../../lib/session/AuthProvider";
import { requestVerification, VERIFIED } from "./api";

interface ResendVerificationProps {
  className?: string;
  /** The button's text; the default suits a page that already explained why. */
  label?: string;
}

/** "Send the link again", with what happened said beside it (a live region). */
export function ResendVerification({ className = "btn btn-sm btn-outline-dark", label = "Send the verification e-mail again" }: ResendVerificationProps) {
  const { updateUser } = useAuth();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  async function resend() {
    setBusy(true);
    setResult(null);
    try {
      const email = await requestVerification();
      setResult({ ok: true, text: `We sent a new link to ${email}. It works once, for 24 hours.` });
    } catch (error) {
      if (httpStatus(error) === 409) {
        // Verified meanwhile (in another tab, say): nothing left to do.
        updateUser(VERIFIED);
        setResult({ ok: true, text: "Your e-mail address is already verified." });
      } else {
        setResult({ ok: false, text: errorMessage(error) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="d-inline-flex flex-wrap align-items-center gap-2">
      <button type="button" className={className} disabled={busy} onClick={() => void resend()}>
        {busy ? "Sending…" : label}
      </button>
      <span role="status" className={`small ${result && !result.ok ? "text-danger" : ""}`}>{result?.text}</span>
    </span>
  );
}
