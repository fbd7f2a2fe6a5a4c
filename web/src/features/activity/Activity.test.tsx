import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { ActivityPage } from "./ActivityPage";
import { ActivityFeed } from "./ActivityFeed";

const item = (n: number, task = "t1") => ({
  id: `a${n}`,
  type: "dev.taskforge.task.updated",
  task_id: task,
  actor_id: "someone",
  summary: `changed “Task ${n}”`,
  time: "2030-01-15T10:00:00Z",
  data: {},
});

describe("the activity feed", () => {
  it("pages through the workspace's activity with next_cursor", async () => {
    const cursors: (string | null)[] = [];
    server.use(
      http.get("/api/activity", ({ request }) => {
        const cursor = new URL(request.url).searchParams.get("cursor");
        cursors.push(cursor);
        return HttpResponse.json(cursor ? { items: [item(3)], next_cursor: null } : { items: [item(1), item(2)], next_cursor: "c2" });
      }),
    );
    renderRoute(<ActivityPage />);
    expect(await screen.findByText(/changed “Task 1”/)).toBeInTheDocument();
    expect(screen.getAllByRole("link", { name: /Open the task of/ })[0]).toHaveAttribute("href", "/tasks/t1");
    await userEvent.click(screen.getByRole("button", { name: "Show older activity" }));
    await waitFor(() => expect(screen.getAllByTestId("activity-item")).toHaveLength(3));
    expect(screen.queryByRole("button", { name: "Show older activity" })).toBeNull();
    expect(cursors).toEqual([null, "c2"]);
  });

  it("shows a task's own activity", async () => {
    const task = makeTask();
    server.use(http.get(`/api/tasks/${task.id}/activity`, () => HttpResponse.json({ items: [item(7, task.id)], next_cursor: null })));
    renderRoute(<ActivityFeed scope={{ taskId: task.id }} label="Activity of this task" />);
    expect(await screen.findByRole("list", { name: "Activity of this task" })).toHaveTextContent("A member changed “Task 7”");
  });

  it("says when nothing has happened yet", async () => {
    server.use(http.get("/api/activity", () => HttpResponse.json({ items: [], next_cursor: null })));
    renderRoute(<ActivityPage />);
    expect(await screen.findByText("Nothing has happened here yet.")).toBeInTheDocument();
  });
});

describe("refreshing the activity", () => {
  it("asks again, since events are recorded a moment after the change", async () => {
    let calls = 0;
    server.use(
      http.get("/api/activity", () => {
        calls += 1;
        return HttpResponse.json(calls === 1 ? { items: [], next_cursor: null } : { items: [item(9)], next_cursor: null });
      }),
    );
    renderRoute(<ActivityPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Refresh the activity" }));
    expect(await screen.findByText(/changed “Task 9”/)).toBeInTheDocument();
  });
});
