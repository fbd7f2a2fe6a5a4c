import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { forgetQueuedWrites } from "../../api/offlineWrites";
import { forgetUser, rememberUser } from "../../api/offlineSession";
import { makeTask } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import type { Task } from "../../types/task";
import { TasksView } from "./TasksView";
import { currentWrites, markRefused, markSent, queueUpdate } from "./writeQueue";

/** The list answers `tasks`; every write that reaches the server is counted. */
function tasksEndpoint(tasks: Task[]) {
  const writes: string[] = [];
  server.use(
    http.get("/api/tasks", () => HttpResponse.json({ items: tasks, next_cursor: null })),
    http.all("/api/tasks*", ({ request }) => {
      writes.push(`${request.method} ${new URL(request.url).pathname}`);
      return HttpResponse.json({});
    }),
  );
  return writes;
}

const rowOf = (title: string) => screen.getAllByTestId("task-row").find((row) => within(row).queryByText(title, { exact: true }));

beforeEach(() => rememberUser({ id: "11111111-1111-4111-8111-111111111111" }));
afterEach(() => {
  forgetQueuedWrites();
  forgetUser();
});

describe("tasks changed offline, on the list", () => {
  it("queues a completion made offline, marks the task, and sends nothing", async () => {
    vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    const writes = tasksEndpoint([makeTask({ title: "Feed the cat" })]);
    renderRoute(<TasksView tags={[]} />);

    await userEvent.click(await screen.findByRole("checkbox", { name: "Completed: Feed the cat" }));

    expect(screen.getByRole("checkbox", { name: "Completed: Feed the cat" })).toBeChecked();
    expect(within(rowOf("Feed the cat")!).getByText("Waiting to send")).toBeInTheDocument();
    expect(screen.getByTestId("queued-count")).toHaveTextContent("1 change made offline is not saved yet.");
    expect(currentWrites()).toMatchObject([{ kind: "update", body: { completed: true }, ifMatch: '"1"' }]);
    expect(writes).toEqual([]);
  });

  it("shows a conflict on its task's row, both versions, and keeping theirs shows theirs", async () => {
    const task = makeTask({ title: "Renew the passport", version: 1 });
    const theirs = { ...task, title: "Renew the ID card", version: 2 };
    queueUpdate(task, { title: "Renew the passport soon" }, '"1"');
    markSent(currentWrites()[0]);
    markRefused(currentWrites()[0], { status: 412, detail: "The task has changed.", theirs });
    const writes = tasksEndpoint([task]);
    renderRoute(<TasksView tags={[]} />);

    const conflict = await screen.findByTestId("queued-conflict");
    const title = within(conflict).getByTestId("queued-conflict-title");
    expect(within(title).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["Renew the passport soon", "Renew the ID card"]);
    expect(within(conflict).getByRole("button", { name: "Apply mine" })).toBeInTheDocument();

    await userEvent.click(within(conflict).getByRole("button", { name: "Keep theirs" }));

    expect(screen.queryByTestId("queued-conflict")).not.toBeInTheDocument();
    expect(rowOf("Renew the ID card")).toBeDefined();
    expect(currentWrites()).toEqual([]);
    expect(writes).toEqual([]);
  });
});
