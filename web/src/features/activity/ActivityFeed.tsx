import { useCallback, useEffect, useRef, useState } from "react";
import axios from "axios";
import { Link } from "react-router";
import { notifyError } from "../../components/notify";
import { useRevalidation, type Trigger } from "../../lib/revalidate/useRevalidation";
import { useOptionalAuth } from "../../lib/session/AuthProvider";
import { formatFull } from "../../lib/dates";
import { useSharedWorkspace } from "../../lib/workspaces/useSharedWorkspace";
import { listActivity, type ActivityItem } from "./api";
import { mergeNewest, RECORDING_DELAY_MS } from "./merge";

interface ActivityFeedProps {
  scope: { workspaceId?: string } | { taskId: string };
  /** Link each entry to its task (not needed on the task's own page). */
  linkTasks?: boolean;
  label: string;
}

/** Task events, newest first, a page at a time. */
export function ActivityFeed({ scope, linkTasks = false, label }: ActivityFeedProps) {
  const user = useOptionalAuth()?.user;
  const [items, setItems] = useState<ActivityItem[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [reloads, setReloads] = useState(0);
  const scopeKey = JSON.stringify(scope);
  const shared = useSharedWorkspace("workspaceId" in scope ? scope.workspaceId : undefined);

  // Another scope, or "Refresh": show "Loading" until the new first page arrives.
  const requestKey = `${scopeKey}#${reloads}`;
  const [shownKey, setShownKey] = useState(requestKey);
  if (shownKey !== requestKey) {
    setShownKey(requestKey);
    setItems(null);
  }

  useEffect(() => {
    const controller = new AbortController();
    listActivity(JSON.parse(scopeKey) as ActivityFeedProps["scope"], null, controller.signal)
      .then((page) => {
        setItems(page.items);
        setCursor(page.next_cursor);
      })
      .catch((error: unknown) => {
        if (axios.isCancel(error)) return;
        setItems([]);
        notifyError(error, { context: "Could not load the activity." });
      });
    return () => controller.abort();
  }, [scopeKey, reloads]);

  // Read again in the background: new entries on top, the shown ones updated (a task since deleted).
  const followUp = useRef<number | null>(null);
  const readNewest = useCallback(() => {
    listActivity(JSON.parse(scopeKey) as ActivityFeedProps["scope"], null)
      .then((page) => setItems((current) => (current === null ? current : mergeNewest(current, page.items))))
      .catch(() => undefined); // the feed stays as it is; "Refresh" is there
  }, [scopeKey]);
  const revalidate = useCallback(
    (trigger: Trigger) => {
      readNewest();
      if (trigger !== "broadcast") return;
      if (followUp.current !== null) window.clearTimeout(followUp.current);
      followUp.current = window.setTimeout(() => {
        followUp.current = null;
        readNewest();
      }, RECORDING_DELAY_MS);
    },
    [readNewest],
  );
  useRevalidation(revalidate, { poll: shared });
  useEffect(() => () => {
    if (followUp.current !== null) window.clearTimeout(followUp.current);
  }, []);

  // Events are recorded a moment after the change: "Refresh" picks up the latest ones.
  const refresh = (
    <button type="button" className="btn btn-sm btn-link px-0" onClick={() => setReloads((count) => count + 1)}>
      Refresh the activity
    </button>
  );

  const more = useCallback(async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await listActivity(JSON.parse(scopeKey) as ActivityFeedProps["scope"], cursor);
      setItems((current) => {
        const known = new Set((current ?? []).map((item) => item.id));
        return [...(current ?? []), ...page.items.filter((item) => !known.has(item.id))];
      });
      setCursor(page.next_cursor);
    } catch (error) {
      notifyError(error, { context: "Could not load more activity." });
    } finally {
      setLoadingMore(false);
    }
  }, [cursor, scopeKey]);

  if (items === null) return <p className="small text-body-secondary">Loading the activity…</p>;
  if (items.length === 0) {
    return (
      <div className="d-flex flex-wrap align-items-baseline gap-2">
        <p className="small text-body-secondary mb-0">Nothing has happened here yet.</p>
        {refresh}
      </div>
    );
  }
  return (
    <>
      <ol className="list-group mb-2" aria-label={label}>
        {items.map((item) => {
          const who = item.actor_id && item.actor_id === user?.id ? "You" : item.actor_id ? "A member" : "TaskForge";
          return (
            <li key={item.id} className="list-group-item" data-testid="activity-item">
              <div className="text-break">
                <span className="fw-semibold">{who}</span> {item.summary}
              </div>
              <div className="small text-body-secondary d-flex flex-wrap gap-2">
                <time dateTime={item.time}>{formatFull(item.time)}</time>
                {item.task_deleted ? (
                  <span className="badge bg-body-tertiary text-body-emphasis border" data-testid="activity-task-deleted">Task deleted</span>
                ) : (
                  linkTasks &&
                  item.task_id && (
                    <Link to={`/tasks/${item.task_id}`} aria-label={`Open the task of: ${item.summary}`}>Open the task</Link>
                  )
                )}
              </div>
            </li>
          );
        })}
      </ol>
      <div className="d-flex flex-wrap align-items-center gap-3">
        {cursor && (
          <button type="button" className="btn btn-sm btn-outline-primary" onClick={() => void more()} disabled={loadingMore}>
            {loadingMore ? "Loading…" : "Show older activity"}
          </button>
        )}
        {refresh}
      </div>
    </>
  );
}
