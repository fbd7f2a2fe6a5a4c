import { useEffect, useState } from "react";
import { notifyError, notifySuccess } from "../../components/notify";
import {
  browserZone, keptUtc, rememberAccountTimeZone, rememberKeptUtc, saveAccountTimeZone, timeZoneOf, zoneToOffer,
} from "../../lib/accountTimeZone";
import { useAuth } from "../../lib/session/AuthProvider";

const readable = (zone: string) => zone.replace(/_/g, " ");

/**
 * An account still on UTC, in a browser that reports another zone, is asked once whether to use
 * it. "Yes" sets the account's zone; "No" is remembered for this user in this browser.
 */
export function TimeZonePrompt() {
  const { user } = useAuth();
  const account = timeZoneOf(user);
  const [answeredBy, setAnsweredBy] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // What the app knows of the account's zone comes from GET /api/auth/me (new repeats start from it).
  useEffect(() => {
    if (user) rememberAccountTimeZone(account, user.id);
  }, [user, account]);

  if (!user || answeredBy === user.id) return null;
  const offer = zoneToOffer({ account, browser: browserZone(), kept: keptUtc(user.id) });
  if (!offer) return null;
  const userId = user.id;

  async function switchTo(zone: string) {
    setBusy(true);
    try {
      const saved = await saveAccountTimeZone(zone);
      setAnsweredBy(userId);
      notifySuccess(`Your account now uses ${readable(saved)} time.`);
    } catch (error) {
      notifyError(error, { context: "Could not change the time zone." });
    } finally {
      setBusy(false);
    }
  }

  function keep() {
    rememberKeptUtc(userId);
    setAnsweredBy(userId);
  }

  return (
    <section className="alert alert-info d-flex flex-wrap align-items-center gap-2" aria-labelledby="timezone-prompt-question"
      data-testid="timezone-prompt">
      <div className="flex-grow-1">
        <p id="timezone-prompt-question" className="fw-semibold mb-1">Use {readable(offer)}?</p>
        <p className="small mb-0">
          Your account&rsquo;s time zone is UTC, but this browser is in {readable(offer)}. Due days, repeats, the daily
          digest and the statistics follow the account&rsquo;s time zone. You can change it later in Settings.
        </p>
      </div>
      <div className="d-flex flex-wrap gap-2">
        <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void switchTo(offer)}>
          Yes, use {readable(offer)}
        </button>
        <button type="button" className="btn btn-sm btn-outline-dark" disabled={busy} onClick={keep}>
          No, keep UTC
        </button>
      </div>
    </section>
  );
}
