import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { forgetAllDrafts, saveDraft } from "../../lib/drafts/store";
import { makeTask, PERSONAL_WORKSPACE, problem, tokenPair } from "../../test/fixtures";
import type { Task } from "../../types/task";
import { formStateOf } from "./merge";
import { editDraftKey, type TaskDraft } from "./TaskForm";
import { renderFullApp } from "../../test/render";
import { server } from "../../test/server";

const ALICE = { id: "alice", email: "alice@example.com", display_name: "Alice", created_at: "2030-01-01T00:00:00Z", email_verified: true };
const BOB = { id: "bob", email: "bob@example.com", display_name: "Bob", created_at: "2030-01-01T00:00:00Z", email_verified: true };
const personal = { id: PERSONAL_WORKSPACE, name: "Personal", personal: true, role: "owner", created_at: "2030-01-01T00:00:00Z" };
const STATS = { total: 0, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 };

/** Alice is logged in until `revoke()`: then every token and the refresh are refused, until someone logs in again. */
function stack(listed: Task[] = []) {
  let revoked = false;
  const tokens = new Map<string, typeof ALICE>([["access-alice-0", ALICE]]);
  const created: unknown[] = [];
  server.use(
    http.post("/api/auth/refresh", () => (revoked ? problem(401, "the session has ended") : HttpResponse.json(tokenPair("access-alice-0")))),
    http.post("/api/auth/login", async ({ request }) => {
      const { email } = (await request.json()) as { email: string };
      const who = email === BOB.email ? BOB : ALICE;
      const token = `access-${who.id}-${tokens.size}`;
      tokens.set(token, who);
      return HttpResponse.json(tokenPair(token));
    }),
    http.post("/api/auth/logout", () => new HttpResponse(null, { status: 204 })),
    http.get("/api/auth/me", ({ request }) => {
      const who = tokens.get(request.headers.get("Authorization")?.replace("Bearer ", "") ?? "");
      return who ? HttpResponse.json(who) : problem(401, "the session has ended");
    }),
    http.get("/api/workspaces", () => HttpResponse.json({ items: [personal] })),
    http.get("/api/tasks", ({ request }) =>
      tokens.has(request.headers.get("Authorization")?.replace("Bearer ", "") ?? "")
        ? HttpResponse.json({ items: listed, next_cursor: null })
        : problem(401, "the session has ended")),
    http.get("/api/stats", () => HttpResponse.json(STATS)),
    http.get("/api/tags", () => HttpResponse.json({ items: [] })),
    http.post("/api/tasks", async ({ request }) => {
      if (!tokens.has(request.headers.get("Authorization")?.replace("Bearer ", "") ?? "")) return problem(401, "the session has ended");
      const body = await request.json();
      created.push(body);
      return HttpResponse.json({ ...(body as object), id: "t1", version: 1, tags: [], checklist_progress: { done: 0, total: 0 } },
        { status: 201, headers: { ETag: '"1"' } });
    }),
  );
  return {
    created,
    revoke: () => {
      revoked = true;
      tokens.clear();
    },
  };
}

async function logIn(email: string) {
  await userEvent.type(await screen.findByLabelText("E-mail"), email);
  await userEvent.type(screen.getByLabelText("Password"), "correct horse");
  await userEvent.click(screen.getByRole("button", { name: "Log in" }));
  await screen.findByRole("heading", { name: "Tasks", level: 1 });
}

afterEach(() => forgetAllDrafts());

describe("what is typed when the session ends", () => {
  it("comes back after the same user logs in again, with a word why, and never to another user", async () => {
    const api = stack();
    await renderFullApp("/");
    await userEvent.click(await screen.findByRole("button", { name: "New task" }));
    const form = screen.getByRole("form", { name: "New task" });
    await userEvent.type(within(form).getByLabelText("Title"), "Half written");
    await userEvent.type(within(form).getByLabelText("Description"), "Notes so far");
    await userEvent.selectOptions(within(form).getByLabelText("Priority"), "High");

    // The login is revoked elsewhere: the save is refused, the refresh too, and the session ends.
    api.revoke();
    await userEvent.click(within(form).getByRole("button", { name: "Add task" }));
    await screen.findByRole("heading", { name: "Log in" });
    expect(await screen.findByText(/Your session has ended\. .*What you were typing is kept/)).toBeInTheDocument();
    expect(api.created).toEqual([]);
    expect(Object.keys(sessionStorage)).toEqual(["taskforge.drafts.alice"]);

    // Another account on the same tab sees none of it.
    await logIn(BOB.email);
    expect(screen.queryByRole("form", { name: "New task" })).toBeNull();
    expect(screen.queryByTestId("draft-restored")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Log out" }));

    await logIn(ALICE.email);
    const restored = await screen.findByRole("form", { name: "New task" });
    expect(within(restored).getByTestId("draft-restored")).toHaveTextContent(/session ended while you were typing/);
    expect(within(restored).getByLabelText("Title")).toHaveValue("Half written");
    expect(within(restored).getByLabelText("Description")).toHaveValue("Notes so far");
    expect(within(restored).getByLabelText("Priority")).toHaveValue("1");
    // Handed over to the form: no longer in storage.
    await waitFor(() => expect(sessionStorage.getItem("taskforge.drafts.alice")).toBeNull());

    await userEvent.click(within(restored).getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(api.created).toHaveLength(1));
    expect(api.created[0]).toMatchObject({ title: "Half written", description: "Notes so far", priority: 1 });
    await waitFor(() => expect(within(restored).queryByTestId("draft-restored")).toBeNull());
    expect(Object.keys(sessionStorage)).toEqual([]);
  });

  it("is not kept when nothing was typed", async () => {
    const api = stack();
    await renderFullApp("/");
    await userEvent.click(await screen.findByRole("button", { name: "New task" }));
    api.revoke();
    // Any request now ends the session: the filters ask for the list again.
    await userEvent.selectOptions(screen.getByLabelText("Status"), "Open");
    await screen.findByRole("heading", { name: "Log in" });
    expect(screen.getByText("Your session has ended. Log in again to continue.")).toBeInTheDocument();
    expect(Object.keys(sessionStorage)).toEqual([]);
  });
  it("reopens an interrupted edit of a task in the list in place, and offers one of a task not shown as a link", async () => {
    const shown = makeTask({ title: "Shown task", description: "Old notes" });
    const hidden = makeTask({ title: "Hidden task" });
    stack([shown]);
    server.use(http.get(`/api/tasks/${shown.id}`, () => HttpResponse.json(shown, { headers: { ETag: '"1"' } })));
    const draftOf = (task: Task, title: string): TaskDraft => {
      const state = formStateOf(task);
      return { ...state, values: { ...state.values, title }, base: task };
    };
    saveDraft(ALICE.id, editDraftKey(shown.id), draftOf(shown, "Shown task, renamed"));
    saveDraft(ALICE.id, editDraftKey(hidden.id), draftOf(hidden, "Hidden task, renamed"));

    await renderFullApp("/");
    const editor = await screen.findByRole("form", { name: "Edit “Shown task”" });
    expect(within(editor).getByLabelText("Title")).toHaveValue("Shown task, renamed");
    expect(within(editor).getByTestId("draft-restored")).toBeInTheDocument();
    const elsewhere = screen.getByTestId("drafts-elsewhere");
    expect(within(elsewhere).getByRole("link", { name: "Hidden task, renamed" })).toHaveAttribute("href", `/tasks/${hidden.id}`);
  });

  it("compares a restored edit with the version saved meanwhile, as after a refused save", async () => {
    const before = makeTask({ title: "Plan the trip", description: "Book flights", version: 1 });
    const now = { ...before, description: "Book trains", version: 2 };
    stack([now]);
    server.use(
      http.get(`/api/tasks/${before.id}`, () => HttpResponse.json(now, { headers: { ETag: '"2"' } })),
      http.get(`/api/tasks/${before.id}/reminders`, () => HttpResponse.json({ items: [] })),
    );
    const state = formStateOf(before);
    saveDraft(ALICE.id, editDraftKey(before.id), { ...state, values: { ...state.values, title: "Plan the summer trip" }, base: before });

    await renderFullApp("/");
    const conflict = await screen.findByTestId("task-conflict");
    expect(within(conflict).getByTestId("conflict-title")).toHaveTextContent(/Plan the summer trip\s*Plan the trip/);
    expect(within(conflict).getByTestId("conflict-description")).toHaveTextContent(/Book flights\s*Book trains/);
  });
});
