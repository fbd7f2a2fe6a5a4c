import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseQuickAdd, type ParseContext } from "./parse";

const WORKSPACES = [
  { id: "p", name: "Personal", personal: true },
  { id: "t", name: "Team", personal: false },
  { id: "tb", name: "Team Berlin", personal: false },
];

function at(now: string, timeZone: string): ParseContext {
  return { now: new Date(now), timeZone, workspaces: WORKSPACES };
}

// Thursday 10 December 2026, 10:00 in Berlin (09:00Z).
const BERLIN = at("2026-12-10T09:00:00Z", "Europe/Berlin");

interface Row {
  phrase: string;
  context: ParseContext;
  title: string;
  due: string | null;
  recurrence?: string | null;
}

// `due` is the instant the API receives: the account zone's wall clock made UTC.
const TABLE: Row[] = [
  { phrase: "Call mom tomorrow 5pm p1 #family", context: BERLIN, title: "Call mom", due: "2026-12-11T16:00:00.000Z" },
  { phrase: "Report next fri", context: BERLIN, title: "Report", due: "2026-12-18T22:59:00.000Z" },
  { phrase: "Pay rent in 3 days", context: BERLIN, title: "Pay rent", due: "2026-12-13T22:59:00.000Z" },
  { phrase: "Wrap gifts dec 24 9:00", context: BERLIN, title: "Wrap gifts", due: "2026-12-24T08:00:00.000Z" },
  { phrase: "Just a title", context: BERLIN, title: "Just a title", due: null },
  // A time alone is today's when it is still to come, else tomorrow's.
  { phrase: "Lunch at noon", context: BERLIN, title: "Lunch", due: "2026-12-10T11:00:00.000Z" },
  { phrase: "Breakfast at 8am", context: BERLIN, title: "Breakfast", due: "2026-12-11T07:00:00.000Z" },
  // The account's zone decides, whatever the browser's: the same words in New York.
  {
    phrase: "Call mom tomorrow 5pm",
    context: at("2026-12-10T09:00:00Z", "America/New_York"),
    title: "Call mom",
    due: "2026-12-11T22:00:00.000Z",
  },
  // Near midnight the account's day is not the UTC day: 23:30 on the 10th in New York is the 11th in UTC.
  {
    phrase: "Stretch tomorrow 8am",
    context: at("2026-12-11T04:30:00Z", "America/New_York"),
    title: "Stretch",
    due: "2026-12-11T13:00:00.000Z",
  },
  // DST weeks: Berlin moves to summer time on Sunday 29 March 2026 and back on Sunday 25 October.
  {
    phrase: "Standup monday 9:00",
    context: at("2026-03-27T09:00:00Z", "Europe/Berlin"),
    title: "Standup",
    due: "2026-03-30T07:00:00.000Z",
  },
  {
    phrase: "Standup monday 9:00",
    context: at("2026-10-23T09:00:00Z", "Europe/Berlin"),
    title: "Standup",
    due: "2026-10-26T08:00:00.000Z",
  },
  {
    phrase: "Bake bread sunday 2:30am",
    context: at("2026-03-27T09:00:00Z", "Europe/Berlin"),
    // 02:30 does not exist that night: the same minutes after the change, 03:30 CEST.
    title: "Bake bread",
    due: "2026-03-29T01:30:00.000Z",
  },
  // New York's change is on 8 March 2026.
  {
    phrase: "Dentist in 3 days 10am",
    context: at("2026-03-06T15:00:00Z", "America/New_York"),
    title: "Dentist",
    due: "2026-03-09T14:00:00.000Z",
  },
  // Month ends.
  {
    phrase: "Invoice in 1 month",
    context: at("2027-01-31T10:00:00Z", "Europe/Berlin"),
    title: "Invoice",
    due: "2027-02-28T22:59:00.000Z",
  },
  {
    phrase: "Renew next year",
    context: at("2028-02-29T10:00:00Z", "Europe/Berlin"),
    title: "Renew",
    due: "2029-02-28T22:59:00.000Z",
  },
  {
    phrase: "Rent every month on the 31st",
    context: at("2027-01-31T10:00:00Z", "Europe/Berlin"),
    title: "Rent",
    due: "2027-01-31T22:59:00.000Z",
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=31",
  },
  {
    phrase: "Rent every month on the 31st 9am",
    context: at("2027-01-31T10:00:00Z", "Europe/Berlin"),
    // 09:00 on the 31st has passed: the next month that has a 31st.
    title: "Rent",
    due: "2027-03-31T07:00:00.000Z",
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=31",
  },
  // Repeats.
  {
    phrase: "Gym every monday",
    context: BERLIN,
    title: "Gym",
    due: "2026-12-14T22:59:00.000Z",
    recurrence: "FREQ=WEEKLY;BYDAY=MO",
  },
  {
    phrase: "Bills every month on the 1st",
    context: BERLIN,
    title: "Bills",
    due: "2027-01-01T22:59:00.000Z",
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
  },
  {
    phrase: "Inbox zero every weekday 9am",
    context: BERLIN,
    // Thursday 10:00: today's 09:00 has passed, so Friday.
    title: "Inbox zero",
    due: "2026-12-11T08:00:00.000Z",
    recurrence: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
  },
  {
    phrase: "Yoga every tue and thu 7pm",
    context: BERLIN,
    title: "Yoga",
    due: "2026-12-10T18:00:00.000Z",
    recurrence: "FREQ=WEEKLY;BYDAY=TU,TH",
  },
  {
    phrase: "Plants every other week",
    context: BERLIN,
    title: "Plants",
    due: "2026-12-10T22:59:00.000Z",
    recurrence: "FREQ=WEEKLY;INTERVAL=2",
  },
  { phrase: "Vitamins daily 8am", context: BERLIN, title: "Vitamins", due: "2026-12-11T07:00:00.000Z", recurrence: "FREQ=DAILY" },
  // A repeat across the spring change keeps its wall-clock time in the account's zone.
  {
    phrase: "Standup every weekday 9am",
    context: at("2026-03-27T09:00:00Z", "Europe/Berlin"),
    title: "Standup",
    due: "2026-03-30T07:00:00.000Z",
    recurrence: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
  },
];

// chrono computes in the browser's zone: the results must not depend on it.
describe.each(["UTC", "America/Los_Angeles", "Asia/Tokyo"])("in a browser in %s", (browserZone) => {
  const previous = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = browserZone;
  });
  afterAll(() => {
    process.env.TZ = previous;
  });

  it.each(TABLE)("$phrase (account in $context.timeZone, now $context.now)", ({ phrase, context, title, due, recurrence }) => {
    const parsed = parseQuickAdd(phrase, context);
    expect(parsed.title).toBe(title);
    expect(parsed.due).toBe(due);
    expect(parsed.recurrence).toBe(recurrence ?? null);
  });
});

describe("tokens", () => {
  it("take priority, tags and workspace, and leave the rest in the title", () => {
    const parsed = parseQuickAdd("Plan offsite @Team Berlin #work #Work #q3 p2", BERLIN);
    expect(parsed).toMatchObject({ title: "Plan offsite", priority: 2, tags: ["work", "q3"], workspace: { id: "tb" } });
  });

  it("pick the workspace by name, without regard to case", () => {
    expect(parseQuickAdd("Review @team", BERLIN).workspace?.id).toBe("t");
  });

  it("leave an unknown @name in the title and say so", () => {
    const parsed = parseQuickAdd("Email @nobody about it", BERLIN);
    expect(parsed).toMatchObject({ title: "Email @nobody about it", workspace: null, unknownWorkspace: "@nobody".slice(1) });
  });

  it("do not take words that only contain them", () => {
    const parsed = parseQuickAdd("Fix p4 and ip1 issue#3 mail@home", BERLIN);
    expect(parsed).toMatchObject({ title: "Fix p4 and ip1 issue#3 mail@home", priority: null, tags: [], workspace: null });
  });

  it("keep the time zone of the account for a repeat", () => {
    expect(parseQuickAdd("Gym every monday", at("2026-12-10T09:00:00Z", "America/New_York")).timeZone).toBe("America/New_York");
  });
});
