import { describe, expect, it } from "vitest";
import {
  addDays,
  dateEntryProblem,
  formatOccurrence,
  instantIn,
  isRealDate,
  isRealDateTime,
  NOT_A_DATE,
  NOT_A_DATE_TIME,
  wallClockIn,
  weekdayOf,
} from "./dates";

describe("dates that exist", () => {
  it("refuses days a month does not have, and takes the ones it has", () => {
    expect(isRealDate("2026-02-31")).toBe(false);
    expect(isRealDate("2026-02-29")).toBe(false);
    expect(isRealDate("2028-02-29")).toBe(true);
    expect(isRealDate("2026-04-31")).toBe(false);
    expect(isRealDate("2026-12-31")).toBe(true);
    expect(isRealDate("2026-13-01")).toBe(false);
    expect(isRealDate("2026-00-10")).toBe(false);
    expect(isRealDate("02/31/2026")).toBe(false);
    expect(isRealDate("")).toBe(false);
  });

  it("checks the time of a date and time too", () => {
    expect(isRealDateTime("2026-02-28T09:30")).toBe(true);
    expect(isRealDateTime("2026-02-28T09:30:15")).toBe(true);
    expect(isRealDateTime("2026-02-31T09:30")).toBe(false);
    expect(isRealDateTime("2026-02-28T24:00")).toBe(false);
    expect(isRealDateTime("2026-02-28T09:60")).toBe(false);
    expect(isRealDateTime("2026-02-28")).toBe(false);
  });
});

describe("what is wrong with a date field", () => {
  it("reports typed text the browser could not read as a date, although the value is empty", () => {
    expect(dateEntryProblem({ value: "", validity: { badInput: true } }, "datetime")).toBe(NOT_A_DATE_TIME);
    expect(dateEntryProblem({ value: "", validity: { badInput: true } }, "date")).toBe(NOT_A_DATE);
  });

  it("lets an empty field and a real date through", () => {
    expect(dateEntryProblem({ value: "", validity: { badInput: false } }, "datetime")).toBeNull();
    expect(dateEntryProblem({ value: "2026-02-28T09:30", validity: { badInput: false } }, "datetime")).toBeNull();
    expect(dateEntryProblem({ value: "2026-02-28" }, "date")).toBeNull();
    expect(dateEntryProblem(null, "date")).toBeNull();
  });

  it("refuses a value that names no real day, whatever the browser said", () => {
    expect(dateEntryProblem({ value: "2026-02-31" }, "date")).toBe(NOT_A_DATE);
    expect(dateEntryProblem({ value: "2026-02-31T09:30" }, "datetime")).toBe(NOT_A_DATE_TIME);
  });

  it("reads a real input element", () => {
    const input = document.createElement("input");
    input.type = "date";
    input.value = "2026-02-28";
    expect(dateEntryProblem(input, "date")).toBeNull();
    Object.defineProperty(input, "validity", { value: { badInput: true } });
    expect(dateEntryProblem(input, "date")).toBe(NOT_A_DATE);
  });
});

describe("the time of an occurrence", () => {
  // The tests run in New York, in the default language (English).
  it("is given in the task's zone, named when it is not the browser's", () => {
    const text = formatOccurrence("2024-12-09T09:00:00Z", "Europe/London");
    expect(text).toMatch(/^Mon,? (Dec 9|9 Dec),? 09:00/);
    expect(text).toMatch(/GMT|UTC/);
  });

  it("names no zone when it is the browser's", () => {
    const text = formatOccurrence("2024-12-09T14:00:00Z", "America/New_York");
    expect(text).toMatch(/^Mon,? (Dec 9|9 Dec),? 09:00/);
    expect(text).not.toMatch(/EST|GMT/);
  });

  it("falls back to the browser's zone for a zone it does not know", () => {
    expect(formatOccurrence("2024-12-09T14:00:00Z", "Not/AZone")).toMatch(/2024/);
  });
});

describe("wall clocks of a time zone", () => {
  const wall = (year: number, month: number, day: number, hour: number, minute = 0) => ({ year, month, day, hour, minute });

  it("turn into the instant the zone's clocks show them, either side of a change", () => {
    expect(instantIn(wall(2026, 3, 28, 9), "Europe/Berlin").toISOString()).toBe("2026-03-28T08:00:00.000Z");
    expect(instantIn(wall(2026, 3, 30, 9), "Europe/Berlin").toISOString()).toBe("2026-03-30T07:00:00.000Z");
    expect(instantIn(wall(2026, 3, 9, 9), "America/New_York").toISOString()).toBe("2026-03-09T13:00:00.000Z");
  });

  it("read a skipped time as after the change, and a doubled one as its first", () => {
    expect(instantIn(wall(2026, 3, 29, 2, 30), "Europe/Berlin").toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(instantIn(wall(2026, 10, 25, 2, 30), "Europe/Berlin").toISOString()).toBe("2026-10-25T00:30:00.000Z");
  });

  it("come back from an instant", () => {
    expect(wallClockIn(new Date("2026-12-31T23:30:00Z"), "Pacific/Kiritimati")).toEqual(wall(2027, 1, 1, 13, 30));
    expect(addDays(wall(2027, 1, 31, 9), 29)).toEqual(wall(2027, 3, 1, 9));
    expect(weekdayOf(wall(2026, 12, 7, 0))).toBe(1);
  });
});
