import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeTask, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { flushPendingDeletes } from "./pendingDeletes";
import { TasksView } from "./TasksView";
import type { Task } from "../../types/task";

const TAGS = [{ id: "tag-home", name: "home", color: "#ffc107" }];

function listing(items: Task[]) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get("/api/tasks", ({ request }) => {
      queries.push(new URL(request.url).searchParams);
      return HttpResponse.json({ items, next_cursor: null });
    }),
  );
  return queries;
}

// jsdom lays nothing out: each row gets a 50-pixel slot by its place, so that dnd-kit's keyboard
// moves find the row above or below.
beforeEach(() => {
  vi.spyOn(Element.prototype, "getBoundingClientRect").mockImplementation(function (this: Element) {
    const row = this.closest('[data-testid="task-row"]');
    const top = row?.parentElement ? [...row.parentElement.children].indexOf(row) * 50 : 0;
    return { x: 0, y: top, top, left: 0, right: 400, bottom: top + 50, width: 400, height: 50, toJSON: () => ({}) } as DOMRect;
  });
});

const titles = () => screen.getAllByTestId("task-row").map((row) => within(row).getByRole("link").textContent);

describe("manual order", () => {
  it("offers Manual in the sort, which lists by position from the top", async () => {
    const queries = listing([]);
    renderRoute(<TasksView tags={[]} />);
    await screen.findByText(/No tasks yet/);
    await userEvent.selectOptions(screen.getByLabelText("Sort by"), "Manual");
    await waitFor(() => expect(queries.at(-1)?.get("sort")).toBe("position"));
    expect(queries.at(-1)?.get("order")).toBe("asc");
  });

  it("moves a task with the keyboard in one PATCH after its new upper neighbour, announcing each step", async () => {
    const [a, b, c] = [makeTask({ title: "A" }), makeTask({ title: "B" }), makeTask({ title: "C" })];
    listing([a, b, c]);
    const bodies: unknown[] = [];
    const preconditions: (string | null)[] = [];
    server.use(
      http.patch("/api/tasks/:id", async ({ request }) => {
        bodies.push(await request.json());
        preconditions.push(request.headers.get("If-Match"));
        return HttpResponse.json({ ...b, version: 2, position: "Zz" }, { headers: { ETag: '"2"' } });
      }),
    );
    renderRoute(<TasksView tags={[]} />, { at: "/?sort=position&order=asc" });
    const handle = await screen.findByRole("button", { name: "Move “B”" });
    // The handle is described by the instructions dnd-kit keeps for screen readers.
    expect(handle).toHaveAttribute("aria-roledescription", "sortable");
    await waitFor(() => expect(document.body).toHaveTextContent(/press Space or Enter on its handle/));

    handle.focus();
    await userEvent.keyboard("[Space]");
    await userEvent.keyboard("[ArrowUp]");
    await screen.findByText(/“B” is over place 1 of 3/);
    await userEvent.keyboard("[Space]");
    await screen.findByText(/Dropped “B” at place 1 of 3/);
    await waitFor(() => expect(bodies).toEqual([{ after: null }]));
    expect(preconditions).toEqual([`"${b.version}"`]); // the version the list showed
    await waitFor(() => expect(titles()).toEqual(["B", "A", "C"]));
  });

  it("takes a refused move back and says why; Escape cancels a move without a request", async () => {
    const [a, b, c] = [makeTask({ title: "A" }), makeTask({ title: "B" }), makeTask({ title: "C" })];
    listing([a, b, c]);
    const bodies: unknown[] = [];
    server.use(
      http.patch("/api/tasks/:id", async ({ request }) => {
        bodies.push(await request.json());
        return problem(412, "the task has changed since you read it; reload it and try again");
      }),
    );
    renderRoute(<TasksView tags={[]} />, { at: "/?sort=position&order=asc" });
    const handle = await screen.findByRole("button", { name: "Move “A”" });
    handle.focus();
    await userEvent.keyboard("[Space]");
    await userEvent.keyboard("[ArrowDown]");
    await userEvent.keyboard("[Escape]");
    await screen.findByText(/Moving “A” was cancelled/);
    expect(bodies).toEqual([]);

    handle.focus();
    await userEvent.keyboard("[Space]");
    await userEvent.keyboard("[ArrowDown]");
    await userEvent.keyboard("[Space]");
    await waitFor(() => expect(bodies).toEqual([{ after: b.id }]));
    expect(await screen.findByText(/Could not move “A”.*changed since you read it/)).toBeInTheDocument();
    expect(titles()).toEqual(["A", "B", "C"]);
  });
});

describe("many at once", () => {
  it("selects a range with Shift, completes it in one request and shows a refused item on its row", async () => {
    const tasks = ["A", "B", "C", "D"].map((title) => makeTask({ title }));
    listing(tasks);
    const batches: { items: { id: string; if_match: string | null; changes: unknown }[] }[] = [];
    server.use(
      http.patch("/api/tasks", async ({ request }) => {
        const body = (await request.json()) as (typeof batches)[number];
        batches.push(body);
        const items = body.items.map((item) =>
          item.id === tasks[1].id
            ? { id: item.id, status: 412, problem: { status: 412, title: "Precondition Failed", detail: "the task has changed since you read it" } }
            : { id: item.id, status: 200, etag: '"2"', task: { ...tasks.find((task) => task.id === item.id)!, completed: true, version: 2 } },
        );
        return HttpResponse.json({ items }, { status: 207 });
      }),
    );
    renderRoute(<TasksView tags={TAGS} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("checkbox", { name: "Select “A”" }));
    await user.keyboard("{Shift>}");
    await user.click(screen.getByRole("checkbox", { name: "Select “C”" }));
    await user.keyboard("{/Shift}");
    const bar = screen.getByTestId("selection-bar");
    expect(within(bar).getByText("3 tasks selected")).toBeInTheDocument();

    await userEvent.click(within(bar).getByRole("button", { name: "Complete" }));
    await waitFor(() => expect(batches).toHaveLength(1));
    // Each item is conditional on the version the list showed.
    expect(batches[0].items).toEqual(
      [tasks[0], tasks[1], tasks[2]].map((task) => ({ id: task.id, if_match: `"${task.version}"`, changes: { completed: true } })),
    );
    const rows = screen.getAllByTestId("task-row");
    expect(await within(rows[1]).findByTestId("row-failure")).toHaveTextContent("changed since you read it");
    expect(within(rows[0]).getByRole("checkbox", { name: "Completed: A" })).toBeChecked();
    expect(within(rows[1]).getByRole("checkbox", { name: "Completed: B" })).not.toBeChecked();
    // Only the refused task stays selected, to try again.
    expect(screen.getByText("1 task selected")).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Select “B”" })).toBeChecked();
  });

  it("tags the selection with one request", async () => {
    const tasks = ["A", "B"].map((title) => makeTask({ title }));
    listing(tasks);
    const changes: unknown[] = [];
    server.use(
      http.patch("/api/tasks", async ({ request }) => {
        const body = (await request.json()) as { items: { id: string; changes: Record<string, unknown> }[] };
        changes.push(body.items.map((item) => item.changes));
        const items = body.items.map((item) => ({
          id: item.id,
          status: 200,
          etag: '"2"',
          task: { ...tasks.find((task) => task.id === item.id)!, tags: TAGS, version: 2 },
        }));
        return HttpResponse.json({ items });
      }),
    );
    renderRoute(<TasksView tags={TAGS} />);
    await userEvent.click(await screen.findByRole("checkbox", { name: "Select “A”" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select “B”" }));
    const bar = screen.getByTestId("selection-bar");
    await userEvent.selectOptions(within(bar).getByLabelText("Tag with"), "home");
    await userEvent.click(within(bar).getByRole("button", { name: "Tag" }));
    await waitFor(() => expect(changes).toEqual([[{ add_tags: ["tag-home"] }, { add_tags: ["tag-home"] }]]));
    await waitFor(() => expect(screen.getAllByTestId("task-row").filter((row) => within(row).queryByText("home"))).toHaveLength(2));
    expect(screen.queryByTestId("selection-bar")).toBeNull();
  });

  it("deletes the selection with one undo, then in one request; a refused task comes back with why", async () => {
    const tasks = ["A", "B", "C"].map((title) => makeTask({ title }));
    listing(tasks);
    const deletes: string[][] = [];
    server.use(
      http.delete("/api/tasks", async ({ request }) => {
        const body = (await request.json()) as { items: { id: string }[] };
        deletes.push(body.items.map((item) => item.id));
        return HttpResponse.json(
          {
            items: body.items.map((item) =>
              item.id === tasks[0].id
                ? { id: item.id, status: 403, problem: { status: 403, title: "Forbidden", detail: "viewers cannot change tasks" } }
                : { id: item.id, status: 204 },
            ),
          },
          { status: 207 },
        );
      }),
    );
    renderRoute(<TasksView tags={[]} />);
    await userEvent.click(await screen.findByRole("checkbox", { name: "Select “A”" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select “B”" }));
    await userEvent.click(within(screen.getByTestId("selection-bar")).getByRole("button", { name: "Delete" }));
    expect(titles()).toEqual(["C"]);
    await userEvent.click(await screen.findByRole("button", { name: "Undo" }));
    await waitFor(() => expect(titles()).toEqual(["A", "B", "C"]));
    expect(deletes).toEqual([]);

    await userEvent.click(screen.getByRole("checkbox", { name: "Select “A”" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select “B”" }));
    await userEvent.click(within(screen.getByTestId("selection-bar")).getByRole("button", { name: "Delete" }));
    await act(() => flushPendingDeletes());
    expect(deletes).toEqual([[tasks[0].id, tasks[1].id]]);
    await waitFor(() => expect(titles()).toEqual(["A", "C"]));
    expect(within(screen.getAllByTestId("task-row")[0]).getByTestId("row-failure")).toHaveTextContent("viewers cannot");
  });
});
