import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { forgetStoredLists } from "../../lib/revalidate/etagStore";
import { CHANNEL_NAME } from "../../lib/revalidate/scheduler";
import { makeTask, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { TasksView } from "./TasksView";
import type { Task } from "../../types/task";

/** GET /api/tasks with an ETag per version of the list, answering 304 to the current one. */
function versionedList(first: Task[]) {
  const state = { version: 1, items: first, asked: [] as (string | null)[] };
  server.use(
    http.get("/api/tasks", ({ request }) => {
      const sent = request.headers.get("If-None-Match");
      state.asked.push(sent);
      const etag = `"list-${state.version}"`;
      if (sent === etag) return new HttpResponse(null, { status: 304, headers: { ETag: etag } });
      return HttpResponse.json({ items: state.items, next_cursor: null }, { headers: { ETag: etag } });
    }),
  );
  return {
    state,
    change: (items: Task[]) => {
      state.version += 1;
      state.items = items;
    },
  };
}

// The scheduler lets a second apart reads of one list; the tests move the clock on instead of waiting.
let clock = Date.now();
beforeEach(() => {
  clock = Date.now();
  vi.spyOn(Date, "now").mockImplementation(() => clock);
});
afterEach(() => forgetStoredLists());

function later(ms = 5_000) {
  clock += ms;
}

describe("the task list stays current", () => {
  it("reads again when the window gets the focus back, asking with its ETag, and keeps what it shows on a 304", async () => {
    const walk = makeTask({ title: "Walk the dog" });
    const list = versionedList([walk]);
    renderRoute(<TasksView tags={[]} />);
    expect(await screen.findByRole("link", { name: "Walk the dog" })).toBeInTheDocument();

    later();
    act(() => void window.dispatchEvent(new Event("focus")));
    await waitFor(() => expect(list.state.asked).toEqual([null, '"list-1"']));
    expect(screen.getByRole("link", { name: "Walk the dog" })).toBeInTheDocument();

    // Someone else adds a task.
    list.change([makeTask({ title: "Feed the cat" }), walk]);
    later();
    act(() => void window.dispatchEvent(new Event("focus")));
    expect(await screen.findByRole("link", { name: "Feed the cat" })).toBeInTheDocument();
    expect(list.state.asked).toEqual([null, '"list-1"', '"list-1"']);
    expect(screen.getAllByTestId("task-row")).toHaveLength(2);
  });

  it("reads again when another tab of this browser says it changed something", async () => {
    const list = versionedList([makeTask({ title: "Water the plants" })]);
    renderRoute(<TasksView tags={[]} />);
    await screen.findByRole("link", { name: "Water the plants" });

    list.change([]);
    later();
    const otherTab = new BroadcastChannel(CHANNEL_NAME);
    try {
      otherTab.postMessage("changed");
      await waitFor(() => expect(screen.queryByRole("link", { name: "Water the plants" })).toBeNull());
    } finally {
      otherTab.close();
    }
    expect(await screen.findByText(/No tasks yet/)).toBeInTheDocument();
  });

  it("drops a task deleted elsewhere when it is ticked, saying why, instead of failing", async () => {
    const gone = makeTask({ title: "Return the books" });
    versionedList([gone, makeTask({ title: "Stays" })]);
    server.use(http.patch(`/api/tasks/${gone.id}`, () => problem(404, "no such task")));
    renderRoute(<TasksView tags={[]} />);
    await userEvent.click(await screen.findByRole("checkbox", { name: "Completed: Return the books" }));

    expect(await screen.findByText("“Return the books” was deleted elsewhere.")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Return the books" })).toBeNull();
    expect(screen.getByRole("link", { name: "Stays" })).toBeInTheDocument();
    expect(screen.queryByText(/no such task/i)).toBeNull();
  });
});
