import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask, PERSONAL_WORKSPACE, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import type { Task } from "../../types/task";
import { TaskTags } from "./TaskTags";
import { useState } from "react";

const work = { id: "tag-work", name: "work", color: "#0d6efd", workspace_id: PERSONAL_WORKSPACE };
const home = { id: "tag-home", name: "home", color: "#ffc107", workspace_id: PERSONAL_WORKSPACE };

function Harness({ initial }: { initial: Task }) {
  const [task, setTask] = useState(initial);
  return <TaskTags task={task} onChange={setTask} />;
}

describe("the tags of a task", () => {
  it("attaches a workspace tag, detaches one, and creates a new one", async () => {
    let task = makeTask({ tags: [{ id: work.id, name: work.name, color: work.color }] });
    const tagQueries: (string | null)[] = [];
    const created: unknown[] = [];
    server.use(
      http.get("/api/tags", ({ request }) => {
        tagQueries.push(new URL(request.url).searchParams.get("workspace_id"));
        return HttpResponse.json({ items: [work, home] });
      }),
      http.put(`/api/tasks/${task.id}/tags/:tagId`, ({ params }) => {
        const tag = [work, home, { id: "tag-new", name: "urgent", color: "#dc3545" }].find((t) => t.id === params.tagId)!;
        task = { ...task, tags: [...task.tags, { id: tag.id, name: tag.name, color: tag.color }] };
        return HttpResponse.json(task, { headers: { ETag: '"2"' } });
      }),
      http.delete(`/api/tasks/${task.id}/tags/:tagId`, ({ params }) => {
        task = { ...task, tags: task.tags.filter((t) => t.id !== params.tagId) };
        return HttpResponse.json(task);
      }),
      http.post("/api/tags", async ({ request }) => {
        const body = await request.json();
        created.push(body);
        return HttpResponse.json({ id: "tag-new", workspace_id: PERSONAL_WORKSPACE, ...(body as object) }, { status: 201 });
      }),
    );
    renderRoute(<Harness initial={task} />);
    const list = screen.getByRole("list", { name: "Tags of this task" });
    expect(within(list).getByText("work")).toBeInTheDocument();
    await waitFor(() => expect(tagQueries).toEqual([PERSONAL_WORKSPACE]));

    // Only tags not yet on the task are offered.
    const select = screen.getByLabelText("Add a tag");
    await waitFor(() => expect(within(select).getByRole("option", { name: "home" })).toBeInTheDocument());
    expect(within(select).queryByRole("option", { name: "work" })).toBeNull();
    await userEvent.selectOptions(select, "home");
    await userEvent.click(screen.getByRole("button", { name: "Add tag" }));
    await waitFor(() => expect(within(list).getByText("home")).toBeInTheDocument());

    await userEvent.click(screen.getByRole("button", { name: "Remove the tag work" }));
    await waitFor(() => expect(within(screen.getByRole("list", { name: "Tags of this task" })).queryByText("work")).toBeNull());

    await userEvent.click(screen.getByRole("button", { name: "New tag" }));
    await userEvent.click(screen.getByRole("button", { name: "Create and add" }));
    expect(screen.getByLabelText("Tag name")).toHaveAccessibleDescription("Enter a name for the tag.");
    await userEvent.type(screen.getByLabelText("Tag name"), "urgent");
    await userEvent.click(screen.getByRole("button", { name: "Create and add" }));
    await waitFor(() => expect(screen.getByRole("list", { name: "Tags of this task" })).toHaveTextContent("urgent"));
    expect(created).toEqual([{ name: "urgent", color: "#0a58ca", workspace_id: PERSONAL_WORKSPACE }]);
  });

  it("shows the server's problem as a toast when a tag name is taken", async () => {
    const task = makeTask();
    server.use(
      http.get("/api/tags", () => HttpResponse.json({ items: [] })),
      http.post("/api/tags", () => problem(409, "a tag with this name exists in the workspace")),
    );
    renderRoute(<Harness initial={task} />);
    await userEvent.click(screen.getByRole("button", { name: "New tag" }));
    await userEvent.type(screen.getByLabelText("Tag name"), "dup");
    await userEvent.click(screen.getByRole("button", { name: "Create and add" }));
    expect(await screen.findByText(/Could not create the tag. A tag with this name exists/)).toBeInTheDocument();
  });

  it("is read-only for viewers", () => {
    const task = makeTask({ tags: [{ id: work.id, name: work.name, color: work.color }] });
    renderRoute(<TaskTags task={task} onChange={() => undefined} readOnly />);
    expect(screen.getByText("work")).toBeInTheDocument();
    expect(screen.queryByRole("button")).toBeNull();
  });
});
