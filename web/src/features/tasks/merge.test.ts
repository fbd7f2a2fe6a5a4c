import { describe, expect, it } from "vitest";
import { makeTask } from "../../test/fixtures";
import { compareVersions, formStateOf, isDirty, mergeOnto, sameFields, type FormState } from "./merge";
import { parseRule } from "./rrule";

const base = makeTask({
  title: "Plan the trip",
  description: "Book flights",
  priority: 2,
  due_date: "2030-05-06T13:00:00Z",
  recurrence: null,
  timezone: "Europe/Paris",
});

function edited(changes: Partial<FormState["values"]>, extra: Partial<FormState> = {}): FormState {
  const state = formStateOf(base);
  return { ...state, ...extra, values: { ...state.values, ...changes } };
}

describe("three versions of a task compared", () => {
  it("lists the fields I changed and those they changed, with both values to read", () => {
    const mine = edited({ title: "Plan the summer trip" });
    const theirs = { ...base, description: "Book trains", priority: 1 as const, version: 2 };

    const changes = compareVersions(base, mine, theirs);

    expect(changes.map((change) => change.field)).toEqual(["title", "description", "priority"]);
    expect(changes[0]).toMatchObject({ mine: "Plan the summer trip", theirs: "Plan the trip", changedByMe: true, changedByThem: false, conflict: false });
    expect(changes[1]).toMatchObject({ mine: "Book flights", theirs: "Book trains", changedByMe: false, changedByThem: true, conflict: false });
    expect(changes[2]).toMatchObject({ mine: "Normal", theirs: "High", changedByThem: true });
  });

  it("calls it a conflict only when both changed a field to different values", () => {
    const theirs = { ...base, title: "Same new title", description: "Theirs", version: 2 };
    const changes = compareVersions(base, edited({ title: "Same new title", description: "Mine" }), theirs);
    expect(changes.find((change) => change.field === "title")).toMatchObject({ changedByMe: true, changedByThem: true, conflict: false });
    expect(changes.find((change) => change.field === "description")).toMatchObject({ conflict: true });
  });

  it("ignores what the form does not edit, and spaces around the title", () => {
    const theirs = { ...base, tags: [{ id: "t", name: "work", color: "#000000" }], checklist_progress: { done: 1, total: 2 }, version: 5 };
    expect(compareVersions(base, edited({ title: "  Plan the trip " }), theirs)).toEqual([]);
    expect(sameFields(base, theirs)).toBe(true);
    expect(sameFields(base, { ...theirs, due_date: "2030-05-07T13:00:00Z" })).toBe(false);
  });

  it("compares the due time to the minute, and the repeat with its time zone", () => {
    const repeating = { ...base, recurrence: "FREQ=DAILY", version: 2 };
    const changes = compareVersions(base, edited({ due: "2030-05-06T10:00" }), repeating);
    const due = changes.find((change) => change.field === "due");
    expect(due).toMatchObject({ changedByMe: true, changedByThem: false });
    expect(changes.find((change) => change.field === "repeat")).toMatchObject({
      changedByMe: false,
      changedByThem: true,
      mine: "Does not repeat",
      theirs: "Every day (Europe/Paris)",
    });

    const otherZone = { ...repeating, timezone: "Asia/Tokyo", version: 3 };
    expect(compareVersions(repeating, formStateOf(repeating), otherZone).map((change) => change.field)).toEqual(["repeat"]);
  });
});

describe("my changes on top of the latest version", () => {
  it("takes my fields where I changed them and theirs everywhere else", () => {
    const theirs = { ...base, description: "Book trains", priority: 1 as const, recurrence: "FREQ=WEEKLY;BYDAY=MO", version: 2 };
    const merged = mergeOnto(edited({ title: "Plan the summer trip" }), base, theirs);
    expect(merged.values).toEqual({ ...formStateOf(theirs).values, title: "Plan the summer trip" });
    expect(merged.repeat).toEqual(parseRule("FREQ=WEEKLY;BYDAY=MO"));
    expect(merged.timezone).toBe("Europe/Paris");
  });

  it("keeps mine where both changed", () => {
    const theirs = { ...base, title: "Theirs", version: 2 };
    expect(mergeOnto(edited({ title: "Mine" }), base, theirs).values.title).toBe("Mine");
  });

  it("keeps my repeat, with my zone, when I changed it", () => {
    const mine = edited({}, { repeat: parseRule("FREQ=DAILY"), timezone: "Asia/Tokyo" });
    const merged = mergeOnto(mine, base, { ...base, title: "Theirs", version: 2 });
    expect(merged.repeat.preset).toBe("daily");
    expect(merged.timezone).toBe("Asia/Tokyo");
    expect(merged.values.title).toBe("Theirs");
  });
});

describe("whether a form holds edits", () => {
  it("is clean as opened, and dirty once a field differs", () => {
    expect(isDirty(formStateOf(base), base)).toBe(false);
    expect(isDirty(edited({ description: "Book flights and a hotel" }), base)).toBe(true);
    expect(isDirty(formStateOf(), null)).toBe(false);
    expect(isDirty({ ...formStateOf(), values: { ...formStateOf().values, title: "x" } }, null)).toBe(true);
  });

  it("does not count a zone changed while the task does not repeat", () => {
    expect(isDirty(edited({}, { timezone: "Asia/Tokyo" }), base)).toBe(false);
  });
});
