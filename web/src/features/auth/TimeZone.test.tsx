import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { defaultTimeZone, forgetAccountTimeZone } from "../../lib/accountTimeZone";
import { problem, tokenPair } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { server } from "../../test/server";

// The tests run in America/New_York (vite.config.ts).
const USER = { id: "u1", email: "user@example.com", display_name: "Ute", created_at: "2030-01-01T00:00:00Z", timezone: "UTC" };
const STATS = { total: 0, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 };

afterEach(() => {
  forgetAccountTimeZone();
  window.localStorage.clear();
});

function loggedInAs(user: Record<string, unknown>) {
  const patches: unknown[] = [];
  server.use(
    http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair("access-1"))),
    http.get("/api/auth/me", () => HttpResponse.json(user)),
    http.get("/api/stats", () => HttpResponse.json(STATS)),
    http.patch("/api/auth/me", async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      patches.push(body);
      return HttpResponse.json({ ...user, ...body, reminder_webhook_url: null, digest_hour: 8, webhook_secret: null });
    }),
  );
  return patches;
}

describe("an account still on UTC in a browser elsewhere", () => {
  it("is asked once; 'yes' sets the account's zone, which new repeats then use", async () => {
    const patches = loggedInAs(USER);
    await renderApp("/stats");
    await screen.findByRole("heading", { name: "Statistics" });
    const prompt = screen.getByRole("region", { name: "Use America/New York?" });
    expect(prompt).toHaveTextContent("Your account’s time zone is UTC, but this browser is in America/New York.");

    await userEvent.click(screen.getByRole("button", { name: "Yes, use America/New York" }));
    await waitFor(() => expect(screen.queryByRole("region", { name: /Use America/ })).toBeNull());
    expect(patches).toEqual([{ timezone: "America/New_York" }]);
    expect(defaultTimeZone()).toBe("America/New_York");
  });

  it("is never asked again after 'no', in this browser, for this user only", async () => {
    const patches = loggedInAs(USER);
    const first = await renderApp("/stats");
    await userEvent.click(await screen.findByRole("button", { name: "No, keep UTC" }));
    expect(screen.queryByRole("region", { name: /Use America/ })).toBeNull();
    first.unmount();

    await renderApp("/stats");
    await screen.findByRole("heading", { name: "Statistics" });
    expect(screen.queryByRole("region", { name: /Use America/ })).toBeNull();
    expect(patches).toEqual([]);
  });

  it("is not asked when its zone was chosen", async () => {
    loggedInAs({ ...USER, timezone: "Asia/Tokyo" });
    await renderApp("/stats");
    await screen.findByRole("heading", { name: "Statistics" });
    expect(screen.queryByTestId("timezone-prompt")).toBeNull();
  });
});

describe("registration", () => {
  function registering(refuseZone = false) {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      http.post("/api/auth/refresh", () => problem(401, "no refresh token was sent")),
      http.post("/api/auth/register", async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        bodies.push(body);
        if (refuseZone && body.timezone) {
          return problem(422, "the request is invalid", { errors: [{ loc: ["body", "timezone"], msg: "unknown time zone", type: "value_error" }] });
        }
        return HttpResponse.json({ ...USER, timezone: body.timezone ?? "UTC" }, { status: 201 });
      }),
      http.post("/api/auth/login", () => HttpResponse.json(tokenPair("access-1"))),
      http.get("/api/auth/me", () => HttpResponse.json({ ...USER, timezone: bodies.at(-1)?.timezone ?? "UTC" })),
      http.get("/api/tasks", () => HttpResponse.json({ items: [], next_cursor: null })),
      http.get("/api/tags", () => HttpResponse.json({ items: [] })),
      http.get("/api/stats", () => HttpResponse.json(STATS)),
    );
    return bodies;
  }

  async function register() {
    await renderApp("/register");
    await userEvent.type(await screen.findByLabelText("E-mail"), "new@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "river stone 8");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "river stone 8");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    await screen.findByRole("heading", { name: "Tasks", level: 1 });
  }

  it("sends the browser's time zone", async () => {
    const bodies = registering();
    await register();
    expect(bodies).toEqual([{ email: "new@example.com", password: "river stone 8", timezone: "America/New_York" }]);
    expect(screen.queryByTestId("timezone-prompt")).toBeNull();
  });

  it("still creates the account when the server does not know the browser's zone", async () => {
    const bodies = registering(true);
    await register();
    expect(bodies.map((body) => body.timezone)).toEqual(["America/New_York", undefined]);
    // Left on UTC: asked once, as any such account.
    expect(await screen.findByRole("region", { name: "Use America/New York?" })).toBeInTheDocument();
  });
});
