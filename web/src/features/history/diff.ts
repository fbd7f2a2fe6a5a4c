import { formatFull } from "../../lib/dates";
import type { VersionSnapshot } from "../../lib/versions/api";

/** One field of a version beside the version before it, in words. */
export interface FieldDiff {
  field: string;
  label: string;
  before: string | null;
  after: string;
}

const LABELS: Record<string, string> = {
  title: "Title",
  description: "Description",
  completed: "Status",
  priority: "Priority",
  due_date: "Due",
  workspace_id: "Workspace",
  recurrence: "Repeats",
  timezone: "Time zone",
  tags: "Tags",
  checklist: "Checklist",
};

const PRIORITY = ["", "High", "Normal", "Low"];

export function fieldLabel(field: string): string {
  return LABELS[field] ?? field.replace(/_/g, " ").replace(/^./, (first) => first.toUpperCase());
}

function tagNames(snapshot: VersionSnapshot): string {
  const names = snapshot.tags.map((tag) => tag.name ?? "a tag of another workspace");
  return names.length ? names.join(", ") : "none";
}

function checklist(snapshot: VersionSnapshot): string {
  if (!snapshot.checklist.length) return "no items";
  return snapshot.checklist.map((item) => `${item.done ? "☑" : "☐"} ${item.text}`).join("; ");
}

/** A field's value as a person reads it; `workspaceName` names a workspace by its id. */
export function shown(field: string, snapshot: VersionSnapshot, workspaceName: (id: string) => string): string {
  switch (field) {
    case "completed":
      return snapshot.completed ? "Done" : "Open";
    case "priority":
      return PRIORITY[snapshot.priority] ?? String(snapshot.priority);
    case "due_date":
      return snapshot.due_date ? formatFull(snapshot.due_date) : "no due date";
    case "workspace_id":
      return workspaceName(snapshot.workspace_id);
    case "tags":
      return tagNames(snapshot);
    case "checklist":
      return checklist(snapshot);
    case "description":
      return snapshot.description || "(empty)";
    default: {
      const value = (snapshot as unknown as Record<string, unknown>)[field];
      return value === null || value === undefined || value === "" ? "none" : String(value);
    }
  }
}

/** What a version changed: each changed field's value before (when that version is known) and after. */
export function diff(
  changed: string[],
  after: VersionSnapshot,
  before: VersionSnapshot | undefined,
  workspaceName: (id: string) => string,
): FieldDiff[] {
  return changed.map((field) => ({
    field,
    label: fieldLabel(field),
    before: before ? shown(field, before, workspaceName) : null,
    after: shown(field, after, workspaceName),
  }));
}
