import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import type { Reminder } from "./api";
import { Reminders } from "./Reminders";

describe("the reminders of a task", () => {
  it("lists, adds a relative and an absolute reminder, and deletes one", async () => {
    const task = makeTask({ due_date: "2030-05-01T12:00:00Z" });
    let items: Reminder[] = [
      { id: "r1", task_id: task.id, at: null, before_due: "P1D", scheduled_at: "2030-04-30T12:00:00Z", status: "pending", sent_at: null, channel: "account" },
    ];
    const bodies: unknown[] = [];
    server.use(
      http.get(`/api/tasks/${task.id}/reminders`, () => HttpResponse.json({ items })),
      http.post(`/api/tasks/${task.id}/reminders`, async ({ request }) => {
        const body = (await request.json()) as { at?: string; before_due?: string; channel?: Reminder["channel"] };
        bodies.push(body);
        const created: Reminder = { id: `r${bodies.length + 1}`, task_id: task.id, at: body.at ?? null, before_due: body.before_due ?? null,
          scheduled_at: body.at ?? "2030-05-01T11:00:00Z", status: "pending", sent_at: null, channel: body.channel ?? "account" };
        items = [...items, created];
        return HttpResponse.json(created, { status: 201 });
      }),
      http.delete(`/api/tasks/${task.id}/reminders/:id`, ({ params }) => {
        items = items.filter((item) => item.id !== params.id);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderRoute(<Reminders task={task} />);
    expect(await screen.findByText("1 day before the due date")).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("How long before the due date"), "1 hour before");
    await userEvent.click(screen.getByRole("button", { name: "Add reminder" }));
    expect(await screen.findByText("1 hour before the due date")).toBeInTheDocument();

    await userEvent.click(screen.getByLabelText("At a date and time"));
    await userEvent.click(screen.getByRole("button", { name: "Add reminder" }));
    expect(screen.getByLabelText("Reminder date and time")).toHaveAccessibleDescription(/Choose the date and time/);
    await userEvent.type(screen.getByLabelText("Reminder date and time"), "2030-04-20T09:15");
    await userEvent.click(screen.getByRole("button", { name: "Add reminder" }));
    await waitFor(() => expect(screen.getAllByTestId("reminder")).toHaveLength(3));
    expect(bodies).toEqual([
      { before_due: "PT1H", channel: "account" },
      { at: new Date(2030, 3, 20, 9, 15).toISOString(), channel: "account" },
    ]);

    await userEvent.click(screen.getByRole("button", { name: "Delete the reminder: 1 day before the due date" }));
    await waitFor(() => expect(screen.getAllByTestId("reminder")).toHaveLength(2));
  });

  it("sends a reminder to this device, and says when notifications are off here", async () => {
    const task = makeTask({ due_date: "2030-05-01T12:00:00Z" });
    const bodies: unknown[] = [];
    server.use(
      http.get(`/api/tasks/${task.id}/reminders`, () => HttpResponse.json({ items: [] })),
      http.post(`/api/tasks/${task.id}/reminders`, async ({ request }) => {
        const body = (await request.json()) as { before_due: string; channel: Reminder["channel"] };
        bodies.push(body);
        return HttpResponse.json({ id: "r9", task_id: task.id, at: null, before_due: body.before_due,
          scheduled_at: "2030-05-01T11:30:00Z", status: "pending", sent_at: null, channel: body.channel }, { status: 201 });
      }),
    );
    renderRoute(<Reminders task={task} />);
    expect(await screen.findByText("No reminders.")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("How to remind"), "On this device (notification)");
    // No service worker here, so no subscription: the choice says what happens instead.
    expect(await screen.findByText(/Notifications are off on this device/)).toBeInTheDocument();
    expect(screen.getByLabelText("How to remind")).toHaveAccessibleDescription(/comes by e-mail/);
    await userEvent.click(screen.getByRole("button", { name: "Add reminder" }));
    expect(await screen.findByText(/on your devices/)).toBeInTheDocument();
    expect(bodies).toEqual([{ before_due: "PT30M", channel: "push" }]);
  });

  it("shows the server's refusal as a toast", async () => {
    const task = makeTask();
    server.use(
      http.get(`/api/tasks/${task.id}/reminders`, () => HttpResponse.json({ items: [] })),
      http.post(`/api/tasks/${task.id}/reminders`, () => problem(422, "a reminder before the due date needs a due date")),
    );
    renderRoute(<Reminders task={task} />);
    expect(await screen.findByText("No reminders.")).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText("Before the due date"));
    await userEvent.click(screen.getByRole("button", { name: "Add reminder" }));
    expect(await screen.findByText(/Could not add the reminder. A reminder before the due date needs a due date/)).toBeInTheDocument();
  });
  it("says a typed date that does not exist (31 February) is not one, and adds nothing", async () => {
    const task = makeTask();
    let posts = 0;
    server.use(
      http.get(`/api/tasks/${task.id}/reminders`, () => HttpResponse.json({ items: [] })),
      http.post(`/api/tasks/${task.id}/reminders`, () => {
        posts += 1;
        return problem(500, "not expected");
      }),
    );
    renderRoute(<Reminders task={task} />);
    expect(await screen.findByText("No reminders.")).toBeInTheDocument();
    const at = screen.getByLabelText("Reminder date and time");
    // What the browser reports for "02/31/2026 09:30 AM" typed into the field: no value, and bad input.
    Object.defineProperty(at, "validity", { configurable: true, value: { badInput: true, valid: false } });
    await userEvent.click(screen.getByRole("button", { name: "Add reminder" }));
    expect(at).toHaveAccessibleDescription(/not a real date and time/);
    expect(at).toHaveFocus();
    expect(posts).toBe(0);
  });
});
