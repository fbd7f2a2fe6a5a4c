import { Fragment, useEffect, useId, useState } from "react";
import axios from "axios";
import { notifyError } from "../../components/notify";
import { getStatsHistory, type DayCounts, type StatsHistory } from "./api";

const RANGES = [7, 30, 90] as const;
type Range = (typeof RANGES)[number];

// The theme's colours (styles.css), so that the lines stand out from the card in either theme.
const CREATED_COLOR = "var(--app-chart-created)";
const COMPLETED_COLOR = "var(--app-chart-completed)";
const GRID_COLOR = "var(--bs-border-color)";
/** CSS pixels; the drawing stretches to the width it is given. */
const CHART_HEIGHT = 192;

/** "Completion over time": tasks created and completed per day, in the user's time zone. */
export function CompletionHistory({ workspaceId }: { workspaceId?: string }) {
  const id = useId();
  const [range, setRange] = useState<Range>(30);
  const [attempt, setAttempt] = useState(0);
  const requestKey = `${workspaceId ?? ""}#${range}#${attempt}`;
  const [loaded, setLoaded] = useState<{ key: string; history: StatsHistory } | null>(null);
  const [failedKey, setFailedKey] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getStatsHistory(range, controller.signal, workspaceId)
      .then((history) => setLoaded({ key: requestKey, history }))
      .catch((error: unknown) => {
        if (axios.isCancel(error)) return;
        setFailedKey(requestKey);
        notifyError(error, { context: "Could not load the completion history." });
      });
    return () => controller.abort();
  }, [range, workspaceId, requestKey]);

  const loading = loaded?.key !== requestKey && failedKey !== requestKey;
  return (
    <div>
      <fieldset className="mb-3">
        <legend className="visually-hidden">Range</legend>
        <div className="btn-group btn-group-sm">
          {RANGES.map((days) => (
            <Fragment key={days}>
              <input type="radio" className="btn-check" name={`${id}-range`} id={`${id}-range-${days}`} value={days}
                checked={range === days} onChange={() => setRange(days)} />
              <label className="btn btn-outline-primary" htmlFor={`${id}-range-${days}`}>{days} days</label>
            </Fragment>
          ))}
        </div>
      </fieldset>
      {failedKey === requestKey && !loaded ? (
        <div className="alert alert-danger d-flex flex-wrap align-items-center gap-2 mb-0">
          <span className="flex-grow-1">The completion history could not be loaded.</span>
          <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      ) : !loaded ? (
        <p className="text-body-secondary small" role="status">Loading the completion history…</p>
      ) : (
        // The last answer stays in view while another range loads.
        <div aria-busy={loading || undefined} style={{ opacity: loading ? 0.6 : 1 }}>
          <HistoryChart history={loaded.history} />
        </div>
      )}
    </div>
  );
}

function dateOf(day: string): Date {
  const [year, month, date] = day.split("-").map(Number);
  // The API's days are already the user's; UTC here only keeps the browser's zone out of it.
  return new Date(Date.UTC(year, month - 1, date));
}

const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const longDay = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });

/** The top of the scale: an even number, so that the middle line is a whole one too. */
function scaleTop(largest: number): number {
  return Math.max(2, Math.ceil(largest / 2) * 2);
}

/** Hand-drawn SVG lines, with the numbers in a table for screen readers. */
export function HistoryChart({ history }: { history: StatsHistory }) {
  const id = useId();
  const { days } = history;
  const created = days.reduce((sum, day) => sum + day.created, 0);
  const completed = days.reduce((sum, day) => sum + day.completed, 0);
  const title = `Tasks created and completed per day, ${days.length === 1 ? "today" : `last ${days.length} days`}`;

  if (days.length === 0 || created + completed === 0) {
    const span = days.length === 1 ? "today" : `in the last ${days.length} days`;
    return <p className="text-body-secondary mb-0">Nothing was created or completed {span}.</p>;
  }

  const top = scaleTop(Math.max(...days.map((day) => Math.max(day.created, day.completed))));
  const width = 1000;
  const height = 200;
  const x = (index: number) => (days.length === 1 ? width / 2 : (index / (days.length - 1)) * width);
  const y = (value: number) => height - (value / top) * height;
  const line = (key: "created" | "completed") => days.map((day, index) => `${x(index).toFixed(1)},${y(day[key]).toFixed(1)}`).join(" ");
  const busiest = days.reduce<DayCounts>((best, day) => (day.completed > best.completed ? day : best), days[0]);
  const description = `${created} created and ${completed} completed from ${shortDay.format(dateOf(days[0].day))} to today` +
    (busiest.completed > 0 ? `; the most completed in a day: ${busiest.completed}, on ${longDay.format(dateOf(busiest.day))}.` : ".");
  const middle = days[Math.floor((days.length - 1) / 2)];

  return (
    <figure className="mb-0">
      <ul className="list-inline small mb-2" aria-hidden="true">
        <li className="list-inline-item me-3">
          <LegendLine color={CREATED_COLOR} dashed /> Created: <span className="fw-semibold">{created}</span>
        </li>
        <li className="list-inline-item">
          <LegendLine color={COMPLETED_COLOR} /> Completions (incl. repeats): <span className="fw-semibold" data-testid="history-completions">{completed}</span>
        </li>
      </ul>
      <div className="d-flex gap-2">
        <div className="position-relative small text-body-secondary text-end flex-shrink-0" aria-hidden="true"
          style={{ width: "1.75rem", height: CHART_HEIGHT }}>
          {[top, top / 2, 0].map((value, index) => (
            <span key={value} className="position-absolute end-0" style={{ top: `${index * 50}%`, transform: "translateY(-50%)" }}>
              {value}
            </span>
          ))}
        </div>
        <div className="flex-grow-1" style={{ minWidth: 0 }}>
          <svg role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} viewBox={`0 0 ${width} ${height}`}
            preserveAspectRatio="none" width="100%" height={CHART_HEIGHT} style={{ display: "block", overflow: "visible" }}
            data-testid="history-chart">
            <title id={`${id}-title`}>{title}</title>
            <desc id={`${id}-desc`}>{description}</desc>
            {[0, height / 2, height].map((lineY) => (
              <line key={lineY} x1={0} x2={width} y1={lineY} y2={lineY} stroke={GRID_COLOR} strokeWidth={1} vectorEffect="non-scaling-stroke" />
            ))}
            <polygon points={`0,${height} ${line("completed")} ${width},${height}`} fill={COMPLETED_COLOR} fillOpacity={0.1} />
            <polyline points={line("created")} fill="none" stroke={CREATED_COLOR} strokeWidth={2} strokeDasharray="6 4"
              strokeLinejoin="round" vectorEffect="non-scaling-stroke" />
            <polyline points={line("completed")} fill="none" stroke={COMPLETED_COLOR} strokeWidth={2.5}
              strokeLinejoin="round" vectorEffect="non-scaling-stroke" />
            {days.length <= 31 && days.map((day, index) => (
              // A zero-length path with round caps: a dot that stays round however the chart is stretched.
              <path key={day.day} d={`M${x(index).toFixed(1)} ${y(day.completed).toFixed(1)}h0`} stroke={COMPLETED_COLOR}
                strokeWidth={6} strokeLinecap="round" vectorEffect="non-scaling-stroke" />
            ))}
          </svg>
          <div className="d-flex justify-content-between small text-body-secondary mt-1" aria-hidden="true">
            <span>{shortDay.format(dateOf(days[0].day))}</span>
            {days.length > 2 && <span>{shortDay.format(dateOf(middle.day))}</span>}
            <span>Today</span>
          </div>
        </div>
      </div>
      <figcaption className="small text-body-secondary mt-2">Days begin and end at midnight in {history.timezone}.</figcaption>
      {/* Hidden by its wrapper: a table grows to fit its cells whatever width it is given. */}
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Created</th>
              <th scope="col">Completions (incl. repeats)</th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.day} data-testid="history-day">
                <th scope="row"><time dateTime={day.day}>{longDay.format(dateOf(day.day))}</time></th>
                <td>{day.created}</td>
                <td>{day.completed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function LegendLine({ color, dashed = false }: { color: string; dashed?: boolean }) {
  return (
    <svg width="24" height="8" className="align-middle me-1" focusable="false">
      <line x1="0" x2="24" y1="4" y2="4" stroke={color} strokeWidth={dashed ? 2 : 2.5} strokeDasharray={dashed ? "6 4" : undefined} />
    </svg>
  );
}
