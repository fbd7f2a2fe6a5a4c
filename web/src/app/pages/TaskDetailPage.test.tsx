import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { detailSideEndpoints } from "../../test/endpoints";
import { makeTask, PERSONAL_WORKSPACE } from "../../test/fixtures";
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
    await userEvent.selectOptions(await screen.findByLabelText("Add a tag"), "work");
    await userEvent.click(screen.getByRole("button", { name: "Add tag" }));
    const attached = await screen.findByRole("list", { name: "Tags of this task" });
    expect(within(attached).getByText("work")).toBeInTheDocument();

    // A checklist change does not: the page reads the task again.
    await userEvent.type(screen.getByLabelText("New checklist item"), "Buy paint{Enter}");
    await waitFor(() => expect(reads).toHaveLength(2));
  });
});
