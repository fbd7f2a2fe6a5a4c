import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { makeTask } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { ActivityPage } from "./ActivityPage";
import { ActivityFeed } from "./ActivityFeed";
import { mergeNewest } from "./merge";

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
  it("offers no task to open for a workspace's own event (a member joined)", async () => {
    server.use(
      http.get("/api/activity", () =>
        HttpResponse.json({
          items: [{ ...item(1), type: "dev.taskforge.member.joined", task_id: null, summary: "joined the workspace" }, item(2)],
          next_cursor: null,
        }),
      ),
    );
    renderRoute(<ActivityPage />);
    expect(await screen.findByText(/joined the workspace/)).toBeInTheDocument();
    expect(screen.getAllByRole("link", { name: /Open the task of/ })).toHaveLength(1);
  });

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

describe("the activity staying current", () => {
  it("puts new entries on top when the page revalidates, and says which tasks were deleted since", async () => {
    let calls = 0;
    server.use(
      http.get("/api/activity", () => {
        calls += 1;
        return HttpResponse.json(
          calls === 1
            ? { items: [item(1, "t1"), item(2, "t2")], next_cursor: null }
            : { items: [{ ...item(3, "t1"), task_deleted: true }, { ...item(1, "t1"), task_deleted: true }, item(2, "t2")], next_cursor: null },
        );
      }),
    );
    renderRoute(<ActivityPage />);
    expect(await screen.findByText(/changed “Task 1”/)).toBeInTheDocument();
    expect(screen.getAllByRole("link", { name: /Open the task of/ })).toHaveLength(2);

    let clock = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => clock);
    await waitFor(() => {
      clock += 5_000;
      act(() => void window.dispatchEvent(new Event("focus")));
      expect(screen.getAllByTestId("activity-item")).toHaveLength(3);
    });
    const entries = screen.getAllByTestId("activity-item");
    expect(entries[0]).toHaveTextContent("changed “Task 3”");
    expect(within(entries[0]).getByText("Task deleted")).toBeInTheDocument();
    expect(within(entries[1]).queryByRole("link")).toBeNull();
    expect(within(entries[2]).getByRole("link", { name: /Open the task of/ })).toHaveAttribute("href", "/tasks/t2");
  });

  it("merges a first page read again over a longer feed", () => {
    const shown = [item(3), item(2), item(1)];
    expect(mergeNewest(shown, [item(5), item(4), item(3)]).map((entry) => entry.id)).toEqual(["a5", "a4", "a3", "a2", "a1"]);
    expect(mergeNewest(shown, [{ ...item(2), task_deleted: true }])[1].task_deleted).toBe(true);
  });
});
