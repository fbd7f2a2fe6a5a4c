import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { announceTasksChanged } from "../../lib/taskEvents";
import type { AgendaTask } from "../../features/agenda/api";
import { flushPendingDeletes } from "../../features/tasks/pendingDeletes";
import { makeTask, PERSONAL_WORKSPACE, tokenPair } from "../../test/fixtures";
import { renderFullApp } from "../../test/render";
import { server } from "../../test/server";

const USER = { id: "u1", email: "user@example.com", display_name: "User", created_at: "2030-01-01T00:00:00Z", email_verified: true };
const WORKSPACES = [
  { id: PERSONAL_WORKSPACE, name: "Personal", personal: true, role: "owner", created_at: "2030-01-01T00:00:00Z" },
  { id: "ws-club", name: "Club", personal: false, role: "viewer", created_at: "2030-01-02T00:00:00Z" },
];

const agendaTask = (overrides: Partial<AgendaTask>): AgendaTask => ({
  ...makeTask({ due_date: "2030-01-14T10:00:00Z", ...overrides }),
  workspace_name: "Personal",
  workspace_personal: true,
  ...overrides,
});

/** A logged-in user whose today lists `tasks` (the server keeps them until a DELETE); records the DELETEs. */
function today(tasks: AgendaTask[]) {
  let items = [...tasks];
  const deleted: string[] = [];
  server.use(
    http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair("access-1"))),
    http.get("/api/auth/me", () => HttpResponse.json(USER)),
    http.get("/api/workspaces", () => HttpResponse.json({ items: WORKSPACES })),
    http.get("/api/agenda/counts", () =>
      HttpResponse.json({ timezone: "UTC", today: items.length, overdue: 0, upcoming: 0, inbox: 0 })),
    http.get("/api/agenda", () => HttpResponse.json({ view: "today", timezone: "UTC", today: "2030-01-14", items, truncated: false })),
    http.delete("/api/tasks/:id", ({ params }) => {
      deleted.push(String(params.id));
      items = items.filter((item) => item.id !== params.id);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { deleted };
}


const titles = () => screen.queryAllByTestId("agenda-row").map((row) => within(row).getByRole("link").textContent);

describe("# on the agenda", () => {
  it("hides the selected task with the list's Undo, which puts it back where it was and sends nothing", async () => {
    const tasks = ["Call the bank", "Water the plants", "Pay rent"].map((title) => agendaTask({ title }));
    const server = today(tasks);
    await renderFullApp("/today");
    await waitFor(() => expect(titles()).toEqual(["Call the bank", "Water the plants", "Pay rent"]));

    await userEvent.keyboard("jj#");
    expect(titles()).toEqual(["Call the bank", "Pay rent"]);
    // The next row takes the selection.
    expect(screen.getAllByTestId("agenda-row")[1]).toHaveFocus();
    const toast = (await screen.findByText("Deleted “Water the plants”.")).closest(".Toastify__toast") as HTMLElement;

    // A read while the Undo is on offer (another change, a revalidation) does not bring it back.
    act(() => announceTasksChanged());
    await waitFor(() => expect(screen.getByTestId("count-today")).toHaveTextContent("3"));
    expect(titles()).toEqual(["Call the bank", "Pay rent"]);

    await userEvent.click(within(toast).getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(titles()).toEqual(["Call the bank", "Water the plants", "Pay rent"]));
    await act(() => flushPendingDeletes());
    expect(server.deleted).toEqual([]);
  });

  it("deletes for real once the Undo is over", async () => {
    const [first, second] = ["Call the bank", "Pay rent"].map((title) => agendaTask({ title }));
    const server = today([first, second]);
    await renderFullApp("/today");
    await waitFor(() => expect(titles()).toEqual(["Call the bank", "Pay rent"]));

    await userEvent.keyboard("j#");
    await act(() => flushPendingDeletes());
    expect(server.deleted).toEqual([first.id]);
    // The navigation's count follows.
    await waitFor(() => expect(screen.getByTestId("count-today")).toHaveTextContent("1"));
    expect(titles()).toEqual(["Pay rent"]);
  });

  it("leaves a task of a workspace where one only reads alone, and the selection on it", async () => {
    const shared = agendaTask({ title: "Club meeting", workspace_id: "ws-club", workspace_name: "Club", workspace_personal: false });
    const server = today([shared, agendaTask({ title: "Pay rent" })]);
    await renderFullApp("/today");
    await waitFor(() => expect(titles()).toEqual(["Club meeting", "Pay rent"]));
    // The roles arrive with the workspaces.
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Completed: Club meeting" })).toBeDisabled());

    await userEvent.keyboard("j#");
    expect(titles()).toEqual(["Club meeting", "Pay rent"]);
    expect(screen.getAllByTestId("agenda-row")[0]).toHaveFocus();
    expect(screen.queryByText(/^Deleted/)).not.toBeInTheDocument();
    await act(() => flushPendingDeletes());
    expect(server.deleted).toEqual([]);
  });
});

describe("? on the agenda", () => {
  it("lists the list keys where a view answers them, and not on a page without a list", async () => {
    today([agendaTask({ title: "Pay rent" })]);
    server.use(
      http.get("/api/stats", () =>
        HttpResponse.json({ total: 0, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 })),
      http.get("/api/stats/history", () => HttpResponse.json({ timezone: "UTC", days: [] })),
    );
    const { router } = await renderFullApp("/today");
    await screen.findByText("Pay rent");
    await userEvent.keyboard("?");
    const help = await screen.findByRole("dialog", { name: "Keyboard shortcuts" });
    const keys = () => within(help).getAllByRole("row").slice(1).map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent));
    expect(keys()).toEqual([
      ["q", "Quick add a task, in one line"],
      ["/", "Search the task list"],
      ["j / k", "Select the next / previous task in a list"],
      ["x", "Complete (or reopen) the selected task"],
      ["e", "Open the selected task, to edit it"],
      ["#", "Delete the selected task (Undo in the message that follows)"],
      ["Esc", "Close a dialog or an editor"],
      ["?", "Show these shortcuts"],
    ]);
    await userEvent.click(within(help).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).not.toBeInTheDocument());

    await act(() => router.navigate("/stats"));
    await screen.findByRole("heading", { name: "Statistics" });
    await userEvent.keyboard("?");
    const here = await screen.findByRole("dialog", { name: "Keyboard shortcuts" });
    expect(within(here).getAllByRole("row").slice(1).map((row) => within(row).getAllByRole("cell")[0].textContent)).toEqual(["q", "/", "Esc", "?"]);
  });
});
