import { useId } from "react";
import { TimeZoneSelect } from "../../components/TimeZoneSelect";
import { zoneForNewRepeat } from "../../lib/accountTimeZone";
import { DAYS, type Preset, type RecurrenceState } from "./rrule";

interface RecurrenceEditorProps {
  value: RecurrenceState;
  onChange: (next: RecurrenceState) => void;
  timezone: string;
  onTimezoneChange: (timezone: string) => void;
  /** A problem the server found with the rule. */
  error?: string;
  /** The day-of-month "monthly on this day" uses, for its label. */
  anchorDay: number;
}

const PRESETS: { value: Preset; label: (day: number) => string }[] = [
  { value: "none", label: () => "Does not repeat" },
  { value: "daily", label: () => "Daily" },
  { value: "weekdays", label: () => "Every weekday (Mon–Fri)" },
  { value: "weekly", label: () => "Weekly on chosen days" },
  { value: "monthly", label: (day) => `Monthly on day ${day}` },
  { value: "yearly", label: () => "Yearly" },
  { value: "custom", label: () => "Custom (RRULE)" },
];

export function RecurrenceEditor({ value, onChange, timezone, onTimezoneChange, error, anchorDay }: RecurrenceEditorProps) {
  const id = useId().replace(/:/g, "");
  const errorId = `${id}-error`;
  return (
    <div className="border rounded p-2 p-sm-3">
      <div className="row g-2">
        <div className="col-12 col-sm-6">
          <label htmlFor={`${id}-preset`} className="form-label">Repeat</label>
          <select id={`${id}-preset`} className={`form-select${error && value.preset !== "custom" ? " is-invalid" : ""}`}
            value={value.preset} aria-describedby={error && value.preset !== "custom" ? errorId : undefined}
            onChange={(event) => {
              const preset = event.target.value as Preset;
              // A new repeat runs in the task's or the account's zone, never in UTC nobody chose.
              if (value.preset === "none" && preset !== "none") {
                const zone = zoneForNewRepeat(timezone);
                if (zone !== timezone) onTimezoneChange(zone);
              }
              onChange({ ...value, preset });
            }}>
            {PRESETS.map((preset) => (
              <option key={preset.value} value={preset.value}>{preset.label(anchorDay)}</option>
            ))}
          </select>
        </div>
        {value.preset !== "none" && (
          <div className="col-12 col-sm-6">
            <label htmlFor={`${id}-tz`} className="form-label">Time zone of the repeats</label>
            <TimeZoneSelect id={`${id}-tz`} value={timezone} onChange={onTimezoneChange} />
          </div>
        )}
      </div>
      {value.preset === "weekly" && (
        <fieldset className="mt-2">
          <legend className="form-label fs-6 mb-1">Repeat on</legend>
          <div className="d-flex flex-wrap gap-1">
            {DAYS.map((day) => {
              const checked = value.days.includes(day.code);
              return (
                <span key={day.code}>
                  <input type="checkbox" className="btn-check" id={`${id}-${day.code}`} checked={checked}
                    onChange={() => onChange({ ...value, days: checked ? value.days.filter((d) => d !== day.code) : [...value.days, day.code] })} />
                  <label className="btn btn-sm btn-outline-primary" htmlFor={`${id}-${day.code}`}>
                    <span aria-hidden="true">{day.short}</span>
                    <span className="visually-hidden">{day.label}</span>
                  </label>
                </span>
              );
            })}
          </div>
          <div className="form-text">With no day chosen, the due date's weekday is used.</div>
        </fieldset>
      )}
      {value.preset === "custom" && (
        <div className="mt-2">
          <label htmlFor={`${id}-rule`} className="form-label">RRULE</label>
          <input id={`${id}-rule`} className={`form-control font-monospace${error ? " is-invalid" : ""}`} value={value.custom}
            maxLength={500} placeholder="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO" spellCheck={false}
            aria-invalid={error ? true : undefined} aria-describedby={`${id}-rule-hint${error ? ` ${errorId}` : ""}`}
            onChange={(event) => onChange({ ...value, custom: event.target.value })} />
          <div id={`${id}-rule-hint`} className="form-text">An RFC 5545 rule, e.g. FREQ=MONTHLY;BYDAY=1MO (the first Monday).</div>
        </div>
      )}
      {error && <div id={errorId} className="invalid-feedback d-block">{error}</div>}
    </div>
  );
}
