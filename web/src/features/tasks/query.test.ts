import { describe, expect, it } from "vitest";
import { buildTaskQuery, DEFAULT_FILTERS, filtersFromSearch, filtersToSearch } from "./query";

describe("the task query", () => {
  it("asks for the first page, newest first, by default", () => {
    expect(buildTaskQuery(DEFAULT_FILTERS)).toEqual({ limit: 20, sort: "created_at", order: "desc" });
  });

  it("turns every filter into its API parameter", () => {
    // The tests run outside UTC (vite.config.ts), so the local-day conversion is real.
    expect(new Date(2030, 2, 1).getTimezoneOffset()).not.toBe(0);
    const query = buildTaskQuery(
      { status: "done", priority: "1", dueFrom: "2030-03-01", dueTo: "2030-03-31", q: "  groc ", sort: "due_date", order: "asc", tags: [] },
      "cursor-2",
    );
    expect(query).toEqual({
      limit: 20,
      sort: "due_date",
      order: "asc",
      completed: true,
      priority: 1,
      // Both days are included, in the browser's time zone.
      due_after: new Date(new Date(2030, 2, 1).getTime() - 1).toISOString(),
      due_before: new Date(2030, 3, 1).toISOString(),
      q: "groc",
      cursor: "cursor-2",
    });
    expect(buildTaskQuery({ ...DEFAULT_FILTERS, status: "open" }).completed).toBe(false);
    expect(buildTaskQuery({ ...DEFAULT_FILTERS, tags: ["a", "b"] }).tag).toEqual(["a", "b"]);
  });

  it("round-trips through the address and ignores nonsense there", () => {
    const filters = { status: "open", priority: "3", dueFrom: "2030-01-01", dueTo: "", q: "a b", sort: "priority", order: "asc", tags: ["t1", "t2"] };
    expect(filtersFromSearch(filtersToSearch(filters as never))).toEqual(filters);
    expect(filtersToSearch(filters as never).toString()).toContain("tag=t1&tag=t2");
    expect(filtersFromSearch(new URLSearchParams("status=maybe&priority=9&sort=title&due_from=tomorrow"))).toEqual(DEFAULT_FILTERS);
  });
});
