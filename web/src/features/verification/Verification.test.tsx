import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { PERSONAL_WORKSPACE, problem, tokenPair } from "../../test/fixtures";
import { renderApp, renderFullApp } from "../../test/render";
import { server } from "../../test/server";

const USER = { id: "u1", email: "new@example.com", display_name: null, created_at: "2030-01-01T00:00:00Z" };
const personal = { id: PERSONAL_WORKSPACE, name: "Personal", personal: true, role: "owner", created_at: "2030-01-01T00:00:00Z" };
const STATS = { total: 0, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 };

/** Logged in (or not) as USER, whose address is verified or not; records verification requests. */
function setUp({ loggedIn = true, verified = false } = {}) {
  const calls = { verifyEmail: [] as unknown[], verification: 0 };
  server.use(
    http.post("/api/auth/refresh", () => (loggedIn ? HttpResponse.json(tokenPair("access-1")) : problem(401, "no session"))),
    http.get("/api/auth/me", () => HttpResponse.json({ ...USER, email_verified: verified })),
    http.get("/api/workspaces", () => HttpResponse.json({ items: [personal] })),
    http.get("/api/tasks", () => HttpResponse.json({ items: [], next_cursor: null })),
    http.get("/api/stats", () => HttpResponse.json(STATS)),
    http.get("/api/tags", () => HttpResponse.json({ items: [] })),
    http.post("/api/auth/verification", () => {
      calls.verification += 1;
      return HttpResponse.json({ email: USER.email }, { status: 202 });
    }),
  );
  return calls;
}

function answerVerifyEmail(calls: { verifyEmail: unknown[] }, answer: () => Response) {
  server.use(http.post("/api/auth/verify-email", async ({ request }) => {
    calls.verifyEmail.push(await request.json());
    return answer();
  }));
}

afterEach(() => sessionStorage.clear());

describe("the verification banner", () => {
  it("reminds an unverified user, sends the link again, and stays dismissed for the session", async () => {
    const calls = setUp();
    const first = await renderFullApp("/");
    const banner = await screen.findByRole("complementary", { name: "Address verification" });
    expect(banner).toHaveTextContent("Confirm your e-mail address: open the link we sent to new@example.com.");

    await userEvent.click(within(banner).getByRole("button", { name: "Send the link again" }));
    expect(await within(banner).findByRole("status")).toHaveTextContent("We sent a new link to new@example.com.");
    expect(calls.verification).toBe(1);

    await userEvent.click(within(banner).getByRole("button", { name: "Dismiss the verification reminder" }));
    expect(screen.queryByRole("complementary", { name: "Address verification" })).toBeNull();
    first.unmount();
    await renderFullApp("/");
    await screen.findByRole("combobox", { name: "Workspace" });
    expect(screen.queryByRole("complementary", { name: "Address verification" })).toBeNull();
  });

  it("is not shown to a verified user", async () => {
    setUp({ verified: true });
    await renderFullApp("/");
    await screen.findByRole("combobox", { name: "Workspace" });
    expect(screen.queryByRole("complementary", { name: "Address verification" })).toBeNull();
  });

  it("goes away when the address turns out to be verified already (409)", async () => {
    setUp();
    server.use(http.post("/api/auth/verification", () => problem(409, "your e-mail address is already verified")));
    await renderFullApp("/");
    const banner = await screen.findByRole("complementary", { name: "Address verification" });
    await userEvent.click(within(banner).getByRole("button", { name: "Send the link again" }));
    await waitFor(() => expect(screen.queryByRole("complementary", { name: "Address verification" })).toBeNull());
  });

  it("says when no more links can be sent for now (429)", async () => {
    setUp();
    server.use(http.post("/api/auth/verification", () =>
      problem(429, "too many verification e-mails were sent in the last hour", {}, { "Retry-After": "1200" })));
    await renderFullApp("/");
    const banner = await screen.findByRole("complementary", { name: "Address verification" });
    await userEvent.click(within(banner).getByRole("button", { name: "Send the link again" }));
    expect(await within(banner).findByRole("status"))
      .toHaveTextContent("Too many verification e-mails were sent in the last hour. Try again in 20 minutes.");
  });
});

describe("the verify-email page", () => {
  it("verifies the logged-in user's address, once, and the banner goes away", async () => {
    const calls = setUp();
    answerVerifyEmail(calls, () => HttpResponse.json({ email: USER.email, email_verified: true }));
    await renderFullApp("/verify-email?token=tok-from-the-mail");

    expect(await screen.findByText(/is verified\. You can now accept invitations/)).toHaveTextContent(USER.email);
    expect(calls.verifyEmail).toEqual([{ token: "tok-from-the-mail" }]);
    expect(screen.getByRole("link", { name: "Go to your tasks" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("link", { name: "Go to your tasks" }));
    await screen.findByRole("heading", { name: /Tasks/, level: 1 });
    expect(screen.queryByRole("complementary", { name: "Address verification" })).toBeNull();
  });

  it("needs no login: the link may be opened in another browser", async () => {
    const calls = setUp({ loggedIn: false });
    answerVerifyEmail(calls, () => HttpResponse.json({ email: USER.email, email_verified: true }));
    await renderFullApp("/verify-email?token=tok-elsewhere");
    expect(await screen.findByText(/is verified/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Log in" })).toBeInTheDocument();
  });

  it("sends the token once even where React runs effects twice", async () => {
    const calls = setUp({ loggedIn: false });
    answerVerifyEmail(calls, () => HttpResponse.json({ email: USER.email, email_verified: true }));
    await renderApp("/verify-email?token=tok-strict", { strict: true });
    expect(await screen.findByText(/is verified/)).toBeInTheDocument();
    expect(calls.verifyEmail).toHaveLength(1);
  });

  it("says why a spent link does not work, and offers a new one", async () => {
    const calls = setUp();
    answerVerifyEmail(calls, () => problem(410, "this verification link has expired; ask for a new one"));
    await renderFullApp("/verify-email?token=tok-old");

    expect(await screen.findByRole("alert")).toHaveTextContent("This verification link has expired; ask for a new one.");
    await userEvent.click(screen.getByRole("button", { name: "Send the verification e-mail again" }));
    expect(await screen.findByText("We sent a new link to new@example.com. It works once, for 24 hours.")).toBeInTheDocument();
  });

  it("explains a link that is not valid", async () => {
    const calls = setUp({ loggedIn: false });
    answerVerifyEmail(calls, () => problem(400, "this verification link is not valid; ask for a new one"));
    await renderFullApp("/verify-email?token=garbled");
    expect(await screen.findByRole("alert")).toHaveTextContent(/not valid\. Check that you opened the whole link/);
    expect(screen.getByRole("link", { name: "Log in" })).toBeInTheDocument();
  });

  it("sends nothing for a link without a token", async () => {
    const calls = setUp({ loggedIn: false });
    answerVerifyEmail(calls, () => HttpResponse.json({ email: USER.email, email_verified: true }));
    await renderFullApp("/verify-email");
    expect(await screen.findByRole("alert")).toHaveTextContent("This link has no token.");
    expect(calls.verifyEmail).toEqual([]);
  });
});
