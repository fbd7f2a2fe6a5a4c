import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { flushPendingDeletes } from "./pendingDeletes";
import { TasksView } from "./TasksView";
import type { Task } from "../../types/task";

const TAGS = [
  { id: "tag-work", name: "work", color: "#0d6efd" },
  { id: "tag-home", name: "home", color: "#ffc107" },
];

/** GET /api/tasks answering from `pages` by cursor, recording every query it was asked. */
function taskListEndpoint(pages: Record<string, { items: Task[]; next_cursor: string | null }>) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get("/api/tasks", ({ request }) => {
      const params = new URL(request.url).searchParams;
      queries.push(params);
      return HttpResponse.json(pages[params.get("cursor") ?? ""] ?? { items: [], next_cursor: null });
    }),
  );
  return queries;
}

describe("the task list", () => {
  it("builds the query from the filters, and searches as you type, debounced", async () => {
    const queries = taskListEndpoint({});
    renderRoute(<TasksView tags={TAGS} />);
    await screen.findByText(/No tasks yet/);
    expect(Object.fromEntries(queries[0])).toEqual({ limit: "20", sort: "created_at", order: "desc" });

    await userEvent.selectOptions(screen.getByLabelText("Status"), "Done");
    await userEvent.selectOptions(screen.getByLabelText("Priority"), "High");
    await userEvent.selectOptions(screen.getByLabelText("Sort by"), "Due date");
    await userEvent.selectOptions(screen.getByLabelText("Order"), "Ascending");
    await waitFor(() => expect(queries.at(-1)?.get("order")).toBe("asc"));
    const before = queries.length;

    await userEvent.type(screen.getByRole("searchbox", { name: "Search tasks" }), "groc");
    await waitFor(() => expect(queries.at(-1)?.get("q")).toBe("groc"));
    // One request for the whole word, not one per keystroke.
    expect(queries.length).toBe(before + 1);
    expect(Object.fromEntries(queries.at(-1)!)).toEqual({
      limit: "20",
      sort: "due_date",
      order: "asc",
      completed: "true",
      priority: "1",
      q: "groc",
    });
  });

  it("filters by tags (all of them, as repeated tag parameters) and shows tags and checklist progress", async () => {
    const tagged = makeTask({
      title: "Tagged",
      tags: [{ id: "tag-work", name: "work", color: "#0d6efd" }],
      checklist_progress: { done: 1, total: 3 },
    });
    const queries = taskListEndpoint({ "": { items: [tagged], next_cursor: null } });
    const { router } = renderRoute(<TasksView tags={TAGS} />);
    const row = await screen.findByTestId("task-row");
    expect(within(row).getByText("work")).toBeInTheDocument();
    expect(within(row).getByLabelText("Checklist: 1 of 3 done")).toHaveTextContent("1/3");

    const group = await screen.findByRole("group", { name: /Filter by tags/ });
    await userEvent.click(within(group).getByRole("button", { name: "work" }));
    await userEvent.click(within(group).getByRole("button", { name: "home" }));
    await waitFor(() => expect(queries.at(-1)?.getAll("tag")).toEqual(["tag-work", "tag-home"]));
    expect(within(group).getByRole("button", { name: /work/ })).toHaveAttribute("aria-pressed", "true");
    expect(router.state.location.search).toBe("?tag=tag-work&tag=tag-home");

    await userEvent.click(within(group).getByRole("button", { name: /work/ }));
    await waitFor(() => expect(queries.at(-1)?.getAll("tag")).toEqual(["tag-home"]));
  });

  it("loads the next page with the cursor", async () => {
    const first = [makeTask({ title: "First" })];
    const second = [makeTask({ title: "Second" })];
    const queries = taskListEndpoint({
      "": { items: first, next_cursor: "page-2" },
      "page-2": { items: second, next_cursor: null },
    });
    renderRoute(<TasksView tags={TAGS} />);
    await screen.findByText("First");

    await userEvent.click(screen.getByRole("button", { name: "Load more tasks" }));

    await screen.findByText("Second");
    expect(queries.at(-1)?.get("cursor")).toBe("page-2");
    expect(screen.getByText(/2 tasks, that is all/)).toBeInTheDocument();
  });

  it("ticks a task at once and takes it back when the server refuses", async () => {
    const task = makeTask({ title: "Water the plants" });
    taskListEndpoint({ "": { items: [task], next_cursor: null } });
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    server.use(
      http.patch(`/api/tasks/${task.id}`, async () => {
        await answered;
        return problem(503, "the database is unavailable; retry shortly", {}, { "Retry-After": "5" });
      }),
    );
    renderRoute(<TasksView tags={TAGS} />);
    const checkbox = await screen.findByRole("checkbox", { name: "Completed: Water the plants" });

    await userEvent.click(checkbox);
    expect(checkbox).toBeChecked();

    answer();
    await waitFor(() => expect(checkbox).not.toBeChecked());
    expect(await screen.findByText(/the database is unavailable; retry shortly\. Try again in 5 seconds/i)).toBeInTheDocument();
  });

  it("keeps the server's version of a task it ticked", async () => {
    const task = makeTask({ title: "Pay rent" });
    taskListEndpoint({ "": { items: [task], next_cursor: null } });
    let sent: unknown;
    server.use(
      http.patch(`/api/tasks/${task.id}`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ ...task, completed: true, completed_at: "2030-01-15T11:00:00Z" }, { headers: { ETag: '"2"' } });
      }),
    );
    renderRoute(<TasksView tags={TAGS} />);
    await userEvent.click(await screen.findByRole("checkbox", { name: "Completed: Pay rent" }));
    await waitFor(() => expect(sent).toEqual({ completed: true }));
    expect(screen.getByRole("checkbox", { name: "Completed: Pay rent" })).toBeChecked();
  });

  it("deletes with undo: undo brings the task back and nothing is sent", async () => {
    const task = makeTask({ title: "Call the bank" });
    taskListEndpoint({ "": { items: [task], next_cursor: null } });
    renderRoute(<TasksView tags={TAGS} />);

    await userEvent.click(await screen.findByRole("button", { name: "Delete “Call the bank”" }));
    expect(screen.queryByText("Call the bank", { selector: "a" })).not.toBeInTheDocument();

    const toast = await screen.findByText(/Deleted “Call the bank”/);
    await userEvent.click(within(toast.closest(".Toastify__toast") as HTMLElement).getByRole("button", { name: "Undo" }));

    expect(await screen.findByText("Call the bank", { selector: "a" })).toBeInTheDocument();
    // No DELETE handler is installed: had one been sent, the test would fail.
  });

  it("deletes for real once the undo window is over, and restores the task if that fails", async () => {
    const kept = makeTask({ title: "Keep me" });
    const gone = makeTask({ title: "Delete me" });
    taskListEndpoint({ "": { items: [kept, gone], next_cursor: null } });
    const deleted: string[] = [];
    server.use(
      http.delete("/api/tasks/:id", ({ params }) => {
        deleted.push(String(params.id));
        return problem(404, "no such task");
      }),
    );
    renderRoute(<TasksView tags={TAGS} />);

    await userEvent.click(await screen.findByRole("button", { name: "Delete “Delete me”" }));
    await act(() => flushPendingDeletes());

    expect(deleted).toEqual([gone.id]);
    expect(await screen.findByText("Delete me", { selector: "a" })).toBeInTheDocument();
    expect(await screen.findByText(/Could not delete “Delete me”\. No such task\./)).toBeInTheDocument();
  });

  it("creates a task and shows it first", async () => {
    taskListEndpoint({ "": { items: [makeTask({ title: "Older" })], next_cursor: null } });
    let key: string | null = null;
    server.use(
      http.post("/api/tasks", async ({ request }) => {
        key = request.headers.get("Idempotency-Key");
        const body = (await request.json()) as Partial<Task>;
        return HttpResponse.json(makeTask({ ...body }), { status: 201, headers: { ETag: '"1"' } });
      }),
    );
    renderRoute(<TasksView tags={TAGS} />);
    await screen.findByText("Older");

    await userEvent.click(screen.getByRole("button", { name: "New task" }));
    await userEvent.type(screen.getByLabelText("Title"), "Brand new");
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));

    await waitFor(() => expect(screen.getAllByTestId("task-row")[0]).toHaveTextContent("Brand new"));
    expect(key).toMatch(/\S{8,}/);
  });

  it("edits from a fresh read and saves with If-Match", async () => {
    const task = makeTask({ title: "Draft" });
    taskListEndpoint({ "": { items: [task], next_cursor: null } });
    let ifMatch: string | null = null;
    server.use(
      http.get(`/api/tasks/${task.id}`, () => HttpResponse.json(task, { headers: { ETag: '"7"' } })),
      http.patch(`/api/tasks/${task.id}`, async ({ request }) => {
        ifMatch = request.headers.get("If-Match");
        const body = (await request.json()) as Partial<Task>;
        return HttpResponse.json({ ...task, ...body }, { headers: { ETag: '"8"' } });
      }),
    );
    renderRoute(<TasksView tags={TAGS} />);
    await userEvent.click(await screen.findByRole("button", { name: "Edit “Draft”" }));
    const title = await screen.findByLabelText("Title");
    await userEvent.clear(title);
    await userEvent.type(title, "Final");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByText("Final", { selector: "a" })).toBeInTheDocument();
    expect(ifMatch).toBe('"7"');
  });
  it("says when a repeating task is due next once an occurrence is done, and Undo puts it back on its date", async () => {
    const task = makeTask({ title: "Water the ferns", recurrence: "FREQ=DAILY", timezone: "America/New_York", due_date: "2030-12-09T14:00:00Z" });
    const next = { ...task, due_date: "2030-12-10T14:00:00Z", version: 2 };
    taskListEndpoint({ "": { items: [task], next_cursor: null } });
    const sent: { body: unknown; ifMatch: string | null }[] = [];
    server.use(
      http.patch(`/api/tasks/${task.id}`, async ({ request }) => {
        const body = (await request.json()) as Partial<Task>;
        sent.push({ body, ifMatch: request.headers.get("If-Match") });
        return body.completed
          ? HttpResponse.json(next, { headers: { ETag: '"2"' } })
          : HttpResponse.json({ ...task, version: 3 }, { headers: { ETag: '"3"' } });
      }),
    );
    renderRoute(<TasksView tags={TAGS} />);
    await userEvent.click(await screen.findByRole("checkbox", { name: "Completed: Water the ferns" }));

    const toast = await screen.findByTestId("next-occurrence");
    // In the task's zone (New York, the browser's here): 09:00 on Tuesday 10 December.
    expect(toast).toHaveTextContent(/Done: “Water the ferns”\. Next: Tue,? (Dec 10|10 Dec),? 09:00/);
    expect(within(toast).getByRole("button", { name: "Undo" })).toHaveAccessibleDescription(
      /puts it back to Mon,? (Dec 9|9 Dec),? 09:00( AM)?; the completion stays counted in the statistics/);
    expect(screen.getByRole("checkbox", { name: "Completed: Water the ferns" })).not.toBeChecked();
    expect(screen.getByRole("link", { name: "Water the ferns" }).closest("li")).toHaveTextContent(/Dec 10|10 Dec/);

    await userEvent.click(within(toast).getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toEqual({
      body: { due_date: task.due_date, recurrence: "FREQ=DAILY", timezone: "America/New_York" },
      ifMatch: '"2"',
    });
    await waitFor(() => expect(screen.getByRole("link", { name: "Water the ferns" }).closest("li")).toHaveTextContent(/Dec 9|9 Dec/));
  });
  it("keeps the due-day filter when a day that does not exist is typed, and says why", async () => {
    const queries = taskListEndpoint({});
    const { router } = renderRoute(<TasksView tags={TAGS} />, { at: "/?due_from=2026-02-10" });
    await screen.findByText(/No task matches/);
    const from = screen.getByLabelText("Due from");
    expect(from).toHaveValue("2026-02-10");
    const asked = queries.length;

    // What the browser reports when "02/31/2026" is typed over it: the value empties, the input is bad.
    Object.defineProperty(from, "validity", { configurable: true, value: { badInput: true, valid: false } });
    fireEvent.change(from, { target: { value: "" } });
    expect(from).toHaveAccessibleDescription(/not a real date/);
    expect(router.state.location.search).toBe("?due_from=2026-02-10");
    expect(queries.length).toBe(asked);

    Object.defineProperty(from, "validity", { configurable: true, value: { badInput: false, valid: true } });
    fireEvent.change(from, { target: { value: "2026-02-01" } });
    await waitFor(() => expect(router.state.location.search).toBe("?due_from=2026-02-01"));
    expect(from).not.toHaveAttribute("aria-invalid");
  });
});
