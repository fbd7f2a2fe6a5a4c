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

const quoted = (text: string) => `“${text}”`;

/** The tags one version added and removed, beside the version before. */
function tagChanges(before: VersionSnapshot, after: VersionSnapshot): string {
  const had = new Set(before.tags.map((tag) => tag.id));
  const has = new Set(after.tags.map((tag) => tag.id));
  const name = (tag: { name: string | null }) => tag.name ?? "a tag of another workspace";
  const added = after.tags.filter((tag) => !had.has(tag.id)).map(name);
  const removed = before.tags.filter((tag) => !has.has(tag.id)).map(name);
  return [added.length ? `added ${added.join(", ")}` : "", removed.length ? `removed ${removed.join(", ")}` : ""]
    .filter(Boolean)
    .join("; ");
}

/** The checklist items one version added, removed, checked, unchecked, reworded or moved. */
function checklistChanges(before: VersionSnapshot, after: VersionSnapshot): string {
  const old = new Map(before.checklist.map((item, index) => [item.id, { ...item, index }]));
  const now = new Set(after.checklist.map((item) => item.id));
  const said: string[] = [];
  after.checklist.forEach((item, index) => {
    const was = old.get(item.id);
    if (!was) return said.push(`added ${quoted(item.text)}`);
    if (was.text !== item.text) said.push(`${quoted(was.text)} reworded as ${quoted(item.text)}`);
    if (was.done !== item.done) said.push(`${item.done ? "checked" : "unchecked"} ${quoted(item.text)}`);
    if (was.index !== index) said.push(`moved ${quoted(item.text)} to position ${index + 1}`);
  });
  before.checklist.filter((item) => !now.has(item.id)).forEach((item) => said.push(`removed ${quoted(item.text)}`));
  return said.join("; ");
}

/**
 * What a version changed. Fields: their value before (when that version is known) and after;
 * tags and the checklist: what was added, removed or changed in them.
 */
export function diff(
  changed: string[],
  after: VersionSnapshot,
  before: VersionSnapshot | undefined,
  workspaceName: (id: string) => string,
): FieldDiff[] {
  return changed.map((field) => {
    const label = fieldLabel(field);
    if (before && field === "tags") return { field, label, before: null, after: tagChanges(before, after) };
    if (before && field === "checklist") return { field, label, before: null, after: checklistChanges(before, after) };
    return {
      field,
      label,
      before: before ? shown(field, before, workspaceName) : null,
      after: shown(field, after, workspaceName),
    };
  });
}
