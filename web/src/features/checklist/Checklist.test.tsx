import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask, problem } from "../../test/fixtures";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { api as client } from "../../api/client";
import { rememberEtag } from "../../api/etags";
import type { Task } from "../../types/task";
import type { ChecklistItem } from "./api";
import { Checklist } from "./Checklist";

/** A checklist endpoint over `items`, with a task whose version grows with every change. */
function checklistServer(task: Task, initial: string[]) {
  let version = 1;
  let items: ChecklistItem[] = initial.map((text, position) => ({ id: `item-${position}`, text, done: false, position }));
  const patches: { body: unknown; ifMatch: string | null }[] = [];
  const progress = () => ({ done: items.filter((item) => item.done).length, total: items.length });
  const state = { conflict: false };
  server.use(
    http.get(`/api/tasks/${task.id}`, () =>
      HttpResponse.json({ ...task, version, checklist_progress: progress() }, { headers: { ETag: `"${version}"` } })),
    http.get(`/api/tasks/${task.id}/checklist`, () => HttpResponse.json({ items })),
    http.post(`/api/tasks/${task.id}/checklist`, async ({ request }) => {
      const { text } = (await request.json()) as { text: string };
      const item = { id: `item-${items.length}`, text, done: false, position: items.length };
      items = [...items, item];
      version += 1;
      return HttpResponse.json(item, { status: 201 });
    }),
    http.patch(`/api/tasks/${task.id}/checklist/:itemId`, async ({ request, params }) => {
      const body = (await request.json()) as Partial<ChecklistItem>;
      const ifMatch = request.headers.get("If-Match");
      patches.push({ body, ifMatch });
      if (state.conflict || (ifMatch && ifMatch !== `"${version}"`)) {
        return problem(412, "the task has changed since you read it; reload it and try again");
      }
      const index = items.findIndex((item) => item.id === params.itemId);
      const item = { ...items[index], ...body };
      const rest = items.filter((_, i) => i !== index);
      if (body.position !== undefined) rest.splice(body.position, 0, item);
      else rest.splice(index, 0, item);
      items = rest.map((each, position) => ({ ...each, position }));
      version += 1;
      return HttpResponse.json(items.find((each) => each.id === item.id));
    }),
    http.delete(`/api/tasks/${task.id}/checklist/:itemId`, ({ params }) => {
      items = items.filter((item) => item.id !== params.itemId).map((each, position) => ({ ...each, position }));
      version += 1;
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { patches, state, texts: () => items.map((item) => item.text) };
}

/** What the detail page does: read the task, keeping its ETag for the next conditional change. */
async function readTask(id: string): Promise<Task> {
  const response = await client.get<Task>(`/tasks/${id}`);
  rememberEtag(id, response.headers.etag);
  return response.data;
}

async function renderChecklist(task: Task) {
  let latest = await readTask(task.id);
  renderRoute(<Checklist taskId={task.id} reloadTask={async () => {
    latest = await readTask(task.id);
  }} />);
  await screen.findByRole("list", { name: "Checklist items" }).catch(() => undefined);
  return () => latest;
}

const texts = () => screen.getAllByTestId("checklist-item").map((row) => row.textContent?.replace(/[⠿↑↓×]|Edit/g, "").trim());

describe("the checklist", () => {
  it("adds, checks, edits and deletes items, and reads the task again for its progress", async () => {
    const task = makeTask();
    const api = checklistServer(task, ["Buy paint"]);
    const latest = await renderChecklist(task);

    await userEvent.type(screen.getByLabelText("New checklist item"), "Sand the walls{Enter}");
    await waitFor(() => expect(texts()).toEqual(["Buy paint", "Sand the walls"]));
    expect(screen.getByLabelText("New checklist item")).toHaveValue("");

    await userEvent.click(screen.getByRole("checkbox", { name: "Done: Buy paint" }));
    await waitFor(() => expect(screen.getByTestId("checklist-count")).toHaveTextContent("1 of 2 done"));
    await waitFor(() => expect(latest().checklist_progress).toEqual({ done: 1, total: 2 }));
    expect(api.patches[0]).toEqual({ body: { done: true }, ifMatch: null });

    await userEvent.click(screen.getByRole("button", { name: "Edit “Sand the walls”" }));
    const input = screen.getByLabelText("Item text");
    await userEvent.clear(input);
    await userEvent.type(input, "Sand and prime{Enter}");
    await waitFor(() => expect(texts()).toEqual(["Buy paint", "Sand and prime"]));

    await userEvent.click(screen.getByRole("button", { name: "Delete “Buy paint”" }));
    await waitFor(() => expect(texts()).toEqual(["Sand and prime"]));
    expect(api.texts()).toEqual(["Sand and prime"]);
  });

  it("reorders with the keyboard, sending the task's ETag, and keeps focus on the moved item", async () => {
    const task = makeTask();
    const api = checklistServer(task, ["One", "Two", "Three"]);
    await renderChecklist(task);
    await screen.findByText("Three");

    const down = screen.getByRole("button", { name: "Move “One” down" });
    await userEvent.click(down);
    await waitFor(() => expect(texts()).toEqual(["Two", "One", "Three"]));
    expect(api.patches.at(-1)).toEqual({ body: { position: 1 }, ifMatch: '"1"' });
    await waitFor(() => expect(screen.getByRole("button", { name: "Move “One” down" })).toHaveFocus());
    expect(screen.getByText(/Moved “One” to position 2 of 3/)).toBeInTheDocument();

    // The second move goes out with the version the first one produced.
    await userEvent.click(screen.getByRole("button", { name: "Move “One” down" }));
    await waitFor(() => expect(texts()).toEqual(["Two", "Three", "One"]));
    expect(api.patches.at(-1)).toEqual({ body: { position: 2 }, ifMatch: '"2"' });
    expect(screen.getByRole("button", { name: "Move “One” down" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Move “Two” up" })).toBeDisabled();
  });

  it("sends quick successive moves one after the other, each with the latest ETag", async () => {
    const task = makeTask();
    const api = checklistServer(task, ["One", "Two", "Three"]);
    await renderChecklist(task);
    await screen.findByText("Three");
    await userEvent.click(screen.getByRole("button", { name: "Move “Three” up" }));
    await userEvent.click(screen.getByRole("button", { name: "Move “Three” up" }));
    await waitFor(() => expect(api.texts()).toEqual(["Three", "One", "Two"]));
    expect(api.patches.map((patch) => patch.ifMatch)).toEqual(['"1"', '"2"']);
    expect(texts()).toEqual(["Three", "One", "Two"]);
  });

  it("reorders by drag and drop", async () => {
    const task = makeTask();
    const api = checklistServer(task, ["One", "Two", "Three"]);
    await renderChecklist(task);
    await screen.findByText("Three");
    const rows = screen.getAllByTestId("checklist-item");
    const dataTransfer = { effectAllowed: "", setData: () => undefined };
    fireEvent.dragStart(rows[2], { dataTransfer });
    fireEvent.dragOver(rows[0], { dataTransfer });
    fireEvent.drop(rows[0], { dataTransfer });
    await waitFor(() => expect(texts()).toEqual(["Three", "One", "Two"]));
    expect(api.texts()).toEqual(["Three", "One", "Two"]);
    expect(api.patches.at(-1)?.body).toEqual({ position: 0 });
  });

  it("reloads the checklist and says so when a move is refused as stale (412)", async () => {
    const task = makeTask();
    const api = checklistServer(task, ["One", "Two"]);
    await renderChecklist(task);
    await screen.findByText("Two");
    api.state.conflict = true;
    await userEvent.click(screen.getByRole("button", { name: "Move “Two” up" }));
    expect(await screen.findByText(/The checklist was changed elsewhere, so it has been reloaded/)).toBeInTheDocument();
    expect(texts()).toEqual(["One", "Two"]);
    const list = screen.getByRole("list", { name: "Checklist items" });
    expect(within(list).getAllByRole("checkbox")).toHaveLength(2);
  });
});
