import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import type { DayCounts, StatsHistory } from "./api";
import { CompletionHistory } from "./CompletionHistory";

/** `count` days ending on 31 March 2030, with the counts `counts(index)` gives. */
function history(count: number, counts: (index: number) => Omit<DayCounts, "day"> = () => ({ created: 0, completed: 0 })): StatsHistory {
  const last = Date.UTC(2030, 2, 31);
  const days = Array.from({ length: count }, (_, index) => ({
    day: new Date(last - (count - 1 - index) * 86_400_000).toISOString().slice(0, 10),
    ...counts(index),
  }));
  return { timezone: "Europe/Berlin", days };
}

/** Answers /api/stats/history with `make(days)` and records the query of every request. */
function historyEndpoint(make: (days: number) => StatsHistory) {
  const asked: { days: string | null; workspace: string | null }[] = [];
  server.use(
    http.get("/api/stats/history", ({ request }) => {
      const params = new URL(request.url).searchParams;
      asked.push({ days: params.get("days"), workspace: params.get("workspace_id") });
      return HttpResponse.json(make(Number(params.get("days"))));
    }),
  );
  return asked;
}

describe("completion over time", () => {
  it("draws the last 30 days, with the numbers in a table and a summary", async () => {
    const asked = historyEndpoint((days) =>
      history(days, (index) => ({ created: index % 3 === 0 ? 2 : 0, completed: index === 28 ? 4 : index % 5 === 0 ? 1 : 0 })));
    renderRoute(<CompletionHistory />);

    const chart = await screen.findByRole("img", { name: "Tasks created and completed per day, last 30 days" });
    // 10 days with 2 created; 1 completed on days 0, 5, 10, 15, 20, 25 and 4 on day 28 (Sat 30 Mar).
    // Dates in the browser's language (en-GB "Sat 30 Mar", en-US "Sat, Mar 30").
    expect(chart).toHaveAccessibleDescription(
      /^20 created and 10 completed from (2 Mar|Mar 2) to today; the most completed in a day: 4, on Sat,? (30 Mar|Mar 30)\.$/,
    );
    const table = screen.getByRole("table", { name: "Tasks created and completed per day, last 30 days" });
    const rows = within(table).getAllByTestId("history-day");
    expect(rows).toHaveLength(30);
    expect(rows[0]).toHaveTextContent(/Sat,? (2 Mar|Mar 2)/);
    expect(within(rows[28]).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["0", "4"]);
    expect(within(rows[29]).getByRole("rowheader")).toHaveTextContent(/Sun,? (31 Mar|Mar 31)/);
    expect(screen.getByText(/midnight in Europe\/Berlin/)).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "30 days" })).toBeChecked();
    expect(asked).toEqual([{ days: "30", workspace: null }]);
  });

  it("asks for 7 and 90 days when the range changes, for the workspace being looked at", async () => {
    const asked = historyEndpoint((days) => history(days, () => ({ created: 1, completed: 1 })));
    renderRoute(<CompletionHistory workspaceId="ws-team" />);
    await screen.findByRole("img", { name: /last 30 days/ });

    await userEvent.click(screen.getByRole("radio", { name: "7 days" }));
    expect(await screen.findByRole("img", { name: /last 7 days/ })).toBeInTheDocument();
    expect(screen.getAllByTestId("history-day")).toHaveLength(7);
    expect(screen.getByRole("radio", { name: "7 days" })).toBeChecked();

    // The range is a radio group: the arrow keys move through it.
    await userEvent.keyboard("{ArrowRight}{ArrowRight}");
    expect(screen.getByRole("radio", { name: "90 days" })).toBeChecked();
    expect(await screen.findByRole("img", { name: /last 90 days/ })).toBeInTheDocument();
    expect(screen.getAllByTestId("history-day")).toHaveLength(90);

    // (30 again on the way from 7 to 90, unless the next press cancelled it first.)
    expect(asked.map((query) => query.days)).toEqual(expect.arrayContaining(["30", "7", "90"]));
    expect(asked.every((query) => query.workspace === "ws-team")).toBe(true);
  });

  it("takes every colour it draws with from the theme, so that dark mode gets its own", async () => {
    historyEndpoint((days) => history(days, (index) => ({ created: index % 2, completed: index % 3 === 0 ? 1 : 0 })));
    const { container } = renderRoute(<CompletionHistory />);
    await screen.findByRole("img", { name: /last 30 days/ });
    const painted = [...container.querySelectorAll("svg *")].flatMap((shape) =>
      ["stroke", "fill"].map((attribute) => shape.getAttribute(attribute)).filter((value) => value !== null && value !== "none"));
    expect(painted.length).toBeGreaterThan(0);
    for (const colour of painted) expect(colour).toMatch(/^var\(--[a-z-]+\)$/);
  });

  it("says so when nothing happened in the range, instead of drawing flat lines", async () => {
    historyEndpoint((days) => history(days));
    renderRoute(<CompletionHistory />);
    expect(await screen.findByText("Nothing was created or completed in the last 30 days.")).toBeInTheDocument();
    expect(screen.queryByRole("img")).toBeNull();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("offers to try again when the history cannot be loaded", async () => {
    let fail = true;
    server.use(
      http.get("/api/stats/history", () => (fail ? problem(503, "the database is busy") : HttpResponse.json(history(30, () => ({ created: 1, completed: 0 }))))),
    );
    renderRoute(<CompletionHistory />);
    expect(await screen.findByText("The completion history could not be loaded.")).toBeInTheDocument();
    fail = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getAllByTestId("history-day")).toHaveLength(30));
  });
});
