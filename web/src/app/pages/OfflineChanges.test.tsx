import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetQueuedWrites } from "../../api/offlineWrites";
import { forgetUser, rememberUser } from "../../api/offlineSession";
import type { AgendaTask } from "../../features/agenda/api";
import { flushPendingDeletes } from "../../features/tasks/pendingDeletes";
import { resetSenderForTests } from "../../features/tasks/sendQueued";
import { currentWrites } from "../../features/tasks/writeQueue";
import { detailSideEndpoints } from "../../test/endpoints";
import { accessTokenOf, makeTask, PERSONAL_WORKSPACE, problem, tokenPair } from "../../test/fixtures";
import { renderFullApp } from "../../test/render";
import { server } from "../../test/server";

const USER = { id: "11111111-1111-4111-8111-111111111111", email: "user@example.com", display_name: "User", created_at: "2030-01-01T00:00:00Z", email_verified: true };
const WORKSPACES = [{ id: PERSONAL_WORKSPACE, name: "Personal", personal: true, role: "owner", created_at: "2030-01-01T00:00:00Z" }];

const agendaTask = (overrides: Partial<AgendaTask>): AgendaTask => ({
  ...makeTask({ due_date: "2030-01-14T10:00:00Z", ...overrides }),
  workspace_name: "Personal",
  workspace_personal: true,
  ...overrides,
});

/**
 * A logged-in user whose today (and list) shows `tasks`: the server keeps them, checks each
 * write's If-Match, and records the writes that reach it. `refuse`: a problem for every PATCH instead.
 */
function signedIn(tasks: AgendaTask[], { refuse }: { refuse?: () => Response } = {}) {
  const stored = new Map(tasks.map((task) => [task.id, task]));
  const writes: string[] = [];
  const reads: string[] = [];
  const answer = (task: AgendaTask) => HttpResponse.json(task, { headers: { ETag: `"${task.version}"` } });
  server.use(
    http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair(accessTokenOf(USER.id)))),
    http.get("/api/auth/me", () => HttpResponse.json(USER)),
    http.get("/api/workspaces", () => HttpResponse.json({ items: WORKSPACES })),
    http.get("/api/stats", () =>
      HttpResponse.json({ total: stored.size, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 })),
    http.get("/api/agenda/counts", () => HttpResponse.json({ timezone: "UTC", today: stored.size, overdue: 0, upcoming: 0, inbox: 0 })),
    http.get("/api/agenda", ({ request }) => {
      reads.push(new URL(request.url).search);
      return HttpResponse.json({ view: "today", timezone: "UTC", today: "2030-01-14", items: [...stored.values()], truncated: false });
    }),
    http.get("/api/tasks", () => HttpResponse.json({ items: [...stored.values()], next_cursor: null })),
    http.get("/api/tasks/:id", ({ params }) => {
      const task = stored.get(String(params.id));
      return task ? answer(task) : problem(404, "no such task");
    }),
    http.patch("/api/tasks/:id", async ({ request, params }) => {
      const body = (await request.json()) as Partial<AgendaTask>;
      writes.push(`PATCH ${String(params.id)} ${JSON.stringify(body)}`);
      const task = stored.get(String(params.id));
      if (!task) return problem(404, "no such task");
      if (refuse) return refuse();
      if (request.headers.get("If-Match") !== `"${task.version}"`) return problem(412, "The task has changed since you read it.");
      const saved = { ...task, ...body, version: task.version + 1 };
      stored.set(saved.id, saved);
      return answer(saved);
    }),
    http.delete("/api/tasks/:id", ({ params }) => {
      writes.push(`DELETE ${String(params.id)}`);
      stored.delete(String(params.id));
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { stored, writes, reads };
}

afterEach(() => {
  resetSenderForTests();
  forgetQueuedWrites();
  forgetUser();
});

const rowOf = (title: string) => screen.queryAllByTestId("agenda-row").find((row) => within(row).queryByText(title, { exact: true }));

/** The server and the user of `signedIn`, then the app at `at` once `ready`, then the browser offline. */
async function openOffline(at: string, ready: () => void, tasks: AgendaTask[], options?: Parameters<typeof signedIn>[1]) {
  const endpoint = signedIn(tasks, options);
  tasks.forEach((task) => detailSideEndpoints(task.id));
  rememberUser({ id: USER.id });
  const app = await renderFullApp(at);
  // The first render of a lazily loaded page can take longer than a find's usual wait on a busy machine.
  await waitFor(ready, { timeout: 15_000 });
  const online = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
  const backOnline = () => {
    online.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
  };
  return { ...endpoint, ...app, backOnline };
}

const openTodayOffline = (tasks: AgendaTask[], options?: Parameters<typeof signedIn>[1]) =>
  openOffline("/today", () => expect(rowOf(tasks[0].title)).toBeDefined(), tasks, options);

describe("Today, offline", () => {
  it("queues a completion (x), shows it at once as waiting, and sends it once when back online", async () => {
    const task = agendaTask({ title: "Feed the cat" });
    const { writes, stored, backOnline } = await openTodayOffline([task, agendaTask({ title: "Pay rent" })]);

    await userEvent.keyboard("jx");

    expect(within(rowOf("Feed the cat")!).getByRole("checkbox", { name: "Completed: Feed the cat" })).toBeChecked();
    expect(within(rowOf("Feed the cat")!).getByText("Waiting to send")).toBeInTheDocument();
    expect(within(rowOf("Pay rent")!).queryByText("Waiting to send")).not.toBeInTheDocument();
    expect(currentWrites()).toMatchObject([{ kind: "update", taskId: task.id, body: { completed: true }, ifMatch: '"1"' }]);
    expect(writes).toEqual([]);

    backOnline();

    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(writes).toEqual([`PATCH ${task.id} {"completed":true}`]);
    expect(stored.get(task.id)).toMatchObject({ completed: true, version: 2 });
    await waitFor(() => expect(within(rowOf("Feed the cat")!).queryByText("Waiting to send")).not.toBeInTheDocument());
    expect(within(rowOf("Feed the cat")!).getByRole("checkbox", { name: "Completed: Feed the cat" })).toBeChecked();
  });

  it("shows a conflict on the row when the task changed elsewhere meanwhile, and keeping theirs shows theirs", async () => {
    const task = agendaTask({ title: "Renew the passport" });
    const { writes, stored, backOnline } = await openTodayOffline([task]);

    await userEvent.click(screen.getByRole("checkbox", { name: "Completed: Renew the passport" }));
    stored.set(task.id, { ...task, title: "Renew the ID card", version: 2 });
    backOnline();

    const conflict = await within(rowOf("Renew the passport")!).findByTestId("queued-conflict");
    const done = within(conflict).getByTestId("queued-conflict-completed");
    expect(within(done).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["Done", "Open"]);
    expect(within(conflict).getByRole("button", { name: "Apply mine" })).toBeInTheDocument();

    await userEvent.click(within(conflict).getByRole("button", { name: "Keep theirs" }));

    await waitFor(() => expect(rowOf("Renew the ID card")).toBeDefined());
    expect(screen.queryByTestId("queued-conflict")).not.toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Completed: Renew the ID card" })).not.toBeChecked();
    expect(currentWrites()).toEqual([]);
    expect(writes).toEqual([`PATCH ${task.id} {"completed":true}`]);
  });

  it("shows the server's reason on the row when it refuses the change, until it is dismissed", async () => {
    const task = agendaTask({ title: "Water the plants" });
    const { backOnline } = await openTodayOffline([task], { refuse: () => problem(422, "A task of an archived workspace cannot change.") });

    await userEvent.click(screen.getByRole("checkbox", { name: "Completed: Water the plants" }));
    backOnline();

    const refused = await within(rowOf("Water the plants")!).findByTestId("queued-refused");
    expect(refused).toHaveTextContent("Your change made offline was not saved: A task of an archived workspace cannot change.");

    await userEvent.click(within(refused).getByRole("button", { name: "Dismiss" }));

    expect(screen.queryByTestId("queued-refused")).not.toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Completed: Water the plants" })).not.toBeChecked();
    expect(currentWrites()).toEqual([]);
  });

  it("queues a delete (#): the task stays hidden when the view is read again, and goes from the server once back online", async () => {
    const [kept, deleted] = [agendaTask({ title: "Call the bank" }), agendaTask({ title: "Cancel the gym" })];
    const { writes, reads, backOnline } = await openTodayOffline([kept, deleted]);

    await userEvent.keyboard("jj#");
    await act(() => flushPendingDeletes());
    expect(currentWrites()).toMatchObject([{ kind: "delete", taskId: deleted.id }]);
    expect(writes).toEqual([]);

    // Read again (the server, or the worker's copy, still has it): the queued delete keeps it off.
    await userEvent.click(screen.getByLabelText("Show completed"));
    await waitFor(() => expect(reads.at(-1)).toContain("completed=true"));
    expect(rowOf("Call the bank")).toBeDefined();
    expect(rowOf("Cancel the gym")).toBeUndefined();

    backOnline();

    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(writes).toEqual([`DELETE ${deleted.id}`]);
    expect(rowOf("Cancel the gym")).toBeUndefined();
  });
});

const openTaskOffline = (task: AgendaTask, options?: Parameters<typeof signedIn>[1]) =>
  openOffline(`/tasks/${task.id}`, () => expect(screen.getByRole("heading", { name: task.title, level: 1 })).toBeInTheDocument(), [task], options);

describe("a task's own page, offline", () => {
  it("queues an edit, shows it as waiting even after a reload, and sends only the changed field once when back online", async () => {
    const task = agendaTask({ title: "Paint the hall", description: "White" });
    const { writes, stored, backOnline, unmount } = await openTaskOffline(task);

    await userEvent.click(screen.getByRole("button", { name: "Edit" }));
    const title = screen.getByLabelText("Title");
    await userEvent.clear(title);
    await userEvent.type(title, "Paint the hall blue");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByRole("heading", { name: "Paint the hall blue", level: 1 })).toBeInTheDocument();
    expect(screen.getByTestId("queued-waiting")).toHaveTextContent("Waiting to send");
    expect(currentWrites()).toMatchObject([{ kind: "update", taskId: task.id, body: { title: "Paint the hall blue" }, ifMatch: '"1"' }]);
    expect(writes).toEqual([]);

    // Opened again offline: the server's (or the worker's) old version, the queued change on top.
    unmount();
    await renderFullApp(`/tasks/${task.id}`);
    expect(await screen.findByRole("heading", { name: "Paint the hall blue", level: 1 })).toBeInTheDocument();
    expect(screen.getByTestId("queued-waiting")).toBeInTheDocument();

    backOnline();

    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(writes).toEqual([`PATCH ${task.id} {"title":"Paint the hall blue"}`]);
    expect(stored.get(task.id)).toMatchObject({ title: "Paint the hall blue", description: "White", version: 2 });
    await waitFor(() => expect(screen.queryByTestId("queued-waiting")).not.toBeInTheDocument());
    expect(screen.getByRole("heading", { name: "Paint the hall blue", level: 1 })).toBeInTheDocument();
  });

  it("queues a completion; changed elsewhere meanwhile, it shows the conflict, and applying mine sends it for their version", async () => {
    const task = agendaTask({ title: "Renew the passport" });
    const { writes, stored, backOnline } = await openTaskOffline(task);

    await userEvent.click(screen.getByRole("button", { name: "Mark as done" }));
    expect(await screen.findByRole("button", { name: "Mark as open" })).toBeInTheDocument();
    expect(screen.getByTestId("queued-waiting")).toBeInTheDocument();
    stored.set(task.id, { ...task, title: "Renew the ID card", version: 2 });
    backOnline();

    const conflict = await screen.findByTestId("queued-conflict");
    expect(within(within(conflict).getByTestId("queued-conflict-completed")).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["Done", "Open"]);
    // Their version, with my change on top.
    expect(screen.getByRole("heading", { name: "Renew the ID card", level: 1 })).toBeInTheDocument();

    await userEvent.click(within(conflict).getByRole("button", { name: "Apply mine" }));

    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(writes).toEqual([`PATCH ${task.id} {"completed":true}`, `PATCH ${task.id} {"completed":true}`]);
    expect(stored.get(task.id)).toMatchObject({ title: "Renew the ID card", completed: true, version: 3 });
    await waitFor(() => expect(screen.queryByTestId("queued-conflict")).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Mark as open" })).toBeInTheDocument();
  });

  it("shows the server's reason when it refuses the queued edit, until it is dismissed", async () => {
    const task = agendaTask({ title: "Fix the fence" });
    const { backOnline } = await openTaskOffline(task, { refuse: () => problem(422, "A task of an archived workspace cannot change.") });

    await userEvent.click(screen.getByRole("button", { name: "Mark as done" }));
    backOnline();

    const refused = await screen.findByTestId("queued-refused");
    expect(refused).toHaveTextContent("Your change made offline was not saved: A task of an archived workspace cannot change.");
    await userEvent.click(within(refused).getByRole("button", { name: "Dismiss" }));

    expect(screen.queryByTestId("queued-refused")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Mark as done" })).toBeInTheDocument();
    expect(currentWrites()).toEqual([]);
  });

  it("queues a delete: the page says so if it is opened again before the delete is sent", async () => {
    const task = agendaTask({ title: "Cancel the gym" });
    const { writes, router, backOnline } = await openTaskOffline(task);

    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    await act(() => flushPendingDeletes());
    expect(currentWrites()).toMatchObject([{ kind: "delete", taskId: task.id }]);

    await act(() => router.navigate(`/tasks/${task.id}`));
    expect(await screen.findByRole("heading", { name: "Deleted while offline", level: 1 })).toBeInTheDocument();
    expect(writes).toEqual([]);

    backOnline();
    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(writes).toEqual([`DELETE ${task.id}`]);
  });
});

const listRowOf = (title: string) => screen.queryAllByTestId("task-row").find((row) => within(row).queryByText(title, { exact: true }));

async function openListOffline(tasks: AgendaTask[]) {
  const opened = await openOffline("/", () => expect(listRowOf(tasks[0].title)).toBeDefined(), tasks);
  for (const task of tasks) await userEvent.click(screen.getByRole("checkbox", { name: `Select “${task.title}”` }));
  return opened;
}

describe("the selection bar, offline", () => {
  it("queues Complete as one change per task, each waiting on its row, sent each once; a conflict shows on its own row", async () => {
    const tasks = [agendaTask({ title: "Feed the cat" }), agendaTask({ title: "Water the plants", version: 4 })];
    const { writes, stored, backOnline } = await openListOffline(tasks);

    await userEvent.click(within(screen.getByTestId("selection-bar")).getByRole("button", { name: "Complete" }));

    for (const task of tasks) {
      expect(within(listRowOf(task.title)!).getByText("Waiting to send")).toBeInTheDocument();
      expect(screen.getByRole("checkbox", { name: `Completed: ${task.title}` })).toBeChecked();
    }
    expect(currentWrites()).toMatchObject([
      { kind: "update", taskId: tasks[0].id, body: { completed: true }, ifMatch: '"1"' },
      { kind: "update", taskId: tasks[1].id, body: { completed: true }, ifMatch: '"4"' },
    ]);
    expect(screen.queryByTestId("selection-bar")).not.toBeInTheDocument();
    expect(writes).toEqual([]);

    stored.set(tasks[1].id, { ...tasks[1], title: "Water the herbs", version: 5 });
    backOnline();

    const conflict = await within(listRowOf("Water the plants")!).findByTestId("queued-conflict");
    expect(within(conflict).getByRole("button", { name: "Keep theirs" })).toBeInTheDocument();
    await waitFor(() => expect(within(listRowOf("Feed the cat")!).queryByText("Waiting to send")).not.toBeInTheDocument());
    expect(writes).toEqual(tasks.map((task) => `PATCH ${task.id} {"completed":true}`));
    expect(tasks.map((task) => stored.get(task.id)?.completed)).toEqual([true, false]);
    expect(currentWrites()).toMatchObject([{ taskId: tasks[1].id, problem: { status: 412 } }]);
  });

  it("queues Delete, once its Undo is over, as one delete per task", async () => {
    const tasks = [agendaTask({ title: "Cancel the gym" }), agendaTask({ title: "Cancel the paper" })];
    const { writes, backOnline } = await openListOffline(tasks);

    await userEvent.click(within(screen.getByTestId("selection-bar")).getByRole("button", { name: "Delete" }));
    await act(() => flushPendingDeletes());

    expect(currentWrites()).toMatchObject(tasks.map((task) => ({ kind: "delete", taskId: task.id, ifMatch: '"1"' })));
    expect(tasks.map((task) => listRowOf(task.title))).toEqual([undefined, undefined]);
    expect(writes).toEqual([]);

    backOnline();

    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(writes).toEqual(tasks.map((task) => `DELETE ${task.id}`));
  });
});
