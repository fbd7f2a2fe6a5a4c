import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask, PERSONAL_WORKSPACE, problem, tokenPair } from "../../test/fixtures";
import { renderFullApp } from "../../test/render";
import { server } from "../../test/server";
import type { Workspace } from "../../lib/workspaces/api";

const USER = { id: "u1", email: "user@example.com", display_name: "User", created_at: "2030-01-01T00:00:00Z" };
const personal: Workspace = { id: PERSONAL_WORKSPACE, name: "Personal", personal: true, role: "owner", created_at: "2030-01-01T00:00:00Z" };
const team: Workspace = { id: "ws-team", name: "Team", personal: false, role: "owner", created_at: "2030-01-02T00:00:00Z" };
const shared: Workspace = { id: "ws-shared", name: "Shared", personal: false, role: "viewer", created_at: "2030-01-03T00:00:00Z" };
const STATS = { total: 0, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 };

/** A logged-in user and the endpoints of the task list, recording the workspace each was asked for. */
function loggedIn(workspaces: Workspace[]) {
  const asked: Record<string, (string | null)[]> = { tasks: [], stats: [], tags: [] };
  let list = [...workspaces];
  server.use(
    http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair("access-1"))),
    http.get("/api/auth/me", () => HttpResponse.json(USER)),
    // Personal first, whatever order the server keeps.
    http.get("/api/workspaces", () => HttpResponse.json({ items: [...list].reverse() })),
    http.post("/api/workspaces", async ({ request }) => {
      const { name } = (await request.json()) as { name: string };
      const created: Workspace = { id: "ws-new", name, personal: false, role: "owner", created_at: "2030-02-01T00:00:00Z" };
      list = [...list, created];
      return HttpResponse.json(created, { status: 201 });
    }),
    ...(["tasks", "stats", "tags"] as const).map((what) =>
      http.get(`/api/${what}`, ({ request }) => {
        const workspace = new URL(request.url).searchParams.get("workspace_id");
        asked[what].push(workspace);
        if (what === "stats") return HttpResponse.json(STATS);
        if (what === "tags") return HttpResponse.json({ items: [] });
        const items = workspace === "ws-shared" ? [makeTask({ title: "Shared task", workspace_id: "ws-shared" })] : [];
        return HttpResponse.json({ items, next_cursor: null });
      })),
  );
  return { asked, join: (workspace: Workspace) => (list = [...list, workspace]) };
}

describe("workspaces", () => {
  it("lists the personal workspace first and switches the list, stats and tags to another", async () => {
    const { asked } = loggedIn([personal, team]);
    await renderFullApp("/");
    await screen.findByText(/No tasks yet/);
    const switcher = await screen.findByRole("combobox", { name: "Workspace" });
    expect(within(switcher).getAllByRole("option").map((option) => option.textContent)).toEqual(["Personal", "Team (owner)"]);
    // The personal workspace is the API's default: no parameter needed.
    expect(asked.tasks).toEqual([null]);

    await userEvent.selectOptions(switcher, "Team (owner)");
    await waitFor(() => expect(asked.tasks.at(-1)).toBe("ws-team"));
    await waitFor(() => expect(asked.stats.at(-1)).toBe("ws-team"));
    await waitFor(() => expect(asked.tags.at(-1)).toBe("ws-team"));
    expect(screen.getByRole("heading", { name: /Tasks.*Team/ })).toBeInTheDocument();
  });

  it("creates a workspace and selects it", async () => {
    loggedIn([personal]);
    await renderFullApp("/workspaces");
    await userEvent.click(await screen.findByRole("button", { name: "Create workspace" }));
    expect(screen.getByLabelText("Workspace name")).toHaveAccessibleDescription("Give the workspace a name.");
    await userEvent.type(screen.getByLabelText("Workspace name"), "Family");
    await userEvent.click(screen.getByRole("button", { name: "Create workspace" }));
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Workspace" })).toHaveDisplayValue("Family (owner)"));
    const rows = screen.getAllByTestId("workspace-row");
    expect(within(rows[1]).getByText("Selected")).toBeInTheDocument();
  });

  it("lets an owner invite someone and shows the link to copy", async () => {
    loggedIn([personal, team]);
    const invitations: unknown[] = [];
    server.use(
      http.post("/api/workspaces/ws-team/invitations", async ({ request }) => {
        invitations.push(await request.json());
        return HttpResponse.json({ id: "inv-1", token: "tok-123", emailed: true }, { status: 201 });
      }),
    );
    await renderFullApp("/workspaces");
    // Only the owner of a shared workspace can invite; the personal one cannot be shared.
    expect(await screen.findByRole("button", { name: "Invite someone to Team" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Invite someone to Personal" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Invite someone to Team" }));
    await userEvent.type(screen.getByLabelText("E-mail"), "friend@example.com");
    await userEvent.selectOptions(screen.getByLabelText("Role"), "viewer");
    await userEvent.click(screen.getByRole("button", { name: "Invite" }));
    expect(await screen.findByLabelText("Invitation link")).toHaveValue(`${window.location.origin}/invitations/tok-123`);
    expect(invitations).toEqual([{ email: "friend@example.com", role: "viewer" }]);
    expect(screen.getByRole("button", { name: "Copy the invitation link" })).toBeInTheDocument();
    expect(screen.getByText("We e-mailed the invitation to friend@example.com.")).toBeInTheDocument();
  });

  it("says when the invitation e-mail could not be sent, and still shows the link", async () => {
    loggedIn([personal, team]);
    server.use(http.post("/api/workspaces/ws-team/invitations", () =>
      HttpResponse.json({ id: "inv-2", token: "tok-456", emailed: false }, { status: 201 })));
    await renderFullApp("/workspaces");
    await userEvent.click(await screen.findByRole("button", { name: "Invite someone to Team" }));
    await userEvent.type(screen.getByLabelText("E-mail"), "friend@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Invite" }));
    expect(await screen.findByText("The e-mail to friend@example.com could not be sent: pass the link on yourself."))
      .toBeInTheDocument();
    expect(screen.getByLabelText("Invitation link")).toHaveValue(`${window.location.origin}/invitations/tok-456`);
  });

  it("accepts an invitation, then shows the workspace read-only to a viewer", async () => {
    const { join } = loggedIn([personal]);
    server.use(
      http.post("/api/invitations/tok-9/accept", () => {
        join(shared);
        return HttpResponse.json(shared);
      }),
    );
    const { router } = await renderFullApp("/invitations/tok-9");
    await userEvent.click(await screen.findByRole("button", { name: "Accept the invitation" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(await screen.findByText(/You joined “Shared”/)).toBeInTheDocument();
    expect(await screen.findByText("Shared task")).toBeInTheDocument();
    expect(screen.getByText("View only")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New task" })).toBeNull();
    expect(screen.getByRole("checkbox", { name: "Completed: Shared task" })).toBeDisabled();
    expect(screen.queryByRole("button", { name: /Delete/ })).toBeNull();
  });

  it("explains an invitation that cannot be used, in the server's words", async () => {
    loggedIn([personal]);
    server.use(http.post("/api/invitations/old/accept", () => problem(410, "this invitation was revoked")));
    await renderFullApp("/invitations/old");
    await userEvent.click(await screen.findByRole("button", { name: "Accept the invitation" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This invitation was revoked.");
  });

  it("asks for a verified address before joining, and sends the link again", async () => {
    const { join } = loggedIn([personal]);
    let verified = false;
    let sent = 0;
    server.use(
      http.post("/api/invitations/tok-9/accept", () => {
        if (!verified) {
          return problem(403, "verify your e-mail address first: open the link we sent you, or ask for a new one",
            { reason: "email-unverified" });
        }
        join(shared);
        return HttpResponse.json(shared);
      }),
      http.post("/api/auth/verification", () => {
        sent += 1;
        return HttpResponse.json({ email: USER.email }, { status: 202 });
      }),
    );
    const { router } = await renderFullApp("/invitations/tok-9");
    await userEvent.click(await screen.findByRole("button", { name: "Accept the invitation" }));

    const notice = await screen.findByTestId("verify-first");
    expect(notice).toHaveTextContent(/Verify your e-mail address first: open the link we sent to user@example.com/);
    expect(screen.queryByText(/for another account/)).toBeNull();
    await userEvent.click(within(notice).getByRole("button", { name: "Send the verification e-mail again" }));
    expect(await within(notice).findByRole("status")).toHaveTextContent("We sent a new link to user@example.com.");
    expect(sent).toBe(1);

    // The link followed (in the mail program), the same page now lets them in.
    verified = true;
    await userEvent.click(screen.getByRole("button", { name: "Accept the invitation" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
  });

  it("tells an account whose address is another one to log in with the invited address", async () => {
    loggedIn([personal]);
    server.use(http.post("/api/invitations/tok-x/accept", () => problem(403, "this invitation was sent to another e-mail address")));
    await renderFullApp("/invitations/tok-x");
    await userEvent.click(await screen.findByRole("button", { name: "Accept the invitation" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/for another account/);
    expect(screen.queryByTestId("verify-first")).toBeNull();
  });
});
