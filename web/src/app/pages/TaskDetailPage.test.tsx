import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { detailSideEndpoints } from "../../test/endpoints";
import { makeTask, PERSONAL_WORKSPACE, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { TaskDetailPage } from "./TaskDetailPage";

const work = { id: "tag-work", name: "work", color: "#0d6efd" };

describe("the task detail page", () => {
  it("puts the task's tags, checklist, reminders and activity below it, each kept in step with the task", async () => {
    const task = makeTask({ title: "Paint the hall" });
    const reads: string[] = [];
    detailSideEndpoints(task.id);
    server.use(
      http.get(`/api/tasks/${task.id}`, () => {
        reads.push(task.id);
        return HttpResponse.json({ ...task, version: reads.length }, { headers: { ETag: `"${reads.length}"` } });
      }),
      http.get("/api/tags", () => HttpResponse.json({ items: [{ ...work, workspace_id: PERSONAL_WORKSPACE }] })),
      http.put(`/api/tasks/${task.id}/tags/${work.id}`, () => HttpResponse.json({ ...task, tags: [work] })),
      http.post(`/api/tasks/${task.id}/checklist`, () =>
        HttpResponse.json({ id: "item-1", text: "Buy paint", done: false, position: 0 }, { status: 201 })),
    );
    renderRoute(<TaskDetailPage />, { path: "/tasks/:taskId", at: `/tasks/${task.id}` });

    expect(await screen.findByRole("heading", { name: "Paint the hall", level: 1 })).toBeInTheDocument();
    for (const section of ["Tags", "Checklist", "Reminders", "Activity"]) {
      expect(screen.getByRole("heading", { name: section, level: 2 })).toBeInTheDocument();
    }
    expect(reads).toHaveLength(1);

    // A tag call answers with the task: the page shows that version.
    // The workspace's tags arrive after the task: the choice is there once they have.
    await screen.findByRole("option", { name: "work" });
    await userEvent.selectOptions(screen.getByLabelText("Add a tag"), "work");
    await userEvent.click(screen.getByRole("button", { name: "Add tag" }));
    const attached = await screen.findByRole("list", { name: "Tags of this task" });
    expect(within(attached).getByText("work")).toBeInTheDocument();

    // A checklist change does not: the page reads the task again.
    await userEvent.type(screen.getByLabelText("New checklist item"), "Buy paint{Enter}");
    await waitFor(() => expect(reads).toHaveLength(2));
  });
});

describe("a task deleted elsewhere", () => {
  it("is noticed when the page revalidates: the page says so and goes back to the list", async () => {
    const task = makeTask({ title: "Fix the fence" });
    let deleted = false;
    let reads = 0;
    detailSideEndpoints(task.id);
    server.use(
      http.get(`/api/tasks/${task.id}`, () => {
        reads += 1;
        return deleted ? problem(404, "no such task") : HttpResponse.json(task, { headers: { ETag: '"1"' } });
      }),
    );
    const { router } = renderRoute(<TaskDetailPage />, {
      path: "/tasks/:taskId",
      at: `/tasks/${task.id}`,
      extra: [{ path: "/", element: <h1>All tasks</h1> }],
    });
    expect(await screen.findByRole("heading", { name: "Fix the fence", level: 1 })).toBeInTheDocument();

    // The section listens once it is on screen; each focus comes later than the gap between reads.
    let clock = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => clock);
    const focusLater = () => {
      clock += 5_000;
      act(() => void window.dispatchEvent(new Event("focus")));
    };

    // Still there: a focus changes nothing.
    await waitFor(() => {
      focusLater();
      expect(reads).toBeGreaterThan(1);
    });
    expect(screen.getByRole("heading", { name: "Fix the fence", level: 1 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/tasks/${task.id}`);

    deleted = true;
    focusLater();
    expect(await screen.findByText("“Fix the fence” was deleted elsewhere.")).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: "All tasks" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
  });
});
