import { screen } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { StatsPage } from "./StatsPage";

describe("the statistics page", () => {
  it("draws tasks by priority and completion", async () => {
    server.use(
      http.get("/api/stats", () =>
        HttpResponse.json({ total: 4, completed: 1, overdue: 2, by_priority: { 1: 2, 2: 1, 3: 1 }, completion_rate: 0.25 })),
      http.get("/api/stats/history", () =>
        HttpResponse.json({
          timezone: "UTC",
          days: [
            { day: "2030-01-14", created: 3, completed: 0 },
            { day: "2030-01-15", created: 1, completed: 1 },
          ],
        })),
    );
    renderRoute(<StatsPage />);

    expect(await screen.findByRole("img", { name: "Tasks by priority. High: 2, Normal: 1, Low: 1." })).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Tasks completed" })).toHaveAttribute("aria-valuenow", "25");
    expect(screen.getByTestId("figure-overdue")).toHaveTextContent("2");
    expect(screen.getByTestId("figure-completion")).toHaveTextContent("25%");
    expect(screen.getByRole("heading", { name: "Completion over time" })).toBeInTheDocument();
    expect(await screen.findByRole("img", { name: "Tasks created and completed per day, last 2 days" })).toBeInTheDocument();
  });
  it("names tasks done and completions apart, so that a repeating task's completions are not taken for tasks done", async () => {
    // One repeating task, done three times: it is still open, and no task is done.
    server.use(
      http.get("/api/stats", () =>
        HttpResponse.json({ total: 1, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 1, 3: 0 }, completion_rate: 0 })),
      http.get("/api/stats/history", () =>
        HttpResponse.json({ timezone: "UTC", days: [{ day: "2030-01-14", created: 1, completed: 2 }, { day: "2030-01-15", created: 0, completed: 1 }] })),
    );
    renderRoute(<StatsPage />);

    const done = await screen.findByTestId("figure-done");
    expect(done).toHaveTextContent("0");
    expect(done.previousElementSibling).toHaveTextContent("Tasks done");
    expect(await screen.findByTestId("history-completions")).toHaveTextContent("3");
    expect(screen.getByTestId("history-completions").parentElement).toHaveTextContent("Completions (incl. repeats): 3");
    expect(screen.getByTestId("done-explained")).toHaveTextContent(/repeating task .* stays open/);
    expect(screen.queryByText(/^Done$/)).toBeNull();
    expect(screen.queryByText(/^Completed:/)).toBeNull();
  });
});
