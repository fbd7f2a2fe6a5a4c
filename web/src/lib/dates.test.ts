import { describe, expect, it } from "vitest";
import { dateEntryProblem, formatOccurrence, isRealDate, isRealDateTime, NOT_A_DATE, NOT_A_DATE_TIME } from "./dates";

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
