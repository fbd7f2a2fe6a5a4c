import { useEffect, useId, useRef } from "react";
import type { FieldChange } from "./merge";
import { VersionsTable } from "./VersionsTable";

interface ConflictPanelProps {
  changes: FieldChange[];
  busy: boolean;
  onApply: () => void;
  onDiscard: () => void;
}

function who(change: FieldChange): string {
  if (change.conflict) return "Both changed: yours replaces theirs";
  if (change.changedByMe && change.changedByThem) return "Both made the same change";
  return change.changedByMe ? "Changed by you" : "Changed elsewhere: kept";
}

/**
 * A save refused because the task changed elsewhere (412): what changed there beside the
 * user's edits, field by field, with the choice to apply the edits on top of the latest
 * version or to drop them.
 */
export function ConflictPanel({ changes, busy, onApply, onDiscard }: ConflictPanelProps) {
  const id = useId().replace(/:/g, "");
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="alert alert-warning task-conflict" role="alert" aria-labelledby={`${id}-heading`} data-testid="task-conflict">
      <h3 id={`${id}-heading`} className="h6" tabIndex={-1} ref={heading}>
        This task was changed somewhere else since you opened it.
      </h3>
      {changes.length === 0 ? (
        <p className="mb-2 small">None of the fields you can edit here differs; other things changed (such as tags or the checklist).</p>
      ) : (
        <>
          <p className="mb-2 small">
            Your edits beside the version saved now. Applying yours changes only the fields you edited; the rest keeps the new values.
          </p>
          <VersionsTable
            caption="Your edits and the saved version, field by field"
            testIdPrefix="conflict"
            rows={changes.map((change) => ({
              ...change,
              note: (
                <div className={`small fw-normal ${change.conflict ? "text-danger-emphasis" : "text-body-secondary"}`}>
                  {who(change)}
                </div>
              ),
            }))}
          />
        </>
      )}
      <div className="d-flex flex-wrap gap-2">
        <button type="button" className="btn btn-sm btn-warning" onClick={onApply} disabled={busy}>
          Apply my changes to the latest version
        </button>
        <button type="button" className="btn btn-sm btn-outline-dark" onClick={onDiscard} disabled={busy}>
          Discard my changes
        </button>
      </div>
    </section>
  );
}
