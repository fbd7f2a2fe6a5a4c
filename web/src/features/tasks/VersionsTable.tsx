import type { ReactNode } from "react";

export interface VersionRow {
  field: string;
  label: string;
  /** Under the label: who changed the field. */
  note?: ReactNode;
  mine: string;
  theirs: string;
  /** Shown in bold: the side that changed the field. */
  changedByMe?: boolean;
  changedByThem?: boolean;
}

/** The user's version of a task beside the one the server has now, field by field. */
export function VersionsTable({ rows, caption, testIdPrefix }: { rows: VersionRow[]; caption: string; testIdPrefix: string }) {
  return (
    <div className="table-responsive">
      <table className="table table-sm mb-2 align-top">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Yours</th>
            <th scope="col">Saved now (theirs)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.field} data-testid={`${testIdPrefix}-${row.field}`}>
              <th scope="row">
                {row.label}
                {row.note}
              </th>
              <td className={`task-conflict-value${row.changedByMe ? " fw-semibold" : ""}`}>{row.mine}</td>
              <td className={`task-conflict-value${row.changedByThem ? " fw-semibold" : ""}`}>{row.theirs}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
