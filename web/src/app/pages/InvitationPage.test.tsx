import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { problem, tokenPair } from "../../test/fixtures";
import { renderFullApp } from "../../test/render";
import { server } from "../../test/server";

const USER = { id: "u2", email: "max@example.com", display_name: "Max", created_at: "2030-01-01T00:00:00Z", email_verified: true };
const DETAILS = { workspace_name: "Studio", role: "editor", invited_by: "Olive Owner", expires_at: "2030-02-01T12:00:00Z" };
const STUDIO = { id: "ws-studio", name: "Studio", personal: false, role: "editor", created_at: "2030-01-01T00:00:00Z" };

/** The invitation endpoints; `read` is what GET /api/invitations/tok-1 answers. */
function invitation(read: () => Response) {
  const accepted: string[] = [];
  const reads: (string | null)[] = [];
  server.use(
    http.get("/api/invitations/tok-1", ({ request }) => {
      reads.push(request.headers.get("Authorization"));
      return read();
    }),
    http.post("/api/invitations/tok-1/accept", ({ request }) => {
      accepted.push(request.headers.get("Authorization") ?? "");
      return HttpResponse.json(STUDIO);
    }),
    http.get("/api/tasks", () => HttpResponse.json({ items: [], next_cursor: null })),
    http.get("/api/tags", () => HttpResponse.json({ items: [] })),
    http.get("/api/stats", () =>
      HttpResponse.json({ total: 0, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 })),
  );
  return { accepted, reads };
}

function loggedIn() {
  let joined = false;
  server.use(
    http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair("access-1"))),
    http.get("/api/auth/me", () => HttpResponse.json(USER)),
    http.get("/api/workspaces", () => HttpResponse.json({ items: joined ? [STUDIO] : [] })),
    http.get("/api/workspaces/ws-studio/members", () => HttpResponse.json({ items: [{}, {}], invitations: [] })),
  );
  return () => (joined = true);
}

describe("the invitation page", () => {
  it("names the workspace, the role and who invited, and joins", async () => {
    const join = loggedIn();
    const calls = invitation(() => HttpResponse.json(DETAILS));
    server.use(http.post("/api/invitations/tok-1/accept", () => {
      join();
      return HttpResponse.json(STUDIO);
    }));
    await renderFullApp("/invitations/tok-1");

    expect(await screen.findByRole("heading", { name: "Join “Studio”", level: 1 })).toBeInTheDocument();
    expect(screen.getByTestId("invitation-summary")).toHaveTextContent(
      "Olive Owner invited you to join “Studio” as an editor, who adds and changes its tasks.");
    expect(calls.accepted).toEqual([]); // opened directly: accepting is the user's click

    await userEvent.click(screen.getByRole("button", { name: "Accept the invitation" }));
    expect(await screen.findByText("You joined “Studio”.")).toBeInTheDocument();
  });

  it("says when the invitation does not exist, or was used or has expired, with nothing to accept", async () => {
    loggedIn();
    invitation(() => problem(404, "no such invitation"));
    const first = await renderFullApp("/invitations/tok-1");
    expect(await screen.findByTestId("invitation-unusable")).toHaveTextContent("This invitation does not exist.");
    expect(screen.queryByRole("button", { name: "Accept the invitation" })).toBeNull();
    first.unmount();

    invitation(() => problem(410, "this invitation was revoked"));
    await renderFullApp("/invitations/tok-1");
    expect(await screen.findByTestId("invitation-unusable")).toHaveTextContent("This invitation was already used or has expired.");
    expect(screen.queryByRole("button", { name: "Accept the invitation" })).toBeNull();
  });
});

describe("a logged-out invitee", () => {
  it("sees the invitation on the login and register pages, and it is accepted after logging in", async () => {
    let session = false;
    server.use(
      http.post("/api/auth/refresh", () => (session ? HttpResponse.json(tokenPair("access-1")) : problem(401, "no refresh token"))),
      http.post("/api/auth/login", () => {
        session = true;
        return HttpResponse.json(tokenPair("access-1"));
      }),
      http.get("/api/auth/me", () => HttpResponse.json(USER)),
      http.get("/api/workspaces", () => HttpResponse.json({ items: [STUDIO] })),
      http.get("/api/workspaces/ws-studio/members", () => HttpResponse.json({ items: [{}, {}], invitations: [] })),
    );
    const calls = invitation(() => HttpResponse.json(DETAILS));
    const { router } = await renderFullApp("/invitations/tok-1");

    await screen.findByRole("heading", { name: "Log in" });
    expect(await screen.findByRole("region", { name: "Your invitation" })).toHaveTextContent(
      "Olive Owner invited you to join “Studio” as an editor");
    // Read without a session.
    expect(calls.reads[0]).toBeNull();

    await userEvent.click(screen.getByRole("link", { name: "Create an account" }));
    await screen.findByRole("heading", { name: "Create an account" });
    expect(await screen.findByRole("region", { name: "Your invitation" })).toHaveTextContent("“Studio”");

    await userEvent.click(screen.getByRole("link", { name: "Log in" }));
    await userEvent.type(await screen.findByLabelText("E-mail"), USER.email);
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByText("You joined “Studio”.")).toBeInTheDocument();
    expect(calls.accepted).toEqual(["Bearer access-1"]);
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
  });
});
