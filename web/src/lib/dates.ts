/** Dates are stored in UTC by the API and shown in the browser's time zone. */

const pad = (value: number) => String(value).padStart(2, "0");

/** ISO instant → the value of an <input type="datetime-local"> in local time. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The value of an <input type="datetime-local"> (local time) → an ISO instant with its offset. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function formatDue(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function formatFull(iso: string): string {
  // dateStyle and timeStyle cannot be combined with timeZoneName, hence the fields.
  return new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(iso));
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

function isCalendarDay(year: number, month: number, day: number): boolean {
  // Day 0 of the next month is the last day of this one.
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= new Date(year, month, 0).getDate();
}

/**
 * Whether the text is a day that exists (YYYY-MM-DD). `new Date("2026-02-31")` rolls over to
 * 3 March instead of failing, so the fields are checked one by one.
 */
export function isRealDate(value: string): boolean {
  const match = LOCAL_DATE.exec(value);
  return match !== null && isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Whether the text is a local date and time that exists (YYYY-MM-DDTHH:MM, seconds optional). */
export function isRealDateTime(value: string): boolean {
  const match = LOCAL_DATE_TIME.exec(value);
  if (!match) return false;
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6] ?? 0)];
  return isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3])) && hour < 24 && minute < 60 && second < 60;
}

/** What a date or date-and-time field holds, as far as validity goes (an <input> is one). */
export interface DateEntry {
  value: string;
  /** `validity.badInput`: the browser holds typed text that is no date, while `value` is "". */
  validity?: { badInput: boolean };
}

export const NOT_A_DATE = "This is not a real date. Check the day, the month and the year, or clear the field.";
export const NOT_A_DATE_TIME =
  "This is not a real date and time. Check the day, the month, the year and the time, or clear the field.";

/**
 * Why a date (`kind` "date") or date-and-time field cannot be used, or null when it can (empty
 * included). A native date field typed into with an impossible day (31 February) or left half
 * filled reports `badInput` and an empty value, which would otherwise pass for "no date".
 */
export function dateEntryProblem(entry: DateEntry | null | undefined, kind: "date" | "datetime"): string | null {
  if (!entry) return null;
  const message = kind === "date" ? NOT_A_DATE : NOT_A_DATE_TIME;
  if (entry.validity?.badInput) return message;
  if (!entry.value) return null;
  return (kind === "date" ? isRealDate(entry.value) : isRealDateTime(entry.value)) ? null : message;
}

/**
 * A moment as "Mon 9 Dec, 09:00" in the browser's language, in the given time zone (a task's
 * repeats run in their own); the zone's name is added when it is not the browser's.
 */
export function formatOccurrence(iso: string, timeZone?: string | null): string {
  const zone = timeZone || undefined;
  const foreign = zone !== undefined && zone !== Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    return new Intl.DateTimeFormat(undefined, {
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: zone,
      timeZoneName: foreign ? "short" : undefined,
    }).format(new Date(iso));
  } catch {
    // A zone this browser does not know: its own zone, named.
    return formatFull(iso);
  }
}

/** A moment's calendar fields as a clock on the wall of one time zone shows them (month 1–12). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** What the clocks of `timeZone` show at `instant`. */
export function wallClockIn(instant: Date, timeZone: string): WallClock {
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    wallFormats.set(timeZone, format);
  }
  const fields: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return { year: fields.year, month: fields.month, day: fields.day, hour: fields.hour, minute: fields.minute };
}

const asUtc = (wall: WallClock) => Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);

/**
 * The instant at which the clocks of `timeZone` show `wall`. A time the zone skips (02:30 on the
 * night clocks go forward) is read as the same number of minutes after the change, 03:30; a time
 * it shows twice (the night they go back) is the first of the two.
 */
export function instantIn(wall: WallClock, timeZone: string): Date {
  const target = asUtc(wall);
  const offsetAt = (instant: number) => asUtc(wallClockIn(new Date(instant), timeZone)) - instant;
  // Two offsets around the target cover both sides of a change; the earlier fitting one wins.
  const before = target - offsetAt(target - 86_400_000);
  const after = target - offsetAt(target + 86_400_000);
  const fitting = [Math.min(before, after), Math.max(before, after)].find(
    (instant) => asUtc(wallClockIn(new Date(instant), timeZone)) === target,
  );
  // In a skipped hour, the offset from before the change moves the time past it.
  return new Date(fitting ?? before);
}

/** The calendar day `days` after a wall-clock day (months and years roll over). */
export function addDays(wall: WallClock, days: number): WallClock {
  const moved = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** The day of the week of a wall-clock day, 0 Sunday … 6 Saturday. */
export function weekdayOf(wall: WallClock): number {
  return new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay();
}

/** A calendar day as YYYY-MM-DD. */
export function dayKey(wall: Pick<WallClock, "year" | "month" | "day">): string {
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
}
