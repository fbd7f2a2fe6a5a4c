import type { Stats } from "./api";

// The theme's colours (styles.css): each stands out from the card in light and in dark.
const PRIORITY_BARS = [
  { key: "1" as const, label: "High", color: "var(--app-chart-high)" },
  { key: "2" as const, label: "Normal", color: "var(--app-chart-normal)" },
  { key: "3" as const, label: "Low", color: "var(--app-chart-low)" },
];

/** Tasks by priority as horizontal bars: plain CSS, no chart library. */
export function PriorityChart({ stats }: { stats: Stats }) {
  const max = Math.max(1, ...PRIORITY_BARS.map((bar) => stats.by_priority[bar.key] ?? 0));
  const summary = PRIORITY_BARS.map((bar) => `${bar.label}: ${stats.by_priority[bar.key] ?? 0}`).join(", ");
  return (
    <div role="img" aria-label={`Tasks by priority. ${summary}.`} className="d-grid gap-3">
      {PRIORITY_BARS.map((bar) => {
        const count = stats.by_priority[bar.key] ?? 0;
        return (
          <div key={bar.key} className="d-flex align-items-center gap-3">
            <span className="text-body-secondary small" style={{ width: "3.75rem" }}>
              {bar.label}
            </span>
            <div className="flex-grow-1 bg-body-secondary rounded" style={{ height: "1.25rem" }}>
              <div
                className="rounded h-100"
                data-testid="priority-bar"
                style={{ width: `${(count / max) * 100}%`, minWidth: count ? 4 : 0, backgroundColor: bar.color }}
              />
            </div>
            <span className="fw-semibold text-end" style={{ width: "2.5rem" }}>
              {count}
            </span>
          </div>
        );
      })}
    </div>
  );
}

/** Done versus open as one bar, with the completion rate. */
export function CompletionBar({ stats }: { stats: Stats }) {
  const percent = Math.round(stats.completion_rate * 100);
  const open = stats.total - stats.completed;
  return (
    <div>
      <div
        className="progress"
        style={{ height: "1.5rem" }}
        role="progressbar"
        aria-label="Tasks completed"
        aria-valuenow={percent}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuetext={`${percent}% completed`}
      >
        <div className="progress-bar bg-success" style={{ width: `${percent}%` }} />
      </div>
      <div className="d-flex justify-content-between small mt-2">
        <span>
          <span className="d-inline-block rounded-circle bg-success me-1" style={{ width: 10, height: 10 }} aria-hidden="true" />
          Tasks done: {stats.completed}
        </span>
        <span>
          <span className="d-inline-block rounded-circle bg-body-secondary border me-1" style={{ width: 10, height: 10 }}
            aria-hidden="true" />
          Open: {open}
        </span>
      </div>
    </div>
  );
}
