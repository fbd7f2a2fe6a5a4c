import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { PERSONAL_WORKSPACE, problem, tokenPair } from "../../test/fixtures";
import { renderFullApp } from "../../test/render";
import { server } from "../../test/server";
import type { Role, Workspace } from "../../lib/workspaces/api";
import type { Member, MemberList } from "./api";

const ME = { id: "u1", email: "owner@example.com", display_name: "Olive Owner", created_at: "2030-01-01T00:00:00Z" };
const personal: Workspace = { id: PERSONAL_WORKSPACE, name: "Personal", personal: true, role: "owner", created_at: "2030-01-01T00:00:00Z" };

function member(user_id: string, email: string, role: Role, display_name: string | null = null): Member {
  return { user_id, email, display_name, role, joined_at: "2030-01-05T10:00:00Z" };
}

/** Logged in as ME, a member of `team` (in `role`), whose members are `people`. Records what was changed. */
function setUp(role: Role, people: Member[], invitations: MemberList["invitations"] = []) {
  const team: Workspace = { id: "ws-team", name: "Team", personal: false, role, created_at: "2030-01-02T00:00:00Z" };
  let myRole = role;
  let left = false;
  const patches: { userId: string; body: unknown }[] = [];
  const deletes: string[] = [];
  server.use(
    http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair("access-1"))),
    http.get("/api/auth/me", () => HttpResponse.json(ME)),
    http.get("/api/workspaces", () => HttpResponse.json({ items: left ? [personal] : [personal, { ...team, role: myRole }] })),
    http.get("/api/workspaces/ws-team/members", () =>
      HttpResponse.json({ items: people, invitations: myRole === "owner" ? invitations : [] } satisfies MemberList)),
    http.delete("/api/workspaces/ws-team/members/:userId", ({ params }) => {
      const userId = String(params.userId);
      deletes.push(userId);
      people = people.filter((person) => person.user_id !== userId);
      if (userId === ME.id) left = true;
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return {
    patches,
    deletes,
    /** PATCH answers: `answer` decides per request (default: accept). */
    onPatch(answer: (userId: string, role: Role) => Promise<Response> | Response) {
      server.use(
        http.patch("/api/workspaces/ws-team/members/:userId", async ({ params, request }) => {
          const body = (await request.json()) as { role: Role };
          const userId = String(params.userId);
          patches.push({ userId, body });
          const response = await answer(userId, body.role);
          if (response.ok) {
            people = people.map((person) => (person.user_id === userId ? { ...person, role: body.role } : person));
            if (userId === ME.id) myRole = body.role;
          }
          return response;
        }),
      );
    },
  };
}

/** From the workspaces page to the members of Team, as a person would go. */
async function openTeamMembers() {
  const result = await renderFullApp("/workspaces");
  await userEvent.click(await screen.findByRole("link", { name: "Members of Team" }));
  await screen.findByRole("heading", { name: /Members.*Team/, level: 1 });
  await screen.findAllByTestId("member-row");
  return result;
}

const rowOf = (name: string) => screen.getAllByTestId("member-row").find((row) => row.textContent?.includes(name))!;

const bob = member("u2", "bob@example.com", "viewer", "Bob Builder");
const cleo = member("u3", "cleo@example.com", "editor");

describe("the members page", () => {
  it("lists the members with their roles and, for an owner, the controls and the open invitations", async () => {
    setUp("owner", [member(ME.id, ME.email, "owner", ME.display_name), cleo, bob], [
      { id: "inv-dan", email: "dan@example.com", role: "viewer", created_at: "2030-01-06T10:00:00Z", expires_at: "2030-01-13T10:00:00Z" },
    ]);
    await openTeamMembers();

    const rows = screen.getAllByTestId("member-row");
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => within(row).getByTestId("member-role").textContent)).toEqual(["Owner", "Editor", "Viewer"]);
    expect(within(rowOf("Olive Owner")).getByText("You")).toBeInTheDocument();
    // The e-mail is shown under a display name, and is the name when there is none.
    expect(within(rowOf("Bob Builder")).getByText("bob@example.com")).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Role of cleo@example.com" })).toHaveValue("editor");
    expect(screen.getByRole("combobox", { name: "Role of Bob Builder" })).toHaveValue("viewer");
    expect(screen.getByRole("button", { name: "Remove Bob Builder" })).toBeInTheDocument();
    // One does not remove oneself: one leaves.
    expect(screen.queryByRole("button", { name: "Remove Olive Owner" })).toBeNull();
    expect(screen.getByRole("button", { name: "Leave workspace" })).toBeInTheDocument();

    const invitations = screen.getByRole("list", { name: "Open invitations" });
    expect(within(invitations).getByText("dan@example.com")).toBeInTheDocument();
    expect(within(invitations).getByText("Viewer")).toBeInTheDocument();
    expect(screen.getByRole("form", { name: "Invite to Team" })).toBeInTheDocument();
  });

  it("changes a role at once, and keeps it when the server agrees", async () => {
    const api = setUp("owner", [member(ME.id, ME.email, "owner", ME.display_name), bob]);
    let answer: (response: Response) => void = () => undefined;
    api.onPatch(() => new Promise<Response>((resolve) => (answer = resolve)));
    await openTeamMembers();

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Role of Bob Builder" }), "editor");
    // Shown before the server answers.
    expect(within(rowOf("Bob Builder")).getByTestId("member-role")).toHaveTextContent("Editor");
    await waitFor(() => expect(api.patches).toEqual([{ userId: "u2", body: { role: "editor" } }]));
    answer(HttpResponse.json({ ...bob, role: "editor" }));
    expect(await screen.findByText("Bob Builder is now an editor.")).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Role of Bob Builder" })).toHaveValue("editor");
  });

  it("takes a refused change back and says clearly that a workspace needs an owner (409)", async () => {
    const api = setUp("owner", [member(ME.id, ME.email, "owner", ME.display_name), bob]);
    api.onPatch(() => problem(409, "a workspace needs an owner: make someone else an owner first"));
    await openTeamMembers();

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Role of Olive Owner" }), "viewer");
    expect(await screen.findByText(
      "Could not make you a viewer. A workspace needs at least one owner: make someone else an owner first.",
    )).toBeInTheDocument();
    expect(api.patches).toEqual([{ userId: ME.id, body: { role: "viewer" } }]);
    expect(screen.getByRole("combobox", { name: "Role of Olive Owner" })).toHaveValue("owner");
    expect(within(rowOf("Olive Owner")).getByTestId("member-role")).toHaveTextContent("Owner");
  });

  it("takes the controls away at once from an owner who steps down", async () => {
    const api = setUp("owner", [member(ME.id, ME.email, "owner", ME.display_name), member("u9", "boss@example.com", "owner")]);
    api.onPatch((userId, role) => HttpResponse.json({ ...member(userId, ME.email, role, ME.display_name) }));
    await openTeamMembers();

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Role of Olive Owner" }), "editor");
    expect(await screen.findByText("You are now an editor.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("combobox", { name: /Role of/ })).toBeNull());
    expect(screen.getByRole("combobox", { name: "Workspace" })).toHaveDisplayValue("Team (editor)");
    expect(within(rowOf("Olive Owner")).getByTestId("member-role")).toHaveTextContent("Editor");
    expect(screen.queryByRole("form", { name: /Invite/ })).toBeNull();
    expect(screen.getByRole("heading", { name: /People/ })).toHaveFocus();
  });

  it("removes a member after a confirmation, which Escape cancels", async () => {
    const api = setUp("owner", [member(ME.id, ME.email, "owner", ME.display_name), bob, cleo]);
    await openTeamMembers();

    const remove = screen.getByRole("button", { name: "Remove Bob Builder" });
    await userEvent.click(remove);
    const confirm = screen.getByRole("group", { name: /Remove Bob Builder from “Team”\?/ });
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("group", { name: /Remove Bob Builder/ })).toBeNull();
    expect(remove).toHaveFocus();
    expect(api.deletes).toEqual([]);

    await userEvent.click(remove);
    await userEvent.click(screen.getByRole("button", { name: "Yes, remove" }));
    expect(await screen.findByText("Bob Builder was removed from “Team”.")).toBeInTheDocument();
    expect(api.deletes).toEqual(["u2"]);
    expect(screen.getAllByTestId("member-row")).toHaveLength(2);
    expect(screen.queryByText("Bob Builder")).toBeNull();
    expect(screen.getByRole("heading", { name: /People/ })).toHaveFocus();
  });

  it("revokes an open invitation after a confirmation, which Escape cancels", async () => {
    const dan = { id: "inv-dan", email: "dan@example.com", role: "viewer" as const, created_at: "2030-01-06T10:00:00Z", expires_at: "2030-01-13T10:00:00Z" };
    const eve = { ...dan, id: "inv-eve", email: "eve@example.com", role: "editor" as const };
    setUp("owner", [member(ME.id, ME.email, "owner", ME.display_name)], [dan, eve]);
    const revoked: string[] = [];
    server.use(http.delete("/api/workspaces/ws-team/invitations/:id", ({ params }) => {
      revoked.push(String(params.id));
      return new HttpResponse(null, { status: 204 });
    }));
    await openTeamMembers();

    const revoke = screen.getByRole("button", { name: "Revoke the invitation to dan@example.com" });
    await userEvent.click(revoke);
    const confirm = screen.getByRole("group", { name: /Revoke the invitation to dan@example.com\? Its link stops working/ });
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("group", { name: /Revoke the invitation/ })).toBeNull();
    expect(revoke).toHaveFocus();
    expect(revoked).toEqual([]);

    await userEvent.click(revoke);
    await userEvent.click(screen.getByRole("button", { name: "Yes, revoke" }));
    expect(await screen.findByText("The invitation to dan@example.com was revoked: its link no longer works.")).toBeInTheDocument();
    expect(revoked).toEqual(["inv-dan"]);
    const left = screen.getAllByTestId("invitation-row");
    expect(left).toHaveLength(1);
    expect(left[0]).toHaveTextContent("eve@example.com");
    expect(screen.getByRole("heading", { name: "Open invitations" })).toHaveFocus();
  });

  it("says so when the invitation was accepted before it could be revoked, and shows the list as it is now", async () => {
    const dan = { id: "inv-dan", email: "dan@example.com", role: "viewer" as const, created_at: "2030-01-06T10:00:00Z", expires_at: "2030-01-13T10:00:00Z" };
    let invitations = [dan];
    setUp("owner", [member(ME.id, ME.email, "owner", ME.display_name)]);
    server.use(
      http.get("/api/workspaces/ws-team/members", () => HttpResponse.json({
        items: [member(ME.id, ME.email, "owner", ME.display_name), ...(invitations.length ? [] : [member("u4", "dan@example.com", "viewer")])],
        invitations,
      } satisfies MemberList)),
      http.delete("/api/workspaces/ws-team/invitations/:id", () => {
        invitations = [];
        return problem(409, "this invitation was already accepted; remove the member instead");
      }),
    );
    await openTeamMembers();

    await userEvent.click(screen.getByRole("button", { name: "Revoke the invitation to dan@example.com" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, revoke" }));
    expect(await screen.findByText(
      "Could not revoke the invitation to dan@example.com. It was accepted meanwhile: remove the member instead.",
    )).toBeInTheDocument();
    await waitFor(() => expect(screen.queryAllByTestId("invitation-row")).toHaveLength(0));
    expect(screen.getAllByTestId("member-row")).toHaveLength(2);
  });

  it("leaves the workspace and switches to the personal one", async () => {
    const api = setUp("editor", [member("u9", "boss@example.com", "owner"), member(ME.id, ME.email, "editor", ME.display_name)]);
    const { router } = await openTeamMembers();
    expect(screen.getByRole("combobox", { name: "Workspace" })).toHaveDisplayValue("Team (editor)");

    await userEvent.click(screen.getByRole("button", { name: "Leave workspace" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, leave" }));
    expect(await screen.findByText("You left “Team”.")).toBeInTheDocument();
    expect(api.deletes).toEqual([ME.id]);
    await waitFor(() => expect(router.state.location.pathname).toBe("/workspaces"));
    expect(screen.getByRole("combobox", { name: "Workspace" })).toHaveDisplayValue("Personal");
    expect(screen.queryByRole("link", { name: "Members of Team" })).toBeNull();
  });

  it("says why the last owner cannot leave", async () => {
    setUp("owner", [member(ME.id, ME.email, "owner", ME.display_name), bob]);
    server.use(http.delete("/api/workspaces/ws-team/members/:userId", () => problem(409, "a workspace needs an owner")));
    await openTeamMembers();
    await userEvent.click(screen.getByRole("button", { name: "Leave workspace" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, leave" }));
    expect(await screen.findByText(
      "Could not leave “Team”. You are its last owner: make someone else an owner before you leave.",
    )).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Leave workspace" })).toHaveFocus();
  });

  it("shows a viewer the members and roles without the controls", async () => {
    setUp("viewer", [member("u9", "boss@example.com", "owner"), member(ME.id, ME.email, "viewer", ME.display_name)]);
    await openTeamMembers();

    expect(screen.getAllByTestId("member-row").map((row) => within(row).getByTestId("member-role").textContent)).toEqual(["Owner", "Viewer"]);
    expect(screen.queryByRole("combobox", { name: /Role of/ })).toBeNull();
    expect(screen.queryByRole("button", { name: /Remove/ })).toBeNull();
    expect(screen.queryByRole("form", { name: /Invite/ })).toBeNull();
    expect(screen.queryByText("Open invitations")).toBeNull();
    // Anyone may leave a shared workspace.
    expect(screen.getByRole("button", { name: "Leave workspace" })).toBeInTheDocument();
  });

  it("offers no leaving and no managing in the personal workspace", async () => {
    // Nobody else is ever in it: nothing is asked of the server (any request would fail the test).
    setUp("owner", []);
    await renderFullApp("/workspaces/members");
    expect(await screen.findByText(/This is your personal workspace/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: /Members.*Personal/, level: 1 })).toBeInTheDocument();
    expect(screen.queryByTestId("member-row")).toBeNull();
    expect(screen.queryByRole("button", { name: "Leave workspace" })).toBeNull();
    expect(screen.queryByRole("combobox", { name: /Role of/ })).toBeNull();
  });
});
