/**
 * Sends the changes queued offline (writeQueue.ts) once the API answers again: at start, when
 * the browser comes back online, when a request reaches the server after one did not, and when
 * a change is queued while the connection is up. Oldest first, one at a time, each with its own
 * Idempotency-Key, so a write whose answer was lost is sent again without applying twice.
 *
 * - No answer: the write stays queued and the rest wait behind it; a later try picks it up.
 * - 412: the task changed elsewhere. Its server version is read and kept with the write, which
 *   waits (with the task's later writes) for the user to keep theirs or apply theirs again.
 * - 404: the task was deleted elsewhere; its writes go (a delete was done anyway).
 * - 409, 429, 5xx: try again later. Another 4xx: the write waits with the server's reason.
 * - Only under the session of the user who queued the writes: each request carries a token
 *   checked to be theirs (its `sub`). A session of anyone else means another account took over
 *   this device: the queue is not theirs to send, and it is forgotten.
 * - A "tags" write (a create's tag names, once the task is made) finds or makes each tag and
 *   attaches it; a tag that cannot be attached waits, by name, with the server's reason.
 * - One tab at a time (a Web Lock); another tab's writes join the same queue.
 */
import type { AxiosResponse } from "axios";
import { api, getAccessToken, refreshAccessToken, tokenUser } from "../../api/client";
import { currentConnectivity, subscribeConnectivity } from "../../api/connectivity";
import { forgetEtag, rememberEtag } from "../../api/etags";
import { forgetQueuedWrites } from "../../api/offlineWrites";
import { registerPendingWork } from "../../api/pendingWork";
import { attachTags, ensureTags } from "../../api/tagNames";
import { errorMessage, httpStatus, isOfflineError } from "../../api/problem";
import type { Task } from "../../types/task";
import {
  announce,
  currentWrites,
  dropTask,
  markRefused,
  markSent,
  onQueueEvent,
  queueOwner,
  settle,
  type QueuedWrite,
} from "./writeQueue";

type Outcome = "next" | "stop";

/** The oldest write not held behind a refused write of its task (which waits for the user). */
export function nextToSend(writes: readonly QueuedWrite[]): QueuedWrite | undefined {
  const held = new Set<string>();
  for (const write of writes) {
    if (write.problem || held.has(write.taskId)) held.add(write.taskId);
    else return write;
  }
  return undefined;
}

let running: Promise<void> | null = null;
let again = false;

/** Sends what can be sent now; a call during a run makes the run look at the queue once more. */
export function sendQueuedWrites(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await oneTabAtATime(sendInOrder);
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}

async function oneTabAtATime(work: () => Promise<void>): Promise<void> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks) return work();
  await locks.request("taskforge-write-queue", work);
}

async function sendInOrder(): Promise<void> {
  let last: QueuedWrite | undefined;
  for (;;) {
    if (currentConnectivity() === "offline") return;
    const write = nextToSend(currentWrites());
    // The same write again, unchanged, would be a loop: wait for the next occasion instead.
    if (!write || write === last) return;
    if ((await send(write)) === "stop") return;
    last = write;
  }
}

/** A token of the queue's owner: the one held, or (`fresh`, or none held) a refreshed one. */
async function ownersToken(owner: string, fresh = false): Promise<string | null> {
  let token = fresh ? null : getAccessToken();
  if (!token) {
    try {
      token = await refreshAccessToken();
    } catch {
      return null; // no answer, or no session: the queue waits
    }
  }
  if (tokenUser(token) !== owner) {
    forgetQueuedWrites();
    return null;
  }
  return token;
}

// The token is checked here, for this owner: the client must not swap in another on a 401.
const asOwner = (token: string, headers: Record<string, string> = {}) => ({
  headers: { ...headers, Authorization: `Bearer ${token}` },
  skipAuthRefresh: true,
});

function request(write: QueuedWrite, token: string): Promise<AxiosResponse<Task>> {
  const headers: Record<string, string> = { "Idempotency-Key": write.key };
  if (write.ifMatch) headers["If-Match"] = write.ifMatch;
  const config = asOwner(token, headers);
  const path = `/tasks/${encodeURIComponent(write.taskId)}`;
  if (write.kind === "create") return api.post<Task>("/tasks", write.body, config);
  if (write.kind === "update") return api.patch<Task>(path, write.body, config);
  return api.delete(path, config);
}

async function read(taskId: string, token: string): Promise<Task> {
  const response = await api.get<Task>(`/tasks/${encodeURIComponent(taskId)}`, asOwner(token));
  rememberEtag(response.data.id, response.headers.etag);
  return response.data;
}

async function send(write: QueuedWrite): Promise<Outcome> {
  const owner = queueOwner();
  let token = owner ? await ownersToken(owner) : null;
  if (!owner || !token) {
    if (currentConnectivity() === "unreachable") tryAgainLater();
    return "stop";
  }
  markSent(write);
  if (write.kind === "tags") return sendTags(write, owner, token);
  try {
    let response: AxiosResponse<Task>;
    try {
      response = await request(write, token);
    } catch (error) {
      if (httpStatus(error) !== 401) throw error;
      token = await ownersToken(owner, true); // expired: once more with a fresh token of the same user
      if (!token) return "stop";
      response = await request(write, token);
    }
    applied(write, response);
    return "next";
  } catch (error) {
    return refused(write, error, token);
  }
}

/**
 * Finds or makes the write's tags and attaches each. Attaching again is harmless, so a try that
 * got no answer is simply made again later, and an expired token is refreshed once (`retried`).
 */
async function sendTags(write: QueuedWrite, owner: string, token: string, retried = false): Promise<Outcome> {
  let names = write.tags ?? [];
  let failure: unknown;
  try {
    const tags = await ensureTags(names, write.task.workspace_id, asOwner(token));
    const { task, failed, error } = await attachTags(write.task, tags, asOwner(token));
    if (failed.length === 0) {
      settle(write, task);
      laterTries = 0;
      announce({ type: "sent", write, task });
      return "next";
    }
    failure = error;
    names = failed.map((tag) => tag.name);
  } catch (error) {
    failure = error;
  }
  const status = httpStatus(failure);
  if (status === 401) {
    const fresh = retried ? null : await ownersToken(owner, true);
    return fresh ? sendTags(write, owner, fresh, true) : "stop"; // refused with a fresh token too: the session is over
  }
  if (status === null || isOfflineError(failure) || status === 409 || status === 429 || status >= 500) {
    tryAgainLater();
    return "stop";
  }
  const detail = `${names.map((name) => `#${name}`).join(", ")} could not be attached: ${errorMessage(failure)}`;
  markRefused(write, { status, detail });
  announce({ type: "refused", write });
  return "next";
}

function applied(write: QueuedWrite, response?: AxiosResponse<Task>): void {
  const task = write.kind === "delete" ? undefined : response?.data;
  const etag = response?.headers.etag as string | undefined;
  settle(write, task, etag);
  if (task) rememberEtag(task.id, etag);
  else forgetEtag(write.taskId);
  laterTries = 0;
  announce({ type: "sent", write, task, localId: write.kind === "create" ? write.taskId : undefined });
}

async function refused(write: QueuedWrite, error: unknown, token: string): Promise<Outcome> {
  const status = httpStatus(error);
  if (status === null || isOfflineError(error)) {
    tryAgainLater();
    return "stop";
  }
  if (status === 404 && write.kind === "delete") {
    applied(write); // deleted already: what the write asked for
    return "next";
  }
  if (status === 404) {
    gone(write);
    return "next";
  }
  if (status === 412) {
    try {
      const theirs = await read(write.taskId, token);
      markRefused(write, { status, detail: errorMessage(error), theirs });
      announce({ type: "refused", write, theirs });
    } catch (readError) {
      if (httpStatus(readError) === 404) gone(write);
      else return "stop"; // sent again later: the same 412, and another try at reading
    }
    return "next";
  }
  if (status === 401) return "stop"; // refused with a fresh token too: the session is over
  if (status === 409 || status === 429 || status >= 500) {
    tryAgainLater();
    return "stop";
  }
  markRefused(write, { status, detail: errorMessage(error) });
  announce({ type: "refused", write });
  return "next";
}

function gone(write: QueuedWrite): void {
  dropTask(write.taskId);
  announce({ type: "gone", task: write.task });
}

// While the browser says it is online but the server does not answer, nothing else may come
// along to try again: a timer does, less and less often.
const FIRST_TRY_AGAIN_MS = 15_000;
const LAST_TRY_AGAIN_MS = 5 * 60_000;
let laterTries = 0;
let later: ReturnType<typeof setTimeout> | undefined;

function tryAgainLater(): void {
  clearTimeout(later);
  const delay = Math.min(FIRST_TRY_AGAIN_MS * 2 ** laterTries, LAST_TRY_AGAIN_MS);
  laterTries += 1;
  later = setTimeout(() => void sendQueuedWrites(), delay);
}

/** Starts sending whenever it may work; returns how to stop. */
export function startSendingQueuedWrites(): () => void {
  const whenOnline = () => {
    if (currentConnectivity() === "online") void sendQueuedWrites();
  };
  // A change just queued is worth a try unless the browser knows it is offline: the try itself
  // finds out whether the server answers (and if not, tries again later).
  const unlessOffline = () => {
    if (currentConnectivity() !== "offline") void sendQueuedWrites();
  };
  const stops = [
    subscribeConnectivity(whenOnline),
    onQueueEvent((event) => {
      if (event.type === "queued") unlessOffline();
    }),
    // Logging out sends what it can first: after it, the queue is forgotten.
    registerPendingWork(sendQueuedWrites),
  ];
  unlessOffline();
  return () => {
    stops.forEach((stop) => stop());
    clearTimeout(later);
  };
}

/** For tests: no try left waiting on a timer. */
export function resetSenderForTests(): void {
  clearTimeout(later);
  laterTries = 0;
}
