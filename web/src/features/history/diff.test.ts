import { describe, expect, it } from "vitest";
import type { VersionSnapshot } from "../../lib/versions/api";
import { diff } from "./diff";

const base: VersionSnapshot = {
  title: "Trip",
  description: "",
  completed: false,
  completed_at: null,
  priority: 2,
  due_date: null,
  workspace_id: "w1",
  recurrence: null,
  timezone: null,
  tags: [{ id: "t1", name: "home" }],
  checklist: [
    { id: "a", text: "passport", done: false },
    { id: "b", text: "tickets", done: false },
  ],
};
const names = (id: string) => ({ w1: "Personal", w2: "Team" })[id] ?? "another workspace";

describe("a version's changes in words", () => {
  it("gives each changed field its value before and after", () => {
    const after = { ...base, title: "Holiday", priority: 1, completed: true, workspace_id: "w2" };
    expect(diff(["completed", "priority", "title", "workspace_id"], after, base, names)).toEqual([
      { field: "completed", label: "Status", before: "Open", after: "Done" },
      { field: "priority", label: "Priority", before: "Normal", after: "High" },
      { field: "title", label: "Title", before: "Trip", after: "Holiday" },
      { field: "workspace_id", label: "Workspace", before: "Personal", after: "Team" },
    ]);
  });

  it("says which tags and checklist items were added, removed, checked, reworded or moved", () => {
    const after: VersionSnapshot = {
      ...base,
      tags: [{ id: "t2", name: null }],
      checklist: [
        { id: "b", text: "train tickets", done: true },
        { id: "c", text: "charger", done: false },
      ],
    };
    const [tags, checklist] = diff(["tags", "checklist"], after, base, names);
    expect(tags.after).toBe("added a tag of another workspace; removed home");
    expect(checklist.after).toBe(
      "“tickets” reworded as “train tickets”; checked “train tickets”; moved “train tickets” to position 1; added “charger”; removed “passport”",
    );
    expect(checklist.before).toBeNull();
  });

  it("shows only the new values when the version before is on another page", () => {
    expect(diff(["title", "tags"], base, undefined, names)).toEqual([
      { field: "title", label: "Title", before: null, after: "Trip" },
      { field: "tags", label: "Tags", before: null, after: "home" },
    ]);
  });
});
