export type Preset = "none" | "daily" | "weekdays" | "weekly" | "monthly" | "yearly" | "custom";

export const DAYS = [
  { code: "MO", label: "Monday", short: "Mon" },
  { code: "TU", label: "Tuesday", short: "Tue" },
  { code: "WE", label: "Wednesday", short: "Wed" },
  { code: "TH", label: "Thursday", short: "Thu" },
  { code: "FR", label: "Friday", short: "Fri" },
  { code: "SA", label: "Saturday", short: "Sat" },
  { code: "SU", label: "Sunday", short: "Sun" },
] as const;

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"];

export interface RecurrenceState {
  preset: Preset;
  /** For "weekly": the chosen days (MO…SU). */
  days: string[];
  /** For "custom": the RRULE as typed. */
  custom: string;
}

function parts(rule: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of rule.replace(/^RRULE:/i, "").split(";")) {
    const [key, value] = part.split("=");
    if (key && value !== undefined) map.set(key.trim().toUpperCase(), value.trim().toUpperCase());
  }
  return map;
}

/** The day code (MO…SU) of a date. */
export function dayCode(date: Date): string {
  return DAYS[(date.getDay() + 6) % 7].code;
}

/** Which preset a rule is, so that an existing rule opens in the right editor. */
export function parseRule(rule: string | null | undefined): RecurrenceState {
  if (!rule) return { preset: "none", days: [], custom: "" };
  const map = parts(rule);
  const keys = [...map.keys()].sort().join(",");
  const freq = map.get("FREQ");
  const byday = map.get("BYDAY")?.split(",").filter(Boolean) ?? [];
  if (freq === "DAILY" && keys === "FREQ") return { preset: "daily", days: [], custom: rule };
  if (freq === "WEEKLY" && keys === "BYDAY,FREQ" && byday.every((day) => DAYS.some((d) => d.code === day))) {
    const sorted = DAYS.map((d) => d.code).filter((code) => byday.includes(code));
    if (sorted.join(",") === WEEKDAYS.join(",")) return { preset: "weekdays", days: [], custom: rule };
    return { preset: "weekly", days: sorted, custom: rule };
  }
  if (freq === "MONTHLY" && keys === "BYMONTHDAY,FREQ") return { preset: "monthly", days: [], custom: rule };
  if (freq === "YEARLY" && keys === "FREQ") return { preset: "yearly", days: [], custom: rule };
  return { preset: "custom", days: [], custom: rule };
}

/** The RRULE for the editor's state; `anchor` is the day "this day" means (the due date, or today). */
export function buildRule(state: RecurrenceState, anchor: Date): string | null {
  switch (state.preset) {
    case "none":
      return null;
    case "daily":
      return "FREQ=DAILY";
    case "weekdays":
      return `FREQ=WEEKLY;BYDAY=${WEEKDAYS.join(",")}`;
    case "weekly": {
      const days = state.days.length ? DAYS.map((d) => d.code).filter((code) => state.days.includes(code)) : [dayCode(anchor)];
      return `FREQ=WEEKLY;BYDAY=${days.join(",")}`;
    }
    case "monthly":
      return `FREQ=MONTHLY;BYMONTHDAY=${anchor.getDate()}`;
    case "yearly":
      return "FREQ=YEARLY";
    case "custom":
      return state.custom.trim().replace(/^RRULE:/i, "") || null;
  }
}

/** A short description of a rule, for reading. */
export function describeRule(rule: string | null | undefined): string {
  const state = parseRule(rule);
  switch (state.preset) {
    case "none":
      return "Does not repeat";
    case "daily":
      return "Every day";
    case "weekdays":
      return "Every weekday (Monday to Friday)";
    case "weekly":
      return `Every week on ${state.days.map((code) => DAYS.find((d) => d.code === code)?.label).join(", ")}`;
    case "monthly":
      return `Every month on day ${parts(rule ?? "").get("BYMONTHDAY")}`;
    case "yearly":
      return "Every year";
    default:
      return `Custom rule: ${rule}`;
  }
}
