/**
 * Changes to tasks made while the API cannot be reached: kept on the device in order (through
 * api/offlineWrites.ts), shown at once on top of the list, and sent when the connection is back
 * (sendQueued.ts). Each write has its Idempotency-Key from the moment it is queued, so sending it
 * again (a lost answer, a reload, a second tab) never applies it twice.
 *
 * - A create gets a local id ("local-…") until the server gives it one; later writes to that
 *   task follow it.
 * - Writes to one task that has not been sent yet fold into one: an edit into the create or
 *   the edit before it, a delete replaces an edit, and a delete of a task created offline
 *   leaves nothing to send. A write after one that may have reached the server waits for its
 *   answer, and applies to the version that answer names (`afterPrevious`).
 * - An edit or a delete is conditional on the version the user saw (If-Match): a task changed
 *   elsewhere meanwhile is not overwritten; its write stays here with the server's version
 *   (`problem.theirs`) until the user keeps theirs or applies theirs again. Other refusals keep
 *   the server's reason until the user dismisses the change.
 * - A create may carry tag names (quick add's `#home`), which only the server can turn into
 *   tags: once it has the task, a "tags" write takes its place at the end of the queue, and the
 *   sender finds or makes those tags and attaches them. A tag it cannot attach is a refusal.
 */
import { currentConnectivity } from "../../api/connectivity";
import { NEW_TAG_COLOR } from "../../api/tagNames";
import { queuedWrites, saveQueuedWrites } from "../../api/offlineWrites";
import { rememberedUser } from "../../api/offlineSession";
import type { Task } from "../../types/task";
import { newIdempotencyKey } from "./api";
import type { TaskInput, TaskPatch } from "./types";

export type WriteKind = "create" | "update" | "delete" | "tags";

export interface WriteProblem {
  status: number;
  detail: string;
  /** 412: the task as the server has it now. */
  theirs?: Task;
}

export interface QueuedWrite {
  id: string;
  kind: WriteKind;
  /** Idempotency-Key: the same for every delivery of this write. */
  key: string;
  /** The server's id, or a local one for a task created offline. */
  taskId: string;
  /** The version the write is for (If-Match); none for a create. */
  ifMatch?: string;
  /** Applies to whatever version the write before it leaves (If-Match filled in on its answer). */
  afterPrevious?: boolean;
  /** The create's input, or the fields an edit changes. */
  body?: TaskInput | TaskPatch;
  /** The task as the user saw it before this write (for a create: as it will look). */
  task: Task;
  /** Names of tags to attach: a create's, then its "tags" write's once the server has the task. */
  tags?: string[];
  /** The workspace of the list a create was made in (none: the personal one). */
  workspaceId?: string | null;
  /** Sent at least once, so it may have been applied: never folded into again. */
  sent?: boolean;
  problem?: WriteProblem;
}

const LOCAL = "local-";

export const isLocalTask = (id: string) => id.startsWith(LOCAL);

export const versionTag = (task: Pick<Task, "version">) => `"${task.version}"`;

/** Whose queue this device holds now: the user remembered for offline use. */
export function queueOwner(): string | null {
  return rememberedUser<{ id: string }>()?.id ?? null;
}

export function currentWrites(): readonly QueuedWrite[] {
  return queuedWrites<QueuedWrite>(queueOwner());
}

function save(writes: readonly QueuedWrite[]): boolean {
  const owner = queueOwner();
  return owner !== null && saveQueuedWrites(owner, writes);
}

/** Like save, for a change the user just made: one that cannot be kept must say so, not vanish. */
function keep(writes: readonly QueuedWrite[]): void {
  if (!save(writes)) throw new Error("This change cannot be kept on this device until the connection is back.");
}

/** Whether a write should be queued rather than sent: no connection, or older writes still waiting. */
export function shouldQueue(): boolean {
  return currentConnectivity() !== "online" || currentWrites().length > 0;
}

// -- news for whoever sends the queue, and for the lists that show its results ------------------

export type QueueEvent =
  | { type: "queued" }
  /** The server took a write: `task` is the task now (none after a delete); `localId` for a create. */
  | { type: "sent"; write: QueuedWrite; task?: Task; localId?: string }
  /** The task is gone from the server (deleted elsewhere): its writes were dropped. */
  | { type: "gone"; task: Task }
  /** The server refused the write, which now waits for the user; `theirs`: the task as the server has it (412). */
  | { type: "refused"; write: QueuedWrite; theirs?: Task }
  /** The server's version of the task is known (`task`; none: read it again): show it, the queue on top. */
  | { type: "theirs"; taskId: string; task?: Task };

const listeners = new Set<(event: QueueEvent) => void>();

export function onQueueEvent(listener: (event: QueueEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announce(event: QueueEvent): void {
  listeners.forEach((listener) => listener(event));
}

/**
 * The queue's news for a view that shows tasks without keeping the list's own state: the
 * server's version of a task now (`null`: gone from the server; `undefined`: read it again).
 */
export function onQueuedTaskNews(listener: (taskId: string, task: Task | null | undefined) => void): () => void {
  return onQueueEvent((event) => {
    if (event.type === "sent") listener(event.write.taskId, event.task ?? null);
    else if (event.type === "gone") listener(event.task.id, null);
    else if (event.type === "refused") listener(event.write.taskId, event.theirs);
    else if (event.type === "theirs") listener(event.taskId, event.task);
  });
}

// -- queueing ---------------------------------------------------------------------------------

/** The last write of the task still in the queue. */
function lastOf(writes: readonly QueuedWrite[], taskId: string): QueuedWrite | undefined {
  return [...writes].reverse().find((write) => write.taskId === taskId);
}

function append(writes: readonly QueuedWrite[], write: Omit<QueuedWrite, "id">): void {
  keep([...writes, { ...write, id: newIdempotencyKey() }]);
  announce({ type: "queued" });
}

function replace(writes: readonly QueuedWrite[], old: QueuedWrite, next: QueuedWrite): void {
  keep(writes.map((write) => (write.id === old.id ? next : write)));
  announce({ type: "queued" });
}

/** Whether a later write of the task may take `previous`'s place (attaching tags is not a field). */
function foldable(previous: QueuedWrite): boolean {
  return !previous.sent && !previous.problem && previous.kind !== "tags";
}

/**
 * What a write that follows `previous` applies to: its If-Match, or "whatever `previous` leaves".
 * A write sent once already (`key`) keeps the If-Match it was sent with: it is part of the request.
 */
function after(previous: QueuedWrite | undefined, ifMatch: string | undefined, key: string | undefined) {
  return previous && key === undefined ? { afterPrevious: true as const } : { ifMatch };
}

/** Tags known only by name, as a row shows them until they are attached. */
function namedTags(names: readonly string[]): Task["tags"] {
  return names.map((name) => ({ id: `${LOCAL}${name}`, name, color: NEW_TAG_COLOR }));
}

/**
 * Queues a new task; returns it as the list shows it until the server has it. `key`: the
 * Idempotency-Key of a create already sent once, whose answer never came. `tags`: names of
 * tags to attach once it is made.
 */
export function queueCreate(input: TaskInput, workspaceId: string | undefined, key?: string, tags: string[] = []): Task {
  const now = new Date().toISOString();
  const task: Task = {
    id: `${LOCAL}${newIdempotencyKey()}`,
    title: input.title,
    description: input.description ?? "",
    completed: false,
    priority: input.priority ?? 2,
    due_date: input.due_date ?? null,
    created_at: now,
    updated_at: now,
    completed_at: null,
    owner: queueOwner() ?? "",
    workspace_id: workspaceId ?? "",
    recurrence: input.recurrence ?? null,
    timezone: input.timezone ?? null,
    tags: namedTags(tags),
    checklist_progress: { done: 0, total: 0 },
    position: "",
    version: 0,
  };
  const body = workspaceId ? { ...input, workspace_id: workspaceId } : input;
  append(currentWrites(), {
    kind: "create",
    key: key ?? newIdempotencyKey(),
    taskId: task.id,
    body,
    task,
    workspaceId: workspaceId ?? null,
    sent: key !== undefined,
    ...(tags.length > 0 ? { tags } : {}),
  });
  return task;
}

/**
 * Queues a change of `task` (as the user saw it) that sets `changes`, for the version `ifMatch`.
 * `key`: the Idempotency-Key of this very change, already sent once without an answer (then
 * `changes` must be exactly what was sent). Returns the task as it will look.
 */
export function queueUpdate(task: Task, changes: TaskPatch, ifMatch: string | undefined, key?: string): Task {
  if (Object.keys(changes).length === 0) return task;
  const writes = currentWrites();
  const previous = lastOf(writes, task.id);
  if (previous && foldable(previous) && key === undefined) {
    if (previous.kind === "delete") return task;
    // A create shows its own task: the change folded into it shows there too.
    const shown = previous.kind === "create" ? applyChanges(previous.task, changes) : previous.task;
    replace(writes, previous, { ...previous, body: { ...previous.body, ...changes }, key: newIdempotencyKey(), task: shown });
  } else {
    append(writes, {
      kind: "update",
      key: key ?? newIdempotencyKey(),
      taskId: task.id,
      ...after(previous, ifMatch, key),
      body: changes,
      task,
      sent: key !== undefined,
    });
  }
  return applyChanges(task, changes);
}

/** Queues the delete of `task`, for the version `ifMatch`; `key` as for queueUpdate. */
export function queueDelete(task: Task, ifMatch: string | undefined, key?: string): void {
  const writes = currentWrites();
  const previous = lastOf(writes, task.id);
  if (previous && foldable(previous) && key === undefined) {
    if (previous.kind === "delete") return;
    if (previous.kind === "create") {
      // Made and deleted offline: the server never needs to hear of it.
      keep(writes.filter((write) => write.taskId !== task.id));
      return;
    }
    const first = previous.afterPrevious ? { afterPrevious: true as const } : { ifMatch: previous.ifMatch };
    replace(writes, previous, { id: previous.id, kind: "delete", key: newIdempotencyKey(), taskId: task.id, ...first, task: previous.task });
    return;
  }
  append(writes, { kind: "delete", key: key ?? newIdempotencyKey(), taskId: task.id, ...after(previous, ifMatch, key), task, sent: key !== undefined });
}

// -- what the user decides about a write the server refused -------------------------------------

/** Drops the task's writes and shows the server's version of it. */
export function keepTheirs(taskId: string): void {
  const writes = currentWrites();
  const theirs = writes.find((write) => write.taskId === taskId && write.problem)?.problem?.theirs;
  save(writes.filter((write) => write.taskId !== taskId));
  announce({ type: "theirs", taskId, task: theirs });
}

/** Sends the refused write again, now for the server's current version (a new key: a new request). */
export function applyMineAgain(taskId: string): void {
  const writes = currentWrites();
  const theirs = writes.find((write) => write.taskId === taskId && write.problem)?.problem?.theirs;
  if (!theirs) return;
  save(
    writes.map((write) => {
      const theirs = write.taskId === taskId ? write.problem?.theirs : undefined;
      if (!theirs) return write;
      const { problem: _problem, afterPrevious: _after, ...rest } = write;
      return { ...rest, ifMatch: versionTag(theirs), key: newIdempotencyKey(), sent: false, task: theirs };
    }),
  );
  announce({ type: "theirs", taskId, task: theirs });
  announce({ type: "queued" });
}

/** Drops a refused change (and the task's writes after it): the list shows the task as the server has it. */
export function dismissRefused(taskId: string): void {
  keepTheirs(taskId);
}

// -- what the sender learns -----------------------------------------------------------------------

function update(id: string, change: (write: QueuedWrite) => QueuedWrite): void {
  save(currentWrites().map((write) => (write.id === id ? change(write) : write)));
}

/** From now on the write may reach the server: it is never folded into again. */
export function markSent(write: QueuedWrite): void {
  update(write.id, (current) => ({ ...current, sent: true }));
}

export function markRefused(write: QueuedWrite, problem: WriteProblem): void {
  update(write.id, (current) => ({ ...current, problem }));
}

/**
 * The server took the write: it leaves the queue. The task's writes that waited for this answer
 * apply to the version it names (`etag`), under the id the server gave a task created offline.
 * A create's tag names follow last, in a "tags" write of the task the server made.
 */
export function settle(write: QueuedWrite, task?: Task, etag?: string): void {
  const taskId = task?.id ?? write.taskId;
  const version = etag ?? (task ? versionTag(task) : undefined);
  let waiting = true; // only the next write of the task waited for this one
  const tags: QueuedWrite[] =
    write.kind === "create" && write.tags?.length && task
      ? [{ id: newIdempotencyKey(), kind: "tags", key: newIdempotencyKey(), taskId, task, tags: write.tags, workspaceId: write.workspaceId }]
      : [];
  save(
    [...currentWrites(), ...tags].flatMap((other) => {
      if (other.id === write.id) return [];
      if (other.taskId !== write.taskId) return [other];
      if (write.kind === "delete") return []; // nothing left to change
      if (!other.afterPrevious || !waiting) return [{ ...other, taskId }];
      waiting = false;
      const { afterPrevious: _after, ...rest } = other;
      return [{ ...rest, taskId, ifMatch: version }];
    }),
  );
}

/** Drops every write of the task (it is gone from the server). */
export function dropTask(taskId: string): void {
  save(currentWrites().filter((write) => write.taskId !== taskId));
}

// -- how the queue looks on a list -----------------------------------------------------------------

/** The task with an edit's fields applied, as the list shows it until the server answers. */
export function applyChanges(task: Task, changes: TaskPatch): Task {
  const next: Task = { ...task, ...(changes as Partial<Task>) };
  if (changes.completed !== undefined && changes.completed !== task.completed) {
    next.completed_at = changes.completed ? new Date().toISOString() : null;
  }
  return next;
}

/** The fields of `input` (an edit form's whole task) that differ from `task`: all a queued edit sends. */
export function changedFields(task: Task, input: TaskPatch): TaskPatch {
  const changes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    const was: unknown = task[name as keyof Task];
    const same = name === "due_date" && typeof value === "string" && typeof was === "string"
      ? Date.parse(value) === Date.parse(was)
      : (value ?? null) === (was ?? null);
    if (!same) changes[name] = value;
  }
  // A repeat is read in its time zone: the two go together.
  if ("recurrence" in changes && input.timezone !== undefined) changes.timezone = input.timezone;
  if ("timezone" in changes && input.recurrence !== undefined) changes.recurrence = input.recurrence;
  return changes as TaskPatch;
}

/** The task as it will be once `write` is sent (null: deleted). */
function shownAfter(write: QueuedWrite, task: Task): Task | null {
  if (write.kind === "delete") return null;
  if (write.kind === "update") return applyChanges(task, write.body as TaskPatch);
  if (write.kind === "tags" && !write.problem) {
    const on = new Set(task.tags.map((tag) => tag.name.toLocaleLowerCase()));
    return { ...task, tags: [...task.tags, ...namedTags((write.tags ?? []).filter((name) => !on.has(name.toLocaleLowerCase())))] };
  }
  return task;
}

/** Where a task with queued writes stands, for its row. */
export type QueuedState =
  | { status: "waiting" }
  | { status: "conflict"; write: QueuedWrite; theirs: Task; mine: Task }
  | { status: "refused"; write: QueuedWrite; detail: string };

/**
 * `tasks` (a list as the server sent it) with the queue's writes on top: changes applied,
 * deleted tasks left out, tasks created offline in `workspaceId`'s list first. Also each
 * queued task's state.
 */
export function withQueued(
  tasks: readonly Task[],
  writes: readonly QueuedWrite[],
  workspaceId: string | undefined,
): { tasks: Task[]; states: Map<string, QueuedState> } {
  const states = new Map<string, QueuedState>();
  if (writes.length === 0) return { tasks: [...tasks], states };
  const shown = new Map<string, Task | null>();
  const created: string[] = [];
  for (const write of writes) {
    if (write.kind === "create") {
      if ((write.workspaceId ?? null) !== (workspaceId ?? null)) continue;
      created.push(write.taskId);
      shown.set(write.taskId, write.task);
    }
    const current = shown.has(write.taskId) ? shown.get(write.taskId) : tasks.find((task) => task.id === write.taskId);
    if (current === undefined) continue; // not on this list
    if (current === null) continue; // deleted by an earlier write
    const mine = shownAfter(write, current);
    shown.set(write.taskId, mine);
    if (states.get(write.taskId)?.status === "conflict" || states.get(write.taskId)?.status === "refused") continue;
    const problem = write.problem;
    if (problem?.theirs) states.set(write.taskId, { status: "conflict", write, theirs: problem.theirs, mine: mine ?? current });
    else if (problem) states.set(write.taskId, { status: "refused", write, detail: problem.detail });
    else states.set(write.taskId, { status: "waiting" });
  }
  // A task whose delete was refused stays on the list, with the reason.
  const kept = (id: string) => states.get(id)?.status === "conflict" || states.get(id)?.status === "refused";
  const result: Task[] = [];
  for (const id of [...created].reverse()) {
    const task = shown.get(id);
    if (task) result.push(task);
  }
  for (const task of tasks) {
    if (!shown.has(task.id)) result.push(task);
    else {
      const mine = shown.get(task.id);
      if (mine) result.push(mine);
      else if (kept(task.id)) result.push(task);
    }
  }
  return { tasks: result, states };
}
