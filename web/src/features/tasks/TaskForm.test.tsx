import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { http, HttpResponse } from "msw";
import { problem } from "../../test/fixtures";
import { server } from "../../test/server";
import { api } from "../../api/client";
import { etagOf, rememberEtag } from "../../api/etags";
import type { Task } from "../../types/task";
import { updateTask } from "./api";
import { TaskForm, type SaveOptions } from "./TaskForm";
import { makeTask } from "../../test/fixtures";
import { validateTask } from "./validation";
import type { TaskInput } from "./types";

function renderForm(submit?: (input: TaskInput) => Promise<unknown>) {
  const onSubmit = vi.fn(submit ?? (async () => undefined));
  render(<TaskForm label="New task" submitLabel="Add task" onSubmit={onSubmit} resetOnSuccess />);
  return onSubmit;
}

describe("the task form", () => {
  it("requires a title", async () => {
    const onSubmit = renderForm();
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    expect(screen.getByLabelText("Title")).toHaveAccessibleDescription(/Give the task a title/);
    expect(onSubmit).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText("Title"), "    ");
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    expect(screen.getByLabelText("Title")).toHaveAttribute("aria-invalid", "true");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("accepts 200 characters and refuses 201", async () => {
    const onSubmit = renderForm();
    const title = screen.getByLabelText("Title");
    await userEvent.click(title);
    await userEvent.paste("x".repeat(201));
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    expect(title).toHaveAccessibleDescription(/200 characters or fewer/);
    expect(onSubmit).not.toHaveBeenCalled();

    await userEvent.type(title, "{Backspace}");
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0][0]).toMatchObject({ title: "x".repeat(200), priority: 2, due_date: null });
  });

  it("sends trimmed values, the priority as a number and the due time as an instant", async () => {
    const onSubmit = renderForm();
    await userEvent.type(screen.getByLabelText("Title"), "  Buy milk  ");
    await userEvent.type(screen.getByLabelText("Description"), "Semi-skimmed");
    await userEvent.selectOptions(screen.getByLabelText("Priority"), "High");
    await userEvent.type(screen.getByLabelText("Due"), "2030-03-04T17:30");
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0][0]).toEqual({
      title: "Buy milk",
      description: "Semi-skimmed",
      priority: 1,
      due_date: new Date(2030, 2, 4, 17, 30).toISOString(),
    });
    // A new-task form is ready for the next one.
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveValue(""));
  });

  it("puts the server's field errors next to their fields", async () => {
    server.use(
      http.post("/api/tasks", () =>
        problem(422, "the request is invalid", { errors: [{ loc: ["body", "title"], msg: "must not be blank", type: "value_error" }] })),
    );
    renderForm(() => api.post("/tasks", {}));
    await userEvent.type(screen.getByLabelText("Title"), "A title");
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveAccessibleDescription(/Must not be blank/));
  });

  it("when the task changed elsewhere (412), shows their changes beside mine and applies mine on the latest version", async () => {
    const task = makeTask({ title: "Old", description: "Same" });
    rememberEtag(task.id, '"1"');
    const sent: { ifMatch: string | null; body: unknown }[] = [];
    server.use(
      http.patch(`/api/tasks/${task.id}`, async ({ request }) => {
        const ifMatch = request.headers.get("If-Match");
        const body = (await request.json()) as Partial<Task>;
        sent.push({ ifMatch, body });
        if (ifMatch !== '"2"') return problem(412, "the task has changed since you read it");
        return HttpResponse.json({ ...task, ...body, version: 3 }, { headers: { ETag: '"3"' } });
      }),
      http.get(`/api/tasks/${task.id}`, () =>
        HttpResponse.json({ ...task, description: "Changed there", priority: 1, version: 2 }, { headers: { ETag: '"2"' } })),
    );
    const onSubmit = vi.fn((input: TaskInput, options?: SaveOptions) => updateTask(task.id, input, options));
    render(<TaskForm label="Edit" submitLabel="Save" task={task} onSubmit={onSubmit} />);
    await userEvent.clear(screen.getByLabelText("Title"));
    await userEvent.type(screen.getByLabelText("Title"), "New");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    const panel = await screen.findByTestId("task-conflict");
    expect(within(panel).getByRole("heading")).toHaveTextContent(/changed somewhere else/);
    expect(within(panel).getByTestId("conflict-title")).toHaveTextContent(/Title\s*Changed by you\s*New\s*Old/);
    expect(within(panel).getByTestId("conflict-description")).toHaveTextContent(/Changed elsewhere: kept\s*Same\s*Changed there/);
    expect(within(panel).getByTestId("conflict-priority")).toHaveTextContent(/Normal\s*High/);
    expect(within(panel).queryByTestId("conflict-due")).toBeNull();
    // What I typed is still there.
    expect(screen.getByLabelText("Title")).toHaveValue("New");

    await userEvent.click(within(panel).getByRole("button", { name: "Apply my changes to the latest version" }));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[0].ifMatch).toBe('"1"');
    // Mine on top of theirs, as a change of the version just read.
    expect(sent[1]).toEqual({
      ifMatch: '"2"',
      body: { title: "New", description: "Changed there", priority: 1, due_date: null },
    });
    await waitFor(() => expect(screen.queryByTestId("task-conflict")).toBeNull());
    expect(etagOf(task.id)).toBe('"3"');
  });

  it("shows who changed what when both changed a field, and discards mine for the latest version", async () => {
    const task = makeTask({ title: "Old" });
    server.use(
      http.patch(`/api/tasks/${task.id}`, () => problem(412, "the task has changed since you read it")),
      http.get(`/api/tasks/${task.id}`, () => HttpResponse.json({ ...task, title: "Theirs", version: 2 }, { headers: { ETag: '"2"' } })),
    );
    const onReload = vi.fn();
    render(<TaskForm label="Edit" submitLabel="Save" task={task} onSubmit={(input) => updateTask(task.id, input)} onReload={onReload} />);
    await userEvent.clear(screen.getByLabelText("Title"));
    await userEvent.type(screen.getByLabelText("Title"), "Mine");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    const row = await screen.findByTestId("conflict-title");
    expect(row).toHaveTextContent(/Both changed: yours replaces theirs\s*Mine\s*Theirs/);
    await userEvent.click(screen.getByRole("button", { name: "Discard my changes" }));
    expect(screen.getByLabelText("Title")).toHaveValue("Theirs");
    expect(screen.queryByTestId("task-conflict")).toBeNull();
    expect(onReload).toHaveBeenCalledTimes(1);
  });

  it("refuses a due date the browser could not read (31 February) and sends nothing", async () => {
    const onSubmit = renderForm();
    await userEvent.type(screen.getByLabelText("Title"), "Pay the rent");
    const due = screen.getByLabelText("Due");
    // What the browser reports for "02/31/2026" typed into the field: no value, and bad input.
    Object.defineProperty(due, "validity", { configurable: true, value: { badInput: true, valid: false } });
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    expect(due).toHaveAccessibleDescription(/not a real date and time/);
    expect(due).toHaveAttribute("aria-invalid", "true");
    await waitFor(() => expect(due).toHaveFocus());
    expect(onSubmit).not.toHaveBeenCalled();

    Object.defineProperty(due, "validity", { configurable: true, value: { badInput: false, valid: true } });
    await userEvent.type(due, "2026-02-28T09:30");
    expect(due).not.toHaveAttribute("aria-invalid");
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0][0]).toMatchObject({ due_date: new Date(2026, 1, 28, 9, 30).toISOString() });
  });

  it("validates like the API", () => {
    const values = { title: "ok", description: "", priority: "2", due: "" };
    expect(validateTask(values)).toEqual({});
    expect(validateTask({ ...values, title: "🙂".repeat(200) })).toEqual({});
    expect(validateTask({ ...values, title: "🙂".repeat(201) }).title).toBeDefined();
    expect(validateTask({ ...values, description: "d".repeat(10_001) }).description).toBeDefined();
    expect(validateTask({ ...values, priority: "4" }).priority).toBeDefined();
    expect(validateTask({ ...values, due: "2026-02-31T09:30" }).due).toMatch(/not a real date/);
    expect(validateTask({ ...values, due: "2026-02-28T09:30" })).toEqual({});
  });
});
