import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask, PERSONAL_WORKSPACE } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { TasksPage } from "./TasksPage";

describe("the tasks page", () => {
  it("offers the workspace's tags as filters, and shows its numbers, read again after a change", async () => {
    const task = makeTask({ title: "Water the plants" });
    let completed = 0;
    const statsReads: number[] = [];
    server.use(
      http.get("/api/tasks", () => HttpResponse.json({ items: [task], next_cursor: null })),
      http.get("/api/tags", () =>
        HttpResponse.json({ items: [{ id: "tag-work", name: "work", color: "#0d6efd", workspace_id: PERSONAL_WORKSPACE }] })),
      http.get("/api/stats", () => {
        statsReads.push(completed);
        return HttpResponse.json({ total: 1, completed, overdue: 0, by_priority: { 1: 0, 2: 1, 3: 0 }, completion_rate: completed });
      }),
      http.patch(`/api/tasks/${task.id}`, () => {
        completed = 1;
        return HttpResponse.json({ ...task, completed: true, completed_at: "2030-01-15T11:00:00Z" });
      }),
    );
    renderRoute(<TasksPage />);

    const tags = await screen.findByRole("group", { name: /Filter by tags/ });
    expect(within(tags).getByRole("button", { name: "work" })).toHaveAttribute("aria-pressed", "false");
    await waitFor(() => expect(screen.getByTestId("stat-open")).toHaveTextContent("1"));

    await userEvent.click(screen.getByRole("checkbox", { name: "Completed: Water the plants" }));
    await waitFor(() => expect(screen.getByTestId("stat-done")).toHaveTextContent("1"));
    expect(screen.getByTestId("stat-open")).toHaveTextContent("0");
    expect(statsReads).toEqual([0, 1]);
  });
});
