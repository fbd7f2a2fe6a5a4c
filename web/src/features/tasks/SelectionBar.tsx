import { useId, useState } from "react";
import type { TagRef } from "../../types/task";

export interface SelectionBarProps {
  count: number;
  /** Workspaces the chosen tasks can move to: where the user may write, this one aside. */
  destinations: { id: string; name: string }[];
  tags: TagRef[];
  working: boolean;
  onComplete: () => void;
  onMove: (workspaceId: string) => void;
  onTag: (tagId: string) => void;
  onDelete: () => void;
  onClear: () => void;
}

/** What can be done to every chosen task at once: each action is one request (offline, Complete and Delete queue one change per task). */
export function SelectionBar(props: SelectionBarProps) {
  const { count, destinations, tags, working } = props;
  const id = useId();
  const [destination, setDestination] = useState("");
  const [tag, setTag] = useState("");
  return (
    <section className="card mb-3 border-primary sticky-top selection-bar" aria-label="Selected tasks" data-testid="selection-bar">
      <div className="card-body py-2 d-flex flex-wrap align-items-center gap-2">
        <strong className="me-1" role="status">{count === 1 ? "1 task selected" : `${count} tasks selected`}</strong>
        <button type="button" className="btn btn-sm btn-success" disabled={working} onClick={props.onComplete}>
          Complete
        </button>
        {destinations.length > 0 && (
          <form className="d-flex gap-1" onSubmit={(event) => {
            event.preventDefault();
            if (destination) props.onMove(destination);
          }}>
            <label htmlFor={`${id}-move`} className="visually-hidden">Move to workspace</label>
            <select id={`${id}-move`} className="form-select form-select-sm" value={destination}
              onChange={(event) => setDestination(event.target.value)}>
              <option value="">Move to workspace…</option>
              {destinations.map((workspace) => <option key={workspace.id} value={workspace.id}>{workspace.name}</option>)}
            </select>
            <button type="submit" className="btn btn-sm btn-outline-primary" disabled={working || !destination}>Move</button>
          </form>
        )}
        {tags.length > 0 && (
          <form className="d-flex gap-1" onSubmit={(event) => {
            event.preventDefault();
            if (tag) props.onTag(tag);
          }}>
            <label htmlFor={`${id}-tag`} className="visually-hidden">Tag with</label>
            <select id={`${id}-tag`} className="form-select form-select-sm" value={tag} onChange={(event) => setTag(event.target.value)}>
              <option value="">Tag…</option>
              {tags.map((item) => <option key={item.id} value={item.id}>{item.name}</option>)}
            </select>
            <button type="submit" className="btn btn-sm btn-outline-primary" disabled={working || !tag}>Tag</button>
          </form>
        )}
        <button type="button" className="btn btn-sm btn-outline-danger" disabled={working} onClick={props.onDelete}>
          Delete
        </button>
        <button type="button" className="btn btn-sm btn-link ms-auto" onClick={props.onClear}>
          Clear selection
        </button>
      </div>
    </section>
  );
}
