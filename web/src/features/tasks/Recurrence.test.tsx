import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { makeTask, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { rememberAccountTimeZone, forgetAccountTimeZone } from "../../lib/accountTimeZone";
import { buildRule, describeRule, parseRule } from "./rrule";
import { TaskDetailView } from "./TaskDetailView";
import { TaskForm } from "./TaskForm";
import type { TaskInput } from "./types";

describe("recurrence rules", () => {
  it("round-trips every preset and keeps anything else as a custom rule", () => {
    const anchor = new Date(2030, 0, 15); // a Tuesday
    for (const rule of ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=YEARLY"]) {
      expect(buildRule(parseRule(rule), anchor)).toBe(rule);
    }
    expect(parseRule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO").preset).toBe("custom");
    expect(buildRule({ preset: "weekly", days: [], custom: "" }, anchor)).toBe("FREQ=WEEKLY;BYDAY=TU");
    expect(buildRule({ preset: "none", days: [], custom: "" }, anchor)).toBeNull();
    expect(describeRule("FREQ=WEEKLY;BYDAY=MO,WE")).toBe("Every week on Monday, Wednesday");
  });
});

describe("the recurrence editor in the task form", () => {
  function renderForm(task = undefined as Parameters<typeof TaskForm>[0]["task"]) {
    const onSubmit = vi.fn(async (input: TaskInput) => input);
    render(<TaskForm task={task} label="Task" submitLabel="Save" onSubmit={onSubmit} />);
    return onSubmit;
  }

  it("sends a weekly rule on the chosen days, in the account's time zone by default", async () => {
    rememberAccountTimeZone("Europe/Berlin");
    const onSubmit = renderForm();
    await userEvent.type(screen.getByLabelText("Title"), "Gym");
    await userEvent.selectOptions(screen.getByLabelText("Repeat"), "Weekly on chosen days");
    expect(screen.getByLabelText("Time zone of the repeats")).toHaveValue("Europe/Berlin");
    await userEvent.click(screen.getByRole("checkbox", { name: "Friday" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Monday" }));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalled());
    expect(onSubmit.mock.calls[0][0]).toMatchObject({ recurrence: "FREQ=WEEKLY;BYDAY=MO,FR", timezone: "Europe/Berlin" });
    forgetAccountTimeZone();
  });

  it("sends a custom RRULE, shows the server's complaint about it, and clears a rule with 'Does not repeat'", async () => {
    const onSubmit = vi.fn(async () => {
      throw await import("axios").then(({ AxiosError }) =>
        new AxiosError("422", "ERR", undefined, undefined, {
          status: 422, statusText: "", headers: {}, config: { headers: {} } as never,
          data: { status: 422, detail: "invalid", errors: [{ loc: ["body", "recurrence"], msg: "not a valid RRULE", type: "value_error" }] },
        }));
    });
    render(<TaskForm label="Task" submitLabel="Save" onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Title"), "Odd");
    await userEvent.selectOptions(screen.getByLabelText("Repeat"), "Custom (RRULE)");
    await userEvent.type(screen.getByLabelText("RRULE"), "FREQ=SOMETIMES");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByLabelText("RRULE")).toHaveAccessibleDescription(/Not a valid RRULE/));

    const existing = makeTask({ recurrence: "FREQ=DAILY", timezone: "Asia/Tokyo" });
    const later = vi.fn(async (input: TaskInput) => input);
    render(<TaskForm task={existing} label="Edit" submitLabel="Update" onSubmit={later} />);
    const repeat = screen.getAllByLabelText("Repeat")[1];
    expect(repeat).toHaveValue("daily");
    await userEvent.selectOptions(repeat, "Does not repeat");
    await userEvent.click(screen.getByRole("button", { name: "Update" }));
    await waitFor(() => expect(later).toHaveBeenCalled());
    expect(later.mock.calls[0][0].recurrence).toBeNull();
  });
});

describe("skipping an occurrence", () => {
  it("posts the skip with If-Match and shows the next due date", async () => {
    const task = makeTask({ title: "Standup", recurrence: "FREQ=DAILY", due_date: "2030-01-15T14:00:00Z" });
    const ifMatch: (string | null)[] = [];
    server.use(
      http.get(`/api/tasks/${task.id}`, () => HttpResponse.json(task, { headers: { ETag: '"1"' } })),
      http.post(`/api/tasks/${task.id}/skip`, ({ request }) => {
        ifMatch.push(request.headers.get("If-Match"));
        return HttpResponse.json({ ...task, due_date: "2030-01-16T14:00:00Z", version: 2 }, { headers: { ETag: '"2"' } });
      }),
    );
    renderRoute(<TaskDetailView taskId={task.id} />);
    expect(await screen.findByTestId("task-recurrence")).toHaveTextContent("Every day");
    await userEvent.click(screen.getByRole("button", { name: "Skip this occurrence" }));
    expect(await screen.findByText(/Skipped. Next occurrence: .*16/)).toBeInTheDocument();
    expect(screen.getByTestId("task-due")).toHaveTextContent(/16/);
    expect(ifMatch).toEqual(['"1"']);
  });

  it("offers no skip for a task that does not repeat, and says why a skip failed", async () => {
    const task = makeTask({ recurrence: "FREQ=YEARLY" });
    server.use(
      http.get(`/api/tasks/${task.id}`, () => HttpResponse.json(task, { headers: { ETag: '"1"' } })),
      http.post(`/api/tasks/${task.id}/skip`, () => problem(409, "the task has no further occurrence")),
    );
    renderRoute(<TaskDetailView taskId={task.id} />);
    await userEvent.click(await screen.findByRole("button", { name: "Skip this occurrence" }));
    expect(await screen.findByText(/Could not skip this occurrence. The task has no further occurrence/)).toBeInTheDocument();
  });
});
