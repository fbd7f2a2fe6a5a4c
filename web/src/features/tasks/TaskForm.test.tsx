import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { http } from "msw";
import { problem } from "../../test/fixtures";
import { server } from "../../test/server";
import { api } from "../../api/client";
import { TaskForm } from "./TaskForm";
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

  it("offers to reload when the task changed elsewhere (412)", async () => {
    server.use(http.patch("/api/tasks/x", () => problem(412, "the task has changed since you read it")));
    const onReload = vi.fn();
    render(
      <TaskForm label="Edit" submitLabel="Save" task={makeTask({ title: "Old" })}
        onSubmit={() => api.patch("/tasks/x", {})} onReload={onReload} />,
    );
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await userEvent.click(await screen.findByRole("button", { name: "Reload the latest version" }));
    expect(onReload).toHaveBeenCalledTimes(1);
  });

  it("validates like the API", () => {
    const values = { title: "ok", description: "", priority: "2", due: "" };
    expect(validateTask(values)).toEqual({});
    expect(validateTask({ ...values, title: "🙂".repeat(200) })).toEqual({});
    expect(validateTask({ ...values, title: "🙂".repeat(201) }).title).toBeDefined();
    expect(validateTask({ ...values, description: "d".repeat(10_001) }).description).toBeDefined();
    expect(validateTask({ ...values, priority: "4" }).priority).toBeDefined();
  });
});
