import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetQueuedWrites } from "../api/offlineWrites";
import { forgetUser, rememberUser } from "../api/offlineSession";
import { currentWrites } from "../features/tasks/writeQueue";
import { resetSenderForTests } from "../features/tasks/sendQueued";
import { accessTokenOf, makeTask, PERSONAL_WORKSPACE, tokenPair } from "../test/fixtures";
import { renderFullApp } from "../test/render";
import { server } from "../test/server";
import type { Task } from "../types/task";

const USER = { id: "11111111-1111-4111-8111-111111111111", email: "user@example.com", display_name: "User", created_at: "2030-01-01T00:00:00Z", email_verified: true };
const WORKSPACES = [{ id: PERSONAL_WORKSPACE, name: "Personal", personal: true, role: "owner", created_at: "2030-01-01T00:00:00Z" }];

/** A logged-in user with an empty list; what the server is sent is recorded, and it keeps what it makes. */
function signedIn({ loseFirstAnswer = false } = {}) {
  const tasks: Task[] = [];
  const tags: { id: string; name: string; color: string }[] = [];
  const writes: string[] = [];
  const keys: (string | null)[] = [];
  server.use(
    http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair(accessTokenOf(USER.id)))),
    http.get("/api/auth/me", () => HttpResponse.json(USER)),
    http.get("/api/workspaces", () => HttpResponse.json({ items: WORKSPACES })),
    http.get("/api/agenda/counts", () => HttpResponse.json({ timezone: "UTC", today: 0, overdue: 0, upcoming: 0, inbox: 0 })),
    http.get("/api/stats", () =>
      HttpResponse.json({ total: tasks.length, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 })),
    http.get("/api/tasks", () => HttpResponse.json({ items: tasks, next_cursor: null })),
    http.get("/api/tags", () => HttpResponse.json({ items: tags })),
    http.post("/api/tasks", async ({ request }) => {
      writes.push("POST /api/tasks");
      const key = request.headers.get("Idempotency-Key");
      keys.push(key);
      // The same key again: the task made the first time, as the API's idempotency answers.
      const task = keys.indexOf(key) < keys.length - 1 ? tasks[0] : makeTask({ ...((await request.json()) as Partial<Task>), id: "99999999-0000-4000-8000-000000000001" });
      if (!tasks.includes(task)) tasks.push(task);
      if (loseFirstAnswer && keys.length === 1) return HttpResponse.error(); // made, but the answer is lost
      return HttpResponse.json(task, { status: 201, headers: { ETag: '"1"' } });
    }),
    http.post("/api/tags", async ({ request }) => {
      writes.push("POST /api/tags");
      const tag = { id: "t-family", name: ((await request.json()) as { name: string }).name, color: "#0a58ca" };
      tags.push(tag);
      return HttpResponse.json(tag, { status: 201 });
    }),
    http.put("/api/tasks/:id/tags/:tagId", ({ params }) => {
      writes.push(`PUT tag ${String(params.tagId)}`);
      const task = tasks.find((candidate) => candidate.id === params.id)!;
      Object.assign(task, { tags: tags.filter((tag) => tag.id === params.tagId), version: 2 });
      return HttpResponse.json(task, { headers: { ETag: '"2"' } });
    }),
  );
  return { tasks, writes, keys };
}

afterEach(() => {
  resetSenderForTests();
  forgetQueuedWrites();
  forgetUser();
});

const rowOf = (title: string) => screen.getAllByTestId("task-row").find((row) => within(row).queryByText(title, { exact: true }));

describe("quick add offline", () => {
  it("queues the task, shows it on the list as waiting, and sends it with its tag once back online", async () => {
    const { tasks, writes } = signedIn();
    rememberUser({ id: USER.id });
    await renderFullApp("/");
    await screen.findByText(/no tasks/i);
    const online = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);

    await userEvent.keyboard("q");
    await userEvent.type(await screen.findByRole("textbox", { name: "Task, in one line" }), "Call mom tomorrow 5pm p1 #family{Enter}");

    const row = await waitFor(() => rowOf("Call mom")!);
    expect(within(row).getByText("Waiting to send")).toBeInTheDocument();
    expect(within(row).getByText("family")).toBeInTheDocument();
    expect(currentWrites()).toMatchObject([{ kind: "create", tags: ["family"], body: { title: "Call mom", priority: 1 } }]);
    expect(writes).toEqual([]);

    online.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));

    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(writes).toEqual(["POST /api/tasks", "POST /api/tags", "PUT tag t-family"]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ title: "Call mom", priority: 1, tags: [{ name: "family" }] });
    expect(tasks[0].due_date).toEqual(expect.any(String));
    await waitFor(() => expect(within(rowOf("Call mom")!).queryByText("Waiting to send")).not.toBeInTheDocument());
    expect(within(rowOf("Call mom")!).getByText("family")).toBeInTheDocument();
  });

  it("an add whose answer is lost is queued with its key: sent again, the task is made once", async () => {
    const { tasks, keys } = signedIn({ loseFirstAnswer: true });
    rememberUser({ id: USER.id });
    await renderFullApp("/");
    await screen.findByText(/no tasks/i);

    await userEvent.keyboard("q");
    await userEvent.type(await screen.findByRole("textbox", { name: "Task, in one line" }), "Renew the passport p2{Enter}");

    await waitFor(() => expect(currentWrites()).toEqual([]));
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(tasks.map((task) => task.title)).toEqual(["Renew the passport"]);
    await waitFor(() => expect(rowOf("Renew the passport")).toBeDefined());
  });
});
