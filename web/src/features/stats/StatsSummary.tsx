import { useEffect, useState } from "react";
import { Link } from "react-router";
import { getStats, type Stats } from "./api";

/** The numbers above the task list; reloads whenever `revision` changes (the tasks changed). */
export function StatsSummary({ revision, workspaceId }: { revision: number; workspaceId: string | undefined }) {
  const [stats, setStats] = useState<Stats | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getStats(controller.signal, workspaceId)
      .then(setStats)
      // The list reports errors itself; the summary simply keeps its last numbers.
      .catch(() => undefined);
    return () => controller.abort();
  }, [revision, workspaceId]);

  const numbers = [
    { label: "Total", value: stats?.total },
    { label: "Open", value: stats ? stats.total - stats.completed : undefined },
    { label: "Done", value: stats?.completed },
    { label: "Overdue", value: stats?.overdue, tone: stats?.overdue ? "text-danger-emphasis" : "" },
  ];
  return (
    <section aria-label="Summary" className="mb-3">
      <div className="row row-cols-4 g-2 mb-1 text-center">
        {numbers.map((item) => (
          <div className="col" key={item.label}>
            <div className="border rounded py-2 bg-body" data-testid={`stat-${item.label.toLowerCase()}`}>
              <div className="small text-body-secondary">{item.label}</div>
              <div className={`fs-5 fw-semibold ${item.tone ?? ""}`}>{item.value ?? "–"}</div>
            </div>
          </div>
        ))}
      </div>
      <Link to="/stats" className="small">
        See the statistics
      </Link>
    </section>
  );
}
