import { useCallback, useEffect, useId, useRef, useState } from "react";
import axios from "axios";
import { etagOf } from "../../api/etags";
import { httpStatus } from "../../api/problem";
import { notifyError, notifyInfo, notifySuccess } from "../../components/notify";
import { formatFull } from "../../lib/dates";
import { listVersions, restoreVersion, type RestoredTask, type TaskVersion } from "../../lib/versions/api";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import type { Task } from "../../types/task";
import { diff } from "./diff";

interface TaskHistoryProps {
  task: Task;
  canEdit: boolean;
  /** Shows the task as a restore left it (its checklist included). */
  onRestored: (task: RestoredTask) => void;
  /** Reads the task again (and its ETag): its latest version, before restoring over it. */
  reloadTask: () => Promise<void>;
}

const PAGE = 20;

/**
 * The task's versions, newest first: who changed what, with the values before and after, and
 * "Restore this version" (after a confirmation). A restore is a new version; nothing is rewritten.
 */
export function TaskHistory({ task, canEdit, onRestored, reloadTask }: TaskHistoryProps) {
  const id = useId().replace(/:/g, "");
  const { workspaces } = useWorkspaces();
  const [versions, setVersions] = useState<TaskVersion[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [conflict, setConflict] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  const workspaceName = useCallback(
    (workspaceId: string) => workspaces.find((each) => each.id === workspaceId)?.name ?? "another workspace",
    [workspaces],
  );

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const page = await listVersions(task.id, { limit: PAGE, signal });
        setVersions(page.items);
        setCursor(page.next_cursor);
      } catch (error) {
        if (!axios.isCancel(error)) notifyError(error, { context: "Could not load the history." });
      }
    },
    [task.id],
  );

  // Every new version of the task (a change here, an undo, a restore) is a new entry.
  useEffect(() => {
    const controller = new AbortController();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- load() sets state only after its await, never synchronously (a known false positive of the rule: react/react#34905)
    void load(controller.signal);
    return () => controller.abort();
  }, [load, task.version]);

  async function older() {
    if (!cursor) return;
    try {
      const page = await listVersions(task.id, { limit: PAGE, cursor });
      setVersions((current) => [...(current ?? []), ...page.items]);
      setCursor(page.next_cursor);
    } catch (error) {
      notifyError(error, { context: "Could not load older versions." });
    }
  }

  async function restore(version: number, etag: string | undefined) {
    setBusy(true);
    try {
      const restored = await restoreVersion(task.id, version, etag ?? `"${task.version}"`);
      setConfirming(null);
      setConflict(null);
      onRestored(restored);
      if (restored.not_restored.length) notifyInfo(`Restored version ${version}, except: ${restored.not_restored.join("; ")}.`);
      else notifySuccess(`Restored version ${version}.`);
      heading.current?.focus();
    } catch (error) {
      if (httpStatus(error) === 412) {
        setConfirming(null);
        setConflict(version);
      } else {
        notifyError(error, { context: `Could not restore version ${version}.` });
      }
    } finally {
      setBusy(false);
    }
  }

  /** Restores over the task as it is now, after reading it again (its ETag). */
  async function restoreOverLatest(version: number) {
    try {
      await reloadTask();
      await restore(version, etagOf(task.id));
    } catch (error) {
      notifyError(error, { context: "Could not read the task again." });
    }
  }

  return (
    <section className="card mt-3" aria-labelledby={`${id}-heading`} data-testid="task-history">
      <div className="card-body">
        <h2 id={`${id}-heading`} className="h5" tabIndex={-1} ref={heading}>History</h2>
        {conflict !== null && (
          <div className="alert alert-warning" role="alert" data-testid="restore-conflict">
            <p className="mb-2">
              This task was changed somewhere else since you opened it, so version {conflict} was not restored. The latest
              version is shown now; restoring replaces it too.
            </p>
            <div className="d-flex flex-wrap gap-2">
              <button type="button" className="btn btn-sm btn-warning" disabled={busy} onClick={() => void restoreOverLatest(conflict)}>
                Restore version {conflict} over the latest
              </button>
              <button type="button" className="btn btn-sm btn-outline-dark" disabled={busy} onClick={() => setConflict(null)}>
                Keep the latest
              </button>
            </div>
          </div>
        )}
        {versions === null ? (
          <p className="small text-body-secondary">Loading the history…</p>
        ) : (
          <ol className="list-unstyled mb-0" aria-label="Versions of this task, newest first">
            {versions.map((version, index) => {
              const before = versions[index + 1];
              const changes = diff(version.changed, version.snapshot, before?.snapshot, workspaceName);
              const current = index === 0;
              return (
                <li key={version.version} className="border-top py-2" data-testid="task-version">
                  <div className="d-flex flex-wrap align-items-baseline gap-2">
                    <span className="fw-semibold">Version {version.version}</span>
                    {current && <span className="badge bg-body-tertiary text-body-emphasis border">current</span>}
                    <span className="small text-body-secondary">
                      {version.actor?.name ?? "Someone"} · <time dateTime={version.at}>{formatFull(version.at)}</time>
                    </span>
                    {canEdit && !current && confirming !== version.version && (
                      <button type="button" className="btn btn-sm btn-link ms-auto p-0" disabled={busy}
                        onClick={() => setConfirming(version.version)}>
                        Restore this version
                      </button>
                    )}
                  </div>
                  {changes.length === 0 ? (
                    <p className="small mb-0">{version.version === 1 ? `Created as “${version.snapshot.title}”.` : "No field changed."}</p>
                  ) : (
                    <dl className="small mb-0 history-diff">
                      {changes.map((change) => (
                        <div key={change.field} className="d-flex flex-wrap gap-1">
                          <dt className="fw-normal text-body-secondary">{change.label}:</dt>
                          <dd className="mb-0 text-break">
                            {change.before !== null && (
                              <>
                                <del className="text-danger-emphasis">{change.before}</del>
                                <span aria-hidden="true"> → </span>
                                <span className="visually-hidden"> became </span>
                              </>
                            )}
                            <ins className="text-success-emphasis text-decoration-none">{change.after}</ins>
                          </dd>
                        </div>
                      ))}
                    </dl>
                  )}
                  {confirming === version.version && (
                    <div className="alert alert-secondary small mt-2 mb-0" role="group" aria-label={`Restore version ${version.version}?`}>
                      <p className="mb-2">
                        Put the task back as version {version.version} left it: its fields, tags and checklist. This is saved
                        as a new version; nothing is lost.
                      </p>
                      <div className="d-flex gap-2">
                        <button type="button" className="btn btn-sm btn-primary" disabled={busy}
                          onClick={() => void restore(version.version, etagOf(task.id))}>
                          Restore version {version.version}
                        </button>
                        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setConfirming(null)}>
                          Cancel
                        </button>
                      </div>
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
        )}
        {cursor && (
          <button type="button" className="btn btn-sm btn-outline-secondary mt-2" onClick={() => void older()}>
            Show older versions
          </button>
        )}
      </div>
    </section>
  );
}
