import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { AgendaPage, groupAgenda, type AgendaDeletes, type AgendaQueue } from "./AgendaPage";
import type { Agenda, AgendaTask } from "./api";

const agendaTask = (overrides: Partial<AgendaTask>): AgendaTask => ({
  ...makeTask(overrides),
  workspace_name: "Personal",
  workspace_personal: true,
  ...overrides,
});

// Deleting is the task list's, handed in by the page (src/app/pages/AgendaRoute.test.tsx tests it).
const NO_DELETES: AgendaDeletes = { schedule: () => undefined, isPending: () => false, subscribe: () => () => undefined };
// So is the queue of changes made offline (tested there too): here, an empty one that sends at once.
const NO_QUEUE: AgendaQueue = {
  subscribe: () => () => undefined,
  snapshot: () => null,
  overlay: (items) => ({ items, marks: new Map() }),
  setCompleted: () => Promise.resolve(true),
  onNews: () => () => undefined,
};

describe("the agenda's groups", () => {
  it("put overdue first on today, and cut upcoming into the days of the account's zone", () => {
    // 22:30 UTC on the 14th is 23:30 in Berlin, still the 14th; 23:30 UTC is already the 15th there.
    const items = [
      agendaTask({ title: "late", due_date: "2030-01-13T09:00:00Z" }),
      agendaTask({ title: "evening", due_date: "2030-01-14T22:30:00Z" }),
    ];
    const today: Agenda = { view: "today", timezone: "Europe/Berlin", today: "2030-01-14", items, truncated: false };
    expect(groupAgenda(today).map((group) => [group.key, group.tasks.map((task) => task.title)])).toEqual([
      ["overdue", ["late"]],
      ["2030-01-14", ["evening"]],
    ]);
    const upcoming: Agenda = {
      view: "upcoming",
      timezone: "Europe/Berlin",
      today: "2030-01-14",
      items: [agendaTask({ title: "a", due_date: "2030-01-14T20:00:00Z" }), agendaTask({ title: "b", due_date: "2030-01-14T23:30:00Z" })],
      truncated: false,
    };
    expect(groupAgenda(upcoming).map((group) => [group.key, group.label.split(" ·")[0], group.tasks.map((task) => task.title)])).toEqual([
      ["2030-01-14", "Today", ["a"]],
      ["2030-01-15", "Tomorrow", ["b"]],
    ]);
  });
});

describe("the today page", () => {
  it("asks for completed tasks only when the switch is on, and names each task's workspace", async () => {
    const asked: string[] = [];
    server.use(
      http.get("/api/agenda", ({ request }) => {
        const url = new URL(request.url);
        asked.push(`${url.searchParams.get("view")}:${url.searchParams.get("completed")}`);
        const completed = url.searchParams.get("completed") === "true";
        const items = [agendaTask({ title: "Shared job", due_date: "2030-01-14T10:00:00Z", workspace_name: "Studio", workspace_personal: false })];
        if (completed) items.push(agendaTask({ title: "Done one", completed: true, due_date: "2030-01-14T11:00:00Z" }));
        return HttpResponse.json({ view: "today", timezone: "UTC", today: "2030-01-14", items, truncated: false });
      }),
    );
    renderRoute(<AgendaPage view="today" deletes={NO_DELETES} queue={NO_QUEUE} />);
    const row = await screen.findByText("Shared job");
    expect(within(row.closest("li") as HTMLElement).getByTestId("agenda-workspace")).toHaveTextContent("Studio");
    expect(screen.queryByText("Done one")).not.toBeInTheDocument();
    await userEvent.click(screen.getByLabelText("Show completed"));
    expect(await screen.findByText("Done one")).toBeInTheDocument();
    expect(asked).toEqual(["today:false", "today:true"]);
  });
});
