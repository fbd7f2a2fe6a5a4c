import { useState } from "react";
import { notifyError } from "../../components/notify";
import { useAuth } from "../../lib/session/AuthProvider";
import { applyTheme, isThemeChoice, storedTheme, type ThemeChoice } from "../../lib/theme/theme";
import { updateProfile } from "./api";

const LABELS: Record<ThemeChoice, string> = { system: "As the system", light: "Light", dark: "Dark" };

/** The colour scheme, kept on the account: it applies at once, here and on the next login elsewhere. */
export function Appearance() {
  const { user, updateUser } = useAuth();
  const [choice, setChoice] = useState<ThemeChoice>(isThemeChoice(user?.theme) ? user.theme : storedTheme());
  const [saving, setSaving] = useState(false);

  async function choose(next: ThemeChoice) {
    const before = choice;
    setChoice(next);
    applyTheme(next);
    setSaving(true);
    try {
      const profile = await updateProfile({ theme: next });
      updateUser({ theme: profile.theme });
    } catch (error) {
      setChoice(before);
      applyTheme(before);
      notifyError(error, { context: "Could not save the theme." });
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="card mb-3" aria-labelledby="appearance-heading">
      <div className="card-body">
        <h2 id="appearance-heading" className="h5">Appearance</h2>
        <fieldset disabled={saving}>
          <legend className="form-label fs-6 mb-1">Theme</legend>
          {(Object.keys(LABELS) as ThemeChoice[]).map((value) => (
            <div key={value} className="form-check form-check-inline">
              <input className="form-check-input" type="radio" name="theme" id={`theme-${value}`} value={value}
                checked={choice === value} onChange={() => void choose(value)} />
              <label className="form-check-label" htmlFor={`theme-${value}`}>{LABELS[value]}</label>
            </div>
          ))}
        </fieldset>
        <div className="form-text">Kept with your account, so every device you log in on uses it.</div>
      </div>
    </section>
  );
}
