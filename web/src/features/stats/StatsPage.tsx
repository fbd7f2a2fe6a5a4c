import { useEffect, useState } from "react";
import axios from "axios";
import { Link } from "react-router";
import { notifyError } from "../../components/notify";
import { Spinner } from "../../components/Spinner";
import { usePageTitle } from "../../components/usePageTitle";
import { getStats, type Stats } from "./api";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import { CompletionBar, PriorityChart } from "./StatsChart";
import { CompletionHistory } from "./CompletionHistory";

export function StatsPage() {
  usePageTitle("Statistics");
  const [stats, setStats] = useState<Stats | null>(null);
  const [attempt, setAttempt] = useState(0);
  const { workspaceId, current } = useWorkspaces();
  // "Failed" belongs to one request: another workspace or "Try again" starts a new one.
  const requestKey = `${workspaceId ?? ""}#${attempt}`;
  const [failedKey, setFailedKey] = useState<string | null>(null);
  const failed = failedKey === requestKey;

  useEffect(() => {
    const controller = new AbortController();
    getStats(controller.signal, workspaceId)
      .then(setStats)
      .catch((error: unknown) => {
        if (axios.isCancel(error)) return;
        setFailedKey(requestKey);
        notifyError(error, { context: "Could not load the statistics." });
      });
    return () => controller.abort();
  }, [requestKey, workspaceId]);

  return (
    <>
      <h1 className="h3 mb-3">Statistics{current && !current.personal ? <small className="text-body-secondary fs-6"> · {current.name}</small> : null}</h1>
      {failed && !stats ? (
        <div className="alert alert-danger d-flex flex-wrap align-items-center gap-2">
          <span className="flex-grow-1">The statistics could not be loaded.</span>
          <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      ) : !stats ? (
        <Spinner label="Loading the statistics…" />
      ) : (
        <>
          <div className="row row-cols-2 row-cols-md-4 g-3 mb-2">
            <Figure label="Tasks" value={stats.total} />
            <Figure label="Tasks done" value={stats.completed} testId="figure-done" />
            <Figure label="Overdue" value={stats.overdue} tone={stats.overdue ? "text-danger-emphasis" : ""} />
            <Figure label="Completion" value={`${Math.round(stats.completion_rate * 100)}%`} />
          </div>
          <p className="small text-body-secondary mb-4" data-testid="done-explained">
            “Tasks done” counts tasks that are done now. A repeating task moves on to its next date each time it is
            done, so it stays open: its completions count in “Completions (incl. repeats)” under “Completion over time”.
          </p>
          {stats.total === 0 ? (
            <p className="text-body-secondary">
              No tasks yet. <Link to="/">Add one</Link> and the charts fill in.
            </p>
          ) : (
            <div className="row g-3">
              <section className="col-12 col-lg-6" aria-labelledby="by-priority">
                <div className="card h-100">
                  <div className="card-body">
                    <h2 id="by-priority" className="h5">By priority</h2>
                    <PriorityChart stats={stats} />
                  </div>
                </div>
              </section>
              <section className="col-12 col-lg-6" aria-labelledby="completion">
                <div className="card h-100">
                  <div className="card-body">
                    <h2 id="completion" className="h5">Completion</h2>
                    <CompletionBar stats={stats} />
                  </div>
                </div>
              </section>
              <section className="col-12" aria-labelledby="over-time">
                <div className="card">
                  <div className="card-body">
                    <h2 id="over-time" className="h5">Completion over time</h2>
                    <CompletionHistory workspaceId={workspaceId} />
                  </div>
                </div>
              </section>
            </div>
          )}
        </>
      )}
    </>
  );
}

function Figure({ label, value, tone = "", testId }: { label: string; value: number | string; tone?: string; testId?: string }) {
  return (
    <div className="col">
      <div className="card text-center h-100">
        <div className="card-body py-3">
          <div className="small text-body-secondary">{label}</div>
          <div className={`fs-3 fw-semibold ${tone}`} data-testid={testId ?? `figure-${label.toLowerCase()}`}>{value}</div>
        </div>
      </div>
    </div>
  );
}

