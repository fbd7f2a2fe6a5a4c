import { http, HttpResponse } from "msw";
import { waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { acceptTokens, api, clearAccessToken } from "../../api/client";
import { reportNetworkFailure } from "../../api/connectivity";
import { forgetUser, rememberUser } from "../../api/offlineSession";
import { accessTokenOf, makeTask, problem, tokenPair } from "../../test/fixtures";
import { server } from "../../test/server";
import type { Task } from "../../types/task";
import { nextToSend, resetSenderForTests, sendQueuedWrites, startSendingQueuedWrites } from "./sendQueued";
import {
  applyMineAgain,
  currentWrites,
  dismissRefused,
  keepTheirs,
  onQueueEvent,
  queueCreate,
  queueDelete,
  queueUpdate,
  withQueued,
  type QueueEvent,
} from "./writeQueue";

const ALICE = "11111111-1111-4111-8111-111111111111";
const BOB = "33333333-3333-4333-8333-333333333333";
const STORAGE_KEY = "taskforge.write-queue";

function logInAs(userId: string) {
  rememberUser({ id: userId });
  acceptTokens(tokenPair(accessTokenOf(userId)));
}

interface Seen {
  method: string;
  path: string;
  key: string | null;
  ifMatch: string | null;
  authorization: string | null;
  body: unknown;
}

/** The tasks API over a map of tasks; every write request is recorded. `answer` may replace an answer. */
function tasksApi(tasks: Task[], answer: (seen: Seen) => Response | undefined = () => undefined) {
  const stored = new Map(tasks.map((task) => [task.id, task]));
  const seen: Seen[] = [];
  const record = async (request: Request, path: string): Promise<Seen> => {
    const text = request.method === "DELETE" ? "" : await request.text();
    const entry = {
      method: request.method,
      path,
      key: request.headers.get("Idempotency-Key"),
      ifMatch: request.headers.get("If-Match"),
      authorization: request.headers.get("Authorization"),
      body: text ? JSON.parse(text) : undefined,
    };
    seen.push(entry);
    return entry;
  };
  /** A change of one task: 404 when it is not there, 412 when If-Match names another version. */
  const guarded = async (request: Request, id: string, apply: (current: Task, entry: Seen) => Response) => {
    const entry = await record(request, `/api/tasks/${id}`);
    const special = answer(entry);
    if (special) return special;
    const current = stored.get(id);
    if (!current) return problem(404, "no such task");
    if (entry.ifMatch && entry.ifMatch !== `"${current.version}"`) return problem(412, "the task has changed since you read it");
    return apply(current, entry);
  };
  const answered = (task: Task, status = 200) => HttpResponse.json(task, { status, headers: { ETag: `"${task.version}"` } });
  let made = 0;
  server.use(
    http.post("/api/tasks", async ({ request }) => {
      const entry = await record(request, "/api/tasks");
      const special = answer(entry);
      if (special) return special;
      made += 1;
      const task = makeTask({ ...(entry.body as Partial<Task>), id: `99999999-0000-4000-8000-${String(made).padStart(12, "0")}` });
      stored.set(task.id, task);
      return answered(task, 201);
    }),
    http.patch("/api/tasks/:id", ({ request, params }) =>
      guarded(request, String(params.id), (current, entry) => {
        const task = { ...current, ...(entry.body as Partial<Task>), version: current.version + 1 };
        stored.set(task.id, task);
        return answered(task);
      }),
    ),
    http.delete("/api/tasks/:id", ({ request, params }) =>
      guarded(request, String(params.id), (current) => {
        stored.delete(current.id);
        return new HttpResponse(null, { status: 204 });
      }),
    ),
    http.get("/api/tasks/:id", ({ params }) => {
      const current = stored.get(String(params.id));
      return current ? answered(current) : problem(404, "no such task");
    }),
  );
  return { seen, stored };
}

function events(): QueueEvent[] {
  const heard: QueueEvent[] = [];
  const stop = onQueueEvent((event) => heard.push(event));
  stops.push(stop);
  return heard;
}
const stops: (() => void)[] = [];

const input = (title: string) => ({ title, description: "", priority: 2 as const, due_date: null });

beforeEach(() => logInAs(ALICE));
afterEach(() => {
  resetSenderForTests();
  stops.splice(0).forEach((stop) => stop());
  localStorage.removeItem(STORAGE_KEY);
  forgetUser();
});

describe("the queue of changes made offline", () => {
  it("sends its writes in the order they were made, each with its key and the version it is for", async () => {
    const [edited, completed] = [makeTask({ title: "edit me", version: 3 }), makeTask({ title: "complete me", version: 7 })];
    const { seen, stored } = tasksApi([edited, completed]);

    queueCreate(input("made offline"), undefined);
    queueUpdate(edited, { title: "edited offline" }, '"3"');
    queueUpdate(completed, { completed: true }, '"7"');
    await sendQueuedWrites();

    expect(seen.map(({ method, path, ifMatch }) => [method, path, ifMatch])).toEqual([
      ["POST", "/api/tasks", null],
      ["PATCH", `/api/tasks/${edited.id}`, '"3"'],
      ["PATCH", `/api/tasks/${completed.id}`, '"7"'],
    ]);
    expect(new Set(seen.map((request) => request.key)).size).toBe(3);
    expect(seen.every((request) => request.key && request.authorization === `Bearer ${accessTokenOf(ALICE)}`)).toBe(true);
    expect(seen[0].body).toEqual(input("made offline"));
    expect(stored.get(edited.id)?.title).toBe("edited offline");
    expect(stored.get(completed.id)?.completed).toBe(true);
    expect(currentWrites()).toEqual([]);
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("sends a write whose answer was lost again with the same key, and never once it was answered", async () => {
    const task = makeTask({ version: 1 });
    let lose = true;
    const { seen } = tasksApi([task], (request) => {
      if (request.method === "PATCH" && lose) {
        lose = false;
        return HttpResponse.error(); // applied or not: the client cannot tell
      }
      return undefined;
    });
    queueUpdate(task, { priority: 1 }, '"1"');

    await sendQueuedWrites();
    expect(currentWrites()).toHaveLength(1); // no answer: still queued
    await sendQueuedWrites();
    await sendQueuedWrites();

    expect(seen).toHaveLength(2);
    expect(seen[1].key).toBe(seen[0].key);
    expect(currentWrites()).toEqual([]);
  });

  it("is kept on the device, and a later page sends what an earlier one queued", async () => {
    const task = makeTask({ version: 2 });
    queueUpdate(task, { title: "typed before the reload" }, '"2"');
    const kept = localStorage.getItem(STORAGE_KEY);
    expect(JSON.parse(kept ?? "null")).toMatchObject({ owner: ALICE, items: [{ kind: "update", taskId: task.id }] });

    // A new page finds the same text in storage.
    localStorage.removeItem(STORAGE_KEY);
    localStorage.setItem(STORAGE_KEY, kept ?? "");
    const { seen } = tasksApi([task]);
    await sendQueuedWrites();

    expect(seen.map((request) => request.body)).toEqual([{ title: "typed before the reload" }]);
  });

  it("folds changes not sent yet: an edit into the create, a delete of a task made offline into nothing", async () => {
    const { seen } = tasksApi([]);
    const kept = queueCreate(input("draft"), undefined);
    queueUpdate(kept, { title: "final", priority: 1 }, undefined);
    const dropped = queueCreate(input("never mind"), undefined);
    queueDelete(dropped, undefined);

    expect(currentWrites()).toHaveLength(1);
    expect(withQueued([], currentWrites(), undefined).tasks.map((task) => [task.title, task.priority])).toEqual([["final", 1]]);
    await sendQueuedWrites();

    expect(seen.map((request) => [request.method, request.body])).toEqual([["POST", { ...input("final"), priority: 1 }]]);
  });

  it("sends a change made while an earlier one is on its way after it, for the version its answer names", async () => {
    const task = makeTask({ version: 4 });
    let queuedMeanwhile = false;
    const { seen } = tasksApi([task], (request) => {
      if (request.method === "PATCH" && !queuedMeanwhile) {
        queuedMeanwhile = true;
        queueUpdate(task, { completed: true }, '"4"'); // the first may have been applied: not folded into it
      }
      return undefined;
    });
    queueUpdate(task, { title: "first" }, '"4"');

    await sendQueuedWrites();

    expect(seen.map((request) => [request.body, request.ifMatch])).toEqual([
      [{ title: "first" }, '"4"'],
      [{ completed: true }, '"5"'],
    ]);
  });

  it("shows queued writes on the list: new tasks first, changes applied, deleted ones gone, each marked", () => {
    const [a, b, c] = [makeTask({ title: "a" }), makeTask({ title: "b" }), makeTask({ title: "c" })];
    const created = queueCreate(input("new"), undefined);
    queueUpdate(a, { completed: true }, '"1"');
    queueDelete(b, '"1"');
    queueCreate(input("in another workspace"), "44444444-4444-4444-8444-444444444444");

    const { tasks, states } = withQueued([a, b, c], currentWrites(), undefined);

    expect(tasks.map((task) => [task.title, task.completed])).toEqual([["new", false], ["a", true], ["c", false]]);
    expect(tasks[0].id).toBe(created.id);
    expect([...states.keys()]).toEqual([created.id, a.id, b.id]);
    expect([...states.values()].every((state) => state.status === "waiting")).toBe(true);
  });
});

/**
 * The tags API beside tasksApi: a workspace's tags by name (`known`), new ones made, and each
 * attach recorded; `refuse(tagId)` may answer an attach instead.
 */
function tagsApi(stored: Map<string, Task>, known: string[], refuse: (tagId: string) => Response | undefined = () => undefined) {
  const tags = known.map((name) => ({ id: `t-${name}`, name, color: "#000000" }));
  const made: unknown[] = [];
  const attached: { taskId: string; tagId: string; authorization: string | null }[] = [];
  server.use(
    http.get("/api/tags", () => HttpResponse.json({ items: tags })),
    http.post("/api/tags", async ({ request }) => {
      const body = (await request.json()) as { name: string; color: string; workspace_id: string };
      made.push(body);
      const tag = { id: `t-${body.name}`, name: body.name, color: body.color };
      tags.push(tag);
      return HttpResponse.json(tag, { status: 201 });
    }),
    http.put("/api/tasks/:id/tags/:tagId", ({ request, params }) => {
      const [taskId, tagId] = [String(params.id), String(params.tagId)];
      attached.push({ taskId, tagId, authorization: request.headers.get("Authorization") });
      const special = refuse(tagId);
      if (special) return special;
      const current = stored.get(taskId);
      const tag = tags.find((candidate) => candidate.id === tagId);
      if (!current || !tag) return problem(404, "no such task or tag");
      const task = { ...current, tags: [...current.tags, tag], version: current.version + 1 };
      stored.set(taskId, task);
      return HttpResponse.json(task, { headers: { ETag: `"${task.version}"` } });
    }),
  );
  return { made, attached };
}

const WORKSPACE = "44444444-4444-4444-8444-444444444444";

describe("a task queued with tags by name (quick add)", () => {
  it("shows the names at once; the task is made once, then its tags found or made and attached", async () => {
    const { seen, stored } = tasksApi([]);
    const { made, attached } = tagsApi(stored, ["Home"]);
    const heard = events();
    const queued = queueCreate({ ...input("Call mom"), workspace_id: WORKSPACE }, WORKSPACE, undefined, ["home", "family"]);
    expect(withQueued([], currentWrites(), WORKSPACE).tasks[0].tags.map((tag) => tag.name)).toEqual(["home", "family"]);

    await sendQueuedWrites();
    await sendQueuedWrites();

    expect(seen.map(({ method, path }) => [method, path])).toEqual([["POST", "/api/tasks"]]);
    const task = [...stored.values()][0];
    expect(task.tags.map((tag) => tag.name)).toEqual(["Home", "family"]);
    expect(made).toEqual([{ name: "family", color: "#0a58ca", workspace_id: WORKSPACE }]);
    expect(attached.map(({ taskId, tagId, authorization }) => [taskId, tagId, authorization])).toEqual([
      [task.id, "t-Home", `Bearer ${accessTokenOf(ALICE)}`],
      [task.id, "t-family", `Bearer ${accessTokenOf(ALICE)}`],
    ]);
    expect(currentWrites()).toEqual([]);
    const sent = heard.filter((event) => event.type === "sent");
    expect(sent.map((event) => [event.write.kind, event.localId, event.task?.tags.length])).toEqual([
      ["create", queued.id, 0],
      ["tags", undefined, 2],
    ]);
  });

  it("without tags: the create alone, and no tags request", async () => {
    const { seen, stored } = tasksApi([]);
    const { attached } = tagsApi(stored, []);
    queueCreate({ ...input("Water the plants"), workspace_id: WORKSPACE }, WORKSPACE);

    await sendQueuedWrites();

    expect(seen.map(({ method }) => method)).toEqual(["POST"]);
    expect(attached).toEqual([]);
    expect(currentWrites()).toEqual([]);
  });

  it("a tag the server refuses waits on the task's row, by name, with its reason; the others are attached", async () => {
    const { stored } = tasksApi([]);
    tagsApi(stored, ["home", "family"], (tagId) => (tagId === "t-family" ? problem(403, "viewers cannot change tasks") : undefined));
    queueCreate({ ...input("Call mom"), workspace_id: WORKSPACE }, WORKSPACE, undefined, ["home", "family"]);

    await sendQueuedWrites();

    const task = [...stored.values()][0];
    expect(task.tags.map((tag) => tag.name)).toEqual(["home"]);
    const { tasks, states } = withQueued([task], currentWrites(), WORKSPACE);
    expect(states.get(task.id)).toMatchObject({ status: "refused", detail: "#family could not be attached: Viewers cannot change tasks." });
    expect(tasks[0].tags.map((tag) => tag.name)).toEqual(["home"]); // not shown as if attached
    dismissRefused(task.id);
    expect(currentWrites()).toEqual([]);
  });

  it("no answer while attaching: tried again later, and the task is still made once", async () => {
    const { seen, stored } = tasksApi([]);
    let lose = true;
    const { attached } = tagsApi(stored, ["family"], () => {
      if (!lose) return undefined;
      lose = false;
      return HttpResponse.error();
    });
    queueCreate({ ...input("Call mom"), workspace_id: WORKSPACE }, WORKSPACE, undefined, ["family"]);

    await sendQueuedWrites();
    expect(currentWrites()).toMatchObject([{ kind: "tags", tags: ["family"] }]);
    expect(currentWrites()[0].problem).toBeUndefined();
    await sendQueuedWrites();

    expect(seen.filter(({ method }) => method === "POST")).toHaveLength(1);
    expect(attached).toHaveLength(2);
    expect([...stored.values()][0].tags.map((tag) => tag.name)).toEqual(["family"]);
    expect(currentWrites()).toEqual([]);
  });

  it("an expired token while attaching: the tags are attached with a fresh token of the same user", async () => {
    const { seen, stored } = tasksApi([]);
    const stale = accessTokenOf(ALICE);
    const fresh = `${stale}-renewed`;
    const { attached } = tagsApi(stored, ["family"]);
    // The task is made with the token held; by the time its tags are read, that token has expired.
    server.use(
      http.get("/api/tags", ({ request }) =>
        request.headers.get("Authorization") === `Bearer ${stale}` ? problem(401, "the access token has expired") : undefined),
      http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair(fresh))),
    );
    queueCreate({ ...input("Call mom"), workspace_id: WORKSPACE }, WORKSPACE, undefined, ["family"]);

    await sendQueuedWrites();

    expect(seen.map(({ authorization }) => authorization)).toEqual([`Bearer ${stale}`]);
    expect(attached.map(({ authorization }) => authorization)).toEqual([`Bearer ${fresh}`]);
    expect([...stored.values()][0].tags.map((tag) => tag.name)).toEqual(["family"]);
    expect(currentWrites()).toEqual([]);
  });

  it("an edit queued after the tags waits for them, and applies to the version they leave", async () => {
    const { seen, stored } = tasksApi([]);
    tagsApi(stored, ["family"]);
    queueCreate({ ...input("Call mom"), workspace_id: WORKSPACE }, WORKSPACE, undefined, ["family"]);
    let edited = false;
    const stop = onQueueEvent((event) => {
      // Once the task is made, the user completes it while its tags wait.
      if (event.type === "sent" && event.task && event.write.kind === "create" && !edited) {
        edited = true;
        queueUpdate(event.task, { completed: true }, `"${event.task.version}"`);
      }
    });
    stops.push(stop);

    await sendQueuedWrites();

    const task = [...stored.values()][0];
    expect(task).toMatchObject({ completed: true, tags: [expect.objectContaining({ name: "family" })] });
    expect(seen.map(({ method, ifMatch }) => [method, ifMatch])).toEqual([["POST", null], ["PATCH", '"2"']]);
    expect(currentWrites()).toEqual([]);
  });
});

/** A title changed offline for version 1 of a task, refused (412): `theirs` changed it meanwhile. */
async function refusedAsChangedElsewhere(theirs: Partial<Task>) {
  const task = makeTask({ title: "mine", version: 1 });
  const api = tasksApi([task]);
  api.stored.set(task.id, { ...task, ...theirs, version: 2 });
  queueUpdate(task, { title: "my title" }, '"1"');
  await sendQueuedWrites();
  return { task, ...api };
}

describe("a queued write the server refuses", () => {
  it("412: keeps the server's version with the write, holds that task's later writes, and sends the others", async () => {
    const task = makeTask({ title: "mine", version: 1 });
    const other = makeTask({ version: 1 });
    const { seen, stored } = tasksApi([task, other]);
    stored.set(task.id, { ...task, title: "theirs", version: 2 }); // changed in another session
    const heard = events();
    queueUpdate(task, { title: "my title" }, '"1"');
    queueUpdate(other, { priority: 3 }, '"1"');

    await sendQueuedWrites();

    const [refused] = currentWrites();
    expect(refused.problem).toMatchObject({ status: 412, theirs: { title: "theirs", version: 2 } });
    expect(seen.map((request) => request.path)).toEqual([`/api/tasks/${task.id}`, `/api/tasks/${other.id}`]);
    expect(heard).toContainEqual(expect.objectContaining({ type: "refused", theirs: expect.objectContaining({ version: 2 }) }));
    const { states } = withQueued([stored.get(task.id)!], currentWrites(), undefined);
    expect(states.get(task.id)).toMatchObject({ status: "conflict", mine: { title: "my title" }, theirs: { title: "theirs" } });

    // Later changes of that task wait behind the conflict.
    queueUpdate(task, { completed: true }, '"1"');
    await sendQueuedWrites();
    expect(seen).toHaveLength(2);
    expect(nextToSend(currentWrites())).toBeUndefined();
  });

  it("412, apply mine: sent again for the server's version, with a new key", async () => {
    const { task, seen, stored } = await refusedAsChangedElsewhere({ description: "theirs" });

    applyMineAgain(task.id);
    await sendQueuedWrites();

    expect(seen.map((request) => request.ifMatch)).toEqual(['"1"', '"2"']);
    expect(seen[1].key).not.toBe(seen[0].key);
    expect(stored.get(task.id)).toMatchObject({ title: "my title", description: "theirs", version: 3 });
    expect(currentWrites()).toEqual([]);
  });

  it("412, keep theirs: the task's writes go and the list is told the server's version", async () => {
    const { task, seen, stored } = await refusedAsChangedElsewhere({ title: "theirs" });
    const heard = events();

    keepTheirs(task.id);
    await sendQueuedWrites();

    expect(currentWrites()).toEqual([]);
    expect(heard).toContainEqual({ type: "theirs", taskId: task.id, task: expect.objectContaining({ title: "theirs" }) });
    expect(seen).toHaveLength(1);
    expect(stored.get(task.id)?.title).toBe("theirs");
  });

  it("another 4xx: the server's reason stays with the task until the change is dismissed", async () => {
    const task = makeTask({ version: 1 });
    const { seen } = tasksApi([task], (request) =>
      request.method === "PATCH" ? problem(403, "viewers cannot change tasks") : undefined,
    );
    queueUpdate(task, { title: "not allowed" }, '"1"');

    await sendQueuedWrites();
    const { states } = withQueued([task], currentWrites(), undefined);
    expect(states.get(task.id)).toMatchObject({ status: "refused", detail: "Viewers cannot change tasks." });
    await sendQueuedWrites();
    expect(seen).toHaveLength(1);

    dismissRefused(task.id);
    expect(currentWrites()).toEqual([]);
  });

  it("404: an edit of a task deleted elsewhere goes; a delete of one is done", async () => {
    const [edited, deleted] = [makeTask(), makeTask()];
    tasksApi([]);
    const heard = events();
    queueUpdate(edited, { title: "too late" }, '"1"');
    queueDelete(deleted, '"1"');

    await sendQueuedWrites();

    expect(currentWrites()).toEqual([]);
    expect(heard.map((event) => event.type).filter((type) => type !== "queued")).toEqual(["gone", "sent"]);
  });

  it("no answer, 409, 429 or 5xx: the write and those after it wait for a later try", async () => {
    for (const failure of [() => HttpResponse.error(), () => problem(409, "still in progress"), () => problem(503, "down")]) {
      const [first, second] = [makeTask({ version: 1 }), makeTask({ version: 1 })];
      const { seen } = tasksApi([first, second], (request) => (request.path.endsWith(first.id) ? failure() : undefined));
      queueUpdate(first, { priority: 1 }, '"1"');
      queueUpdate(second, { priority: 1 }, '"1"');

      await sendQueuedWrites();

      expect(seen.map((request) => request.path)).toEqual([`/api/tasks/${first.id}`]);
      expect(currentWrites()).toHaveLength(2);
      localStorage.removeItem(STORAGE_KEY);
    }
  });
});

describe("when the queue is sent", () => {
  it("not while the browser is offline; when it comes back online", async () => {
    const task = makeTask();
    const { seen } = tasksApi([task]);
    const online = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    stops.push(startSendingQueuedWrites());
    queueUpdate(task, { priority: 1 }, '"1"');
    await sendQueuedWrites();
    expect(seen).toEqual([]);

    online.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));

    await waitFor(() => expect(seen).toHaveLength(1));
  });

  it("when a request reaches the server again after one did not", async () => {
    const task = makeTask();
    const { seen } = tasksApi([task]);
    server.use(http.get("/api/ping", () => HttpResponse.json({})));
    reportNetworkFailure();
    stops.push(startSendingQueuedWrites());
    expect(seen).toEqual([]);
    // Queued while the server did not answer: the try that finds out is not sent yet here.
    server.use(http.patch("/api/tasks/:id", () => HttpResponse.error(), { once: true }));
    queueUpdate(task, { priority: 1 }, '"1"');
    await sendQueuedWrites();
    expect(currentWrites()).toHaveLength(1);

    await api.get("/ping");

    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(seen.map((request) => request.method)).toEqual(["PATCH"]);
  });
});

describe("whose queue it is", () => {
  it("is read only for the user who made it, and another account logging in forgets it", () => {
    queueUpdate(makeTask(), { title: "Alice's" }, '"1"');
    expect(currentWrites()).toHaveLength(1);

    rememberUser({ id: BOB });

    expect(currentWrites()).toEqual([]);
    rememberUser({ id: ALICE });
    expect(currentWrites()).toEqual([]);
  });

  it("is never sent under another user's session: the session's token is checked, and the queue forgotten", async () => {
    const task = makeTask();
    const { seen } = tasksApi([task]);
    queueUpdate(task, { title: "Alice's change" }, '"1"');
    // The refresh cookie now belongs to Bob (he logged in in another tab).
    clearTokenOnly();
    server.use(http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair(accessTokenOf(BOB)))));

    await sendQueuedWrites();

    expect(seen).toEqual([]);
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("takes a fresh token of the same user when the one held has expired", async () => {
    const task = makeTask();
    const stale = accessTokenOf(ALICE);
    const fresh = `${stale}-renewed`;
    const { seen } = tasksApi([task], (request) =>
      request.authorization === `Bearer ${stale}` ? problem(401, "the access token has expired") : undefined,
    );
    server.use(http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair(fresh))));
    queueUpdate(task, { title: "after the refresh" }, '"1"');

    await sendQueuedWrites();

    expect(seen.map((request) => request.authorization)).toEqual([`Bearer ${stale}`, `Bearer ${fresh}`]);
    expect(seen[1].key).toBe(seen[0].key);
    expect(currentWrites()).toEqual([]);
  });

  it("goes when the session ends", () => {
    queueUpdate(makeTask(), { title: "x" }, '"1"');
    clearAccessToken();
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });
});

/** Drops the access token the client holds and nothing else (a reload does that). */
function clearTokenOnly() {
  acceptTokens({ ...tokenPair(""), access_token: "" });
}
