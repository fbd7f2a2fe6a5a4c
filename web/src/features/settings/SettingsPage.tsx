import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import axios from "axios";
import { fieldErrors, httpStatus } from "../../api/problem";
import { CopyField } from "../../components/CopyField";
import { notifyError, notifySuccess } from "../../components/notify";
import { TimeZoneSelect } from "../../components/TimeZoneSelect";
import { usePageTitle } from "../../components/usePageTitle";
import { useAuth } from "../../lib/session/AuthProvider";
import { Appearance } from "./Appearance";
import { ChangePassword } from "./ChangePassword";
import { absoluteUrl, createCalendarFeed, fetchProfile, revokeCalendarFeed, updateProfile, type ProfilePatch } from "./api";
import { defaultTimeZone, rememberAccountTimeZone } from "../../lib/accountTimeZone";

interface Values {
  displayName: string;
  timezone: string;
  digestHour: string;
  webhookUrl: string;
}

type Errors = Partial<Record<keyof Values, string>>;

const SERVER_FIELDS: Record<string, keyof Values> = {
  display_name: "displayName",
  timezone: "timezone",
  digest_hour: "digestHour",
  reminder_webhook_url: "webhookUrl",
};

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/** `devices`: what the page shows about this device (the app puts notifications there). */
export function SettingsPage({ devices }: { devices?: ReactNode } = {}) {
  usePageTitle("Settings");
  const { user, updateUser } = useAuth();
  const [saved, setSaved] = useState<Values>(() => ({
    displayName: user?.display_name ?? "",
    timezone: defaultTimeZone(),
    digestHour: "",
    webhookUrl: "",
  }));
  const [values, setValues] = useState<Values>(saved);
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  // GET /api/auth/me may not report the time zone: the one shown is then the browser's, sent only if chosen.
  const [timezoneKnown, setTimezoneKnown] = useState(false);
  const [timezoneTouched, setTimezoneTouched] = useState(false);

  // Whatever settings GET /api/auth/me carries fill the form.
  useEffect(() => {
    const controller = new AbortController();
    fetchProfile(controller.signal)
      .then((profile) => {
        rememberAccountTimeZone(profile.timezone);
        setTimezoneKnown(Boolean(profile.timezone));
        const known: Values = {
          displayName: profile.display_name ?? "",
          timezone: profile.timezone ?? defaultTimeZone(),
          digestHour: profile.digest_hour === undefined ? "" : String(profile.digest_hour),
          webhookUrl: profile.reminder_webhook_url ?? "",
        };
        setSaved(known);
        setValues(known);
      })
      .catch((error: unknown) => {
        if (!axios.isCancel(error)) notifyError(error, { context: "Could not load your settings." });
      });
    return () => controller.abort();
  }, []);

  const set = (field: keyof Values) => (value: string) => setValues((current) => ({ ...current, [field]: value }));

  async function save(patch: ProfilePatch) {
    setSaving(true);
    try {
      const profile = await updateProfile(patch);
      rememberAccountTimeZone(profile.timezone);
      setTimezoneKnown(true);
      setTimezoneTouched(false);
      updateUser({ display_name: profile.display_name });
      const next: Values = {
        displayName: profile.display_name ?? "",
        timezone: profile.timezone,
        digestHour: String(profile.digest_hour),
        webhookUrl: profile.reminder_webhook_url ?? "",
      };
      setSaved(next);
      setValues(next);
      setErrors({});
      setSecret(profile.webhook_secret);
      notifySuccess("Settings saved.");
    } catch (error) {
      const byField: Errors = {};
      for (const [name, message] of Object.entries(fieldErrors(error))) {
        const field = SERVER_FIELDS[name];
        if (field) byField[field] = message;
      }
      // A refused webhook URL comes back as a plain problem: show it by the field.
      if (Object.keys(byField).length === 0 && httpStatus(error) === 422 && "reminder_webhook_url" in patch) {
        const detail = (axios.isAxiosError(error) && (error.response?.data as { detail?: string } | undefined)?.detail) || "";
        if (detail) byField.webhookUrl = detail.charAt(0).toUpperCase() + detail.slice(1) + (/[.!?]$/.test(detail) ? "" : ".");
      }
      if (Object.keys(byField).length > 0) setErrors(byField);
      else notifyError(error, { context: "Could not save your settings." });
    } finally {
      setSaving(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const patch: ProfilePatch = {};
    const found: Errors = {};
    if (values.displayName !== saved.displayName) {
      patch.display_name = values.displayName.trim() ? values.displayName.trim() : null;
    }
    if (values.timezone !== saved.timezone || (!timezoneKnown && timezoneTouched)) patch.timezone = values.timezone;
    if (values.digestHour !== saved.digestHour && values.digestHour !== "") patch.digest_hour = Number(values.digestHour);
    if (values.webhookUrl.trim() !== saved.webhookUrl) {
      const url = values.webhookUrl.trim();
      if (url && !/^https:\/\/\S+$/i.test(url)) found.webhookUrl = "Enter an https:// address.";
      patch.reminder_webhook_url = url || null;
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    if (Object.keys(patch).length === 0) {
      notifySuccess("Nothing to save: no setting has changed.");
      return;
    }
    void save(patch);
  }

  const invalid = (field: keyof Values) => (errors[field] ? { "aria-invalid": true, "aria-describedby": `settings-${field}-error` } : {});
  const error = (field: keyof Values) =>
    errors[field] && <div id={`settings-${field}-error`} className="invalid-feedback d-block">{errors[field]}</div>;

  return (
    <>
      <h1 className="h3 mb-3">Settings</h1>
      <section className="card mb-3" aria-labelledby="profile-heading">
        <div className="card-body">
          <h2 id="profile-heading" className="h5">Profile and notifications</h2>
          <p className="small text-body-secondary">{user?.email}</p>
          <form onSubmit={submit} noValidate aria-label="Settings">
            <div className="row g-3">
              <div className="col-12 col-md-6">
                <label htmlFor="settings-display-name" className="form-label">Display name</label>
                <input id="settings-display-name" className={`form-control${errors.displayName ? " is-invalid" : ""}`} maxLength={100}
                  value={values.displayName} onChange={(event) => set("displayName")(event.target.value)} {...invalid("displayName")} />
                {error("displayName")}
              </div>
              <div className="col-12 col-md-6">
                <label htmlFor="settings-timezone" className="form-label">Time zone</label>
                <TimeZoneSelect id="settings-timezone" value={values.timezone}
                  onChange={(zone) => {
                    setTimezoneTouched(true);
                    set("timezone")(zone);
                  }}
                  className={`form-select${errors.timezone ? " is-invalid" : ""}`} describedBy="settings-timezone-hint" />
                <div id="settings-timezone-hint" className="form-text">
                  {timezoneKnown ? "Due dates, repeats and the digest follow it." : "Preset to this browser's time zone; saved once you choose one."}
                </div>
                {error("timezone")}
              </div>
              <div className="col-12 col-md-6">
                <label htmlFor="settings-digest-hour" className="form-label">Daily digest at</label>
                <select id="settings-digest-hour" className={`form-select${errors.digestHour ? " is-invalid" : ""}`}
                  value={values.digestHour} onChange={(event) => set("digestHour")(event.target.value)}
                  aria-describedby="settings-digest-hint">
                  {values.digestHour === "" && <option value="">Keep the current hour</option>}
                  {HOURS.map((hour) => (
                    <option key={hour} value={String(hour)}>{`${String(hour).padStart(2, "0")}:00`}</option>
                  ))}
                </select>
                <div id="settings-digest-hint" className="form-text">In your time zone.</div>
                {error("digestHour")}
              </div>
              <div className="col-12 col-md-6">
                <label htmlFor="settings-webhook" className="form-label">Reminder webhook URL</label>
                <input id="settings-webhook" type="url" inputMode="url" placeholder="https://…"
                  className={`form-control${errors.webhookUrl ? " is-invalid" : ""}`} value={values.webhookUrl}
                  onChange={(event) => set("webhookUrl")(event.target.value)}
                  {...(errors.webhookUrl ? { "aria-invalid": true, "aria-describedby": "settings-webhookUrl-error settings-webhook-hint" } : { "aria-describedby": "settings-webhook-hint" })} />
                <div id="settings-webhook-hint" className="form-text">Reminders are POSTed there. Leave it empty to remove the webhook.</div>
                {error("webhookUrl")}
              </div>
            </div>
            <button type="submit" className="btn btn-primary mt-3" disabled={saving}>{saving ? "Saving…" : "Save settings"}</button>
          </form>
          {secret && (
            <div className="alert alert-warning mt-3 mb-0" role="alert">
              <p className="fw-semibold mb-1">Copy the webhook signing secret now: it is shown only once.</p>
              <p className="small mb-2">Deliveries are signed with it (the X-TaskForge-Signature header). Setting a new URL makes a new secret.</p>
              <CopyField id="webhook-secret" label="Webhook secret" value={secret} />
              <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setSecret(null)}>I have saved it</button>
            </div>
          )}
        </div>
      </section>
      <Appearance />
      {devices}
      <CalendarFeed />
      <section className="card mt-3" aria-labelledby="password-heading">
        <div className="card-body">
          <h2 id="password-heading" className="h5">Password</h2>
          <ChangePassword />
        </div>
      </section>
    </>
  );
}

function CalendarFeed() {
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    try {
      setUrl(absoluteUrl(await createCalendarFeed()));
    } catch (error) {
      notifyError(error, { context: "Could not create the calendar feed." });
    } finally {
      setBusy(false);
    }
  }

  async function revoke() {
    setBusy(true);
    try {
      await revokeCalendarFeed();
      setUrl(null);
      notifySuccess("The calendar feed URL has been revoked.");
    } catch (error) {
      if (httpStatus(error) === 404) {
        setUrl(null);
        notifySuccess("There is no calendar feed to revoke.");
      } else {
        notifyError(error, { context: "Could not revoke the calendar feed." });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="calendar-heading">
      <div className="card-body">
        <h2 id="calendar-heading" className="h5">Calendar feed</h2>
        <p className="small">
          A secret iCalendar address of your due tasks, for any calendar app. Anyone who has it can read the feed; making a new
          one or revoking it stops the old one.
        </p>
        {url && <CopyField id="calendar-url" label="Calendar feed URL" value={url} hint="Shown only now: copy it into your calendar app." />}
        <div className="d-flex flex-wrap gap-2">
          <button type="button" className="btn btn-outline-primary" onClick={() => void create()} disabled={busy}>
            {url ? "Make a new URL" : "Create a calendar feed URL"}
          </button>
          <button type="button" className="btn btn-outline-danger" onClick={() => void revoke()} disabled={busy}>
            Revoke the feed
          </button>
        </div>
      </div>
    </section>
  );
}
