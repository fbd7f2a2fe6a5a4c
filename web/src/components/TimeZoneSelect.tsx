import { useMemo } from "react";

export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = typeof intl.supportedValuesOf === "function" ? intl.supportedValuesOf("timeZone") : [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

interface TimeZoneSelectProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  className?: string;
  disabled?: boolean;
  describedBy?: string;
}

/** Every IANA time zone the browser knows (plus the current value, should it not know it). */
export function TimeZoneSelect({ id, value, onChange, className = "form-select", disabled, describedBy }: TimeZoneSelectProps) {
  const zones = useMemo(() => {
    const all = timeZones();
    return value && !all.includes(value) ? [value, ...all] : all;
  }, [value]);
  return (
    <select id={id} name={id} className={className} value={value} disabled={disabled} aria-describedby={describedBy} onChange={(event) => onChange(event.target.value)}>
      {zones.map((zone) => (
        <option key={zone} value={zone}>{zone.replace(/_/g, " ")}</option>
      ))}
    </select>
  );
}
