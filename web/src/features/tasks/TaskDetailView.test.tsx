import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { TaskDetailView } from "./TaskDetailView";

describe("a task's details", () => {
  it("shows the description and the due date in the browser's time zone", async () => {
    const task = makeTask({ title: "Dentist", description: "Bring the card.", due_date: "2030-07-01T14:30:00Z" });
    server.use(http.get(`/api/tasks/${task.id}`, () => HttpResponse.json(task, { headers: { ETag: '"1"' } })));
    renderRoute(<TaskDetailView taskId={task.id} />);

    expect(await screen.findByRole("heading", { name: "Dentist", level: 1 })).toBeInTheDocument();
    expect(screen.getByText("Bring the card.")).toBeInTheDocument();
    // The tests run in New York: 14:30 UTC is 10:30 there in July.
    expect(screen.getByTestId("task-due")).toHaveTextContent(/2030.*10:30/);
    expect(screen.getByText(/America\/New_York/)).toBeInTheDocument();
  });

  it("saves with If-Match and, when the task changed meanwhile, shows the change and can take the latest version", async () => {
    const task = makeTask({ title: "Original" });
    let version = 1;
    const ifMatch: (string | null)[] = [];
    server.use(
      http.get(`/api/tasks/${task.id}`, () =>
        HttpResponse.json({ ...task, title: version === 1 ? "Original" : "Changed elsewhere", version }, { headers: { ETag: `"${version}"` } })),
      http.patch(`/api/tasks/${task.id}`, ({ request }) => {
        ifMatch.push(request.headers.get("If-Match"));
        return problem(412, "the task has changed since you read it; reload it and try again");
      }),
    );
    renderRoute(<TaskDetailView taskId={task.id} />);
    await userEvent.click(await screen.findByRole("button", { name: "Edit" }));
    await userEvent.type(screen.getByLabelText("Title"), " edited");
    version = 2;
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByTestId("conflict-title")).toHaveTextContent(/Original edited\s*Changed elsewhere/);
    await userEvent.click(screen.getByRole("button", { name: "Discard my changes" }));
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveValue("Changed elsewhere"));
    expect(ifMatch).toEqual(['"1"']);
  });
});
