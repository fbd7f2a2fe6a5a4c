/**
 * Quick add's one line → the task it describes. Dates and times in natural language are
 * chrono-node's ("tomorrow 5pm", "next fri", "in 3 days", "dec 24 9:00"); the tokens around them
 * are the same in every language: `p1`–`p3`, `#tag`, `@Workspace`, and repeats ("every monday",
 * "every month on the 1st", "every weekday 9am"). What none of them takes stays in the title.
 *
 * chrono computes in the browser's zone; the account's zone is what counts. So chrono is given
 * "now" as the account's clocks show it, dressed as a browser-local Date, and what it finds is
 * read back as wall-clock fields and placed in the account's zone (lib/dates).
 */
import { casual } from "chrono-node/en";
import { addDays, instantIn, wallClockIn, weekdayOf, type WallClock } from "../../lib/dates";
import type { Priority } from "../../types/task";

export interface WorkspaceChoice {
  id: string;
  name: string;
  personal: boolean;
}

export interface ParseContext {
  now: Date;
  timeZone: string;
  workspaces: WorkspaceChoice[];
}

export interface ParsedTask {
  title: string;
  /** The due instant (ISO), or null. */
  due: string | null;
  /** The due date as the account's clocks show it, and whether a time was given. */
  dueWall: WallClock | null;
  hasTime: boolean;
  /** An RRULE for the API's `recurrence`, evaluated in `timeZone`. */
  recurrence: string | null;
  timeZone: string;
  priority: Priority | null;
  tags: string[];
  workspace: WorkspaceChoice | null;
  /** An `@name` that names none of the user's workspaces (left in the title). */
  unknownWorkspace: string | null;
}

/** A task given a day but no time is due at the end of that day. */
export const END_OF_DAY = { hour: 23, minute: 59 };

const DAY_CODES = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const DAY_NAMES: Record<string, number> = {
  sun: 0, sunday: 0, mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6,
};
const DAY = "(?:sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)(?:day|nesday|sday|urday)?";
const UNITS: Record<string, string> = { day: "DAILY", week: "WEEKLY", month: "MONTHLY", year: "YEARLY" };

interface Repeat {
  rule: string;
  freq: string;
  days: number[];
  monthDay: number | null;
}

/** Removes the first match of `pattern` from `text`; the match and what is left. */
function take(text: string, pattern: RegExp): { match: RegExpExecArray | null; rest: string } {
  const match = pattern.exec(text);
  if (!match) return { match: null, rest: text };
  return { match, rest: `${text.slice(0, match.index)} ${text.slice(match.index + match[0].length)}` };
}

function dayNumbers(list: string): number[] {
  const found = list.toLowerCase().match(new RegExp(DAY, "g")) ?? [];
  return [...new Set(found.map((name) => DAY_NAMES[name] ?? DAY_NAMES[name.slice(0, 3)]))].sort((a, b) => a - b);
}

function weekly(days: number[]): Repeat {
  // RRULE lists days Monday first, as the recurrence editor does.
  const ordered = [...days].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
  return { rule: `FREQ=WEEKLY;BYDAY=${ordered.map((d) => DAY_CODES[d]).join(",")}`, freq: "WEEKLY", days, monthDay: null };
}

/** The repeat the text names, if any, and the text without it. */
function takeRepeat(text: string, today: WallClock): { repeat: Repeat | null; rest: string } {
  let found = take(text, /(?:^|\s)every\s+(?:weekday|workday|week\s*day)s?(?=\s|$)/i);
  if (found.match) return { repeat: weekly([1, 2, 3, 4, 5]), rest: found.rest };

  found = take(text, new RegExp(`(?:^|\\s)every\\s+(${DAY}(?:\\s*(?:,|and|&)\\s*${DAY})*)(?=\\s|$|,)`, "i"));
  if (found.match) return { repeat: weekly(dayNumbers(found.match[1])), rest: found.rest };

  found = take(
    text,
    /(?:^|\s)(?:every\s+(?:(other|\d{1,3})\s+)?(day|week|month|year)s?|(daily|weekly|monthly|yearly))(?:\s+on\s+the\s+(\d{1,2})(?:st|nd|rd|th)?)?(?=\s|$)/i,
  );
  if (!found.match) return { repeat: null, rest: text };
  const [, every, unit, adverb, onDay] = found.match;
  const freq = unit ? UNITS[unit.toLowerCase()] : `${adverb.toUpperCase()}`;
  const interval = every ? (every.toLowerCase() === "other" ? 2 : Number(every)) : 1;
  if (interval < 1) return { repeat: null, rest: text };
  const parts = [`FREQ=${freq}`];
  if (interval > 1) parts.push(`INTERVAL=${interval}`);
  let monthDay: number | null = null;
  if (freq === "MONTHLY") {
    monthDay = onDay ? Number(onDay) : today.day;
    if (monthDay < 1 || monthDay > 31) return { repeat: null, rest: text };
    parts.push(`BYMONTHDAY=${monthDay}`);
  } else if (onDay) {
    return { repeat: null, rest: text }; // "every week on the 3rd" means nothing
  }
  return { repeat: { rule: parts.join(";"), freq, days: [], monthDay }, rest: found.rest };
}

/** The first day from `from` on which the repeat falls. */
function firstDay(repeat: Repeat, from: WallClock): WallClock {
  for (let offset = 0; offset < 800; offset += 1) {
    const day = addDays(from, offset);
    if (repeat.days.length && !repeat.days.includes(weekdayOf(day))) continue;
    if (repeat.monthDay !== null && day.day !== repeat.monthDay) continue;
    return day;
  }
  return from;
}

function takeWorkspace(text: string, workspaces: WorkspaceChoice[]): { workspace: WorkspaceChoice | null; unknown: string | null; rest: string } {
  // Longest names first: "@Team Berlin" is that workspace even when "Team" is one too.
  const byLength = [...workspaces].sort((a, b) => b.name.length - a.name.length);
  const at = /(?:^|\s)@/g;
  let match: RegExpExecArray | null;
  while ((match = at.exec(text))) {
    const start = match.index + match[0].length;
    const after = text.slice(start);
    const workspace = byLength.find((candidate) => {
      const name = candidate.name.trim();
      return name !== "" && after.slice(0, name.length).toLowerCase() === name.toLowerCase() && /^(\s|$)/.test(after.slice(name.length));
    });
    if (workspace) {
      const end = start + workspace.name.trim().length;
      return { workspace, unknown: null, rest: `${text.slice(0, match.index)} ${text.slice(end)}` };
    }
    const word = /^\S+/.exec(after);
    if (word) return { workspace: null, unknown: word[0], rest: text };
  }
  return { workspace: null, unknown: null, rest: text };
}

/**
 * "in 1 month", "next month", "in 2 years": how many months ahead, else null. chrono adds months
 * as a JavaScript Date does, so 31 January plus a month is 3 March; a calendar says 28 February.
 */
function monthsAhead(text: string): number | null {
  const match = /\b(?:in\s+)?(\d{1,3}|a|an|one)\s+(month|year)s?\b|\bnext\s+(month|year)\b/i.exec(text);
  if (!match) return null;
  const count = match[1] ? (/^\d/.test(match[1]) ? Number(match[1]) : 1) : 1;
  return (match[2] ?? match[3]).toLowerCase() === "year" ? count * 12 : count;
}

/** The same day `months` later, or the last day of that month when it is shorter. */
function addMonths(wall: WallClock, months: number): WallClock {
  const index = wall.year * 12 + wall.month - 1 + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { ...wall, year, month, day: Math.min(wall.day, lastDay) };
}

const tidy = (text: string) => text.replace(/\s+/g, " ").trim();

export function parseQuickAdd(input: string, context: ParseContext): ParsedTask {
  const { timeZone } = context;
  const nowWall = wallClockIn(context.now, timeZone);
  let text = ` ${input} `;

  let priority: Priority | null = null;
  for (let found = take(text, /(?:^|\s)p([1-3])(?=\s|$)/i); found.match; found = take(text, /(?:^|\s)p([1-3])(?=\s|$)/i)) {
    priority = Number(found.match[1]) as Priority; // the last one written wins
    text = found.rest;
  }

  const tags: string[] = [];
  for (let found = take(text, /(?:^|\s)#([\p{L}\p{N}_\-/]+)/u); found.match; found = take(text, /(?:^|\s)#([\p{L}\p{N}_\-/]+)/u)) {
    const name = found.match[1];
    if (!tags.some((tag) => tag.toLowerCase() === name.toLowerCase())) tags.push(name);
    text = found.rest;
  }

  const place = takeWorkspace(text, context.workspaces);
  text = place.rest;

  const repeated = takeRepeat(text, nowWall);
  const repeat = repeated.repeat;
  text = repeated.rest;

  // chrono is handed the account's "now" as if it were the browser's own.
  const reference = new Date(nowWall.year, nowWall.month - 1, nowWall.day, nowWall.hour, nowWall.minute);
  const [result] = casual.parse(text, reference, { forwardDate: true });
  let dueWall: WallClock | null = null;
  let hasTime = false;
  if (result) {
    const start = result.start;
    hasTime = start.isCertain("hour");
    // "every weekday 9am": chrono found only the time; the repeat decides the first day.
    const dayGiven = start.isCertain("day") || start.isCertain("weekday") || !hasTime;
    const time = hasTime ? { hour: start.get("hour") ?? 0, minute: start.get("minute") ?? 0 } : END_OF_DAY;
    let day: WallClock = {
      year: start.get("year") ?? nowWall.year,
      month: start.get("month") ?? nowWall.month,
      day: start.get("day") ?? nowWall.day,
      ...time,
    };
    if (repeat && !dayGiven) day = { ...firstDay(repeat, nowWall), ...time };
    const months = monthsAhead(result.text);
    if (months !== null) day = { ...addMonths(nowWall, months), ...time };
    dueWall = day;
    // A preposition chrono left just before the date ("at noon", "due friday") goes with it.
    const before = text.slice(0, result.index).replace(/\s(?:at|on|by|due)\s*$/i, " ");
    text = `${before} ${text.slice(result.index + result.text.length)}`;
  } else if (repeat) {
    dueWall = { ...firstDay(repeat, nowWall), ...END_OF_DAY };
  }
  // A repeat's first occurrence is never one already past today.
  if (repeat && dueWall && !(result && result.start.isCertain("day")) && instantIn(dueWall, timeZone) < context.now) {
    dueWall = { ...firstDay(repeat, addDays(nowWall, 1)), hour: dueWall.hour, minute: dueWall.minute };
  }

  return {
    title: tidy(text),
    due: dueWall ? instantIn(dueWall, timeZone).toISOString() : null,
    dueWall,
    hasTime,
    recurrence: repeat?.rule ?? null,
    timeZone,
    priority,
    tags,
    workspace: place.workspace,
    unknownWorkspace: place.unknown,
  };
}

/** The due date as the preview says it: "Tue 8 Dec 2026, 17:00" in the account's zone. */
export function describeDue(parsed: ParsedTask, locale?: string): string | null {
  if (!parsed.due || !parsed.dueWall) return null;
  const date = new Date(parsed.due);
  const day = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: parsed.timeZone }).format(date);
  if (!parsed.hasTime) return `${day} (end of day)`;
  const time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone: parsed.timeZone }).format(date);
  return `${day}, ${time}`;
}

