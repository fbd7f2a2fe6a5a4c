import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { problem, tokenPair } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { server } from "../../test/server";
import { login } from "../../lib/session/api";
import { forgetDevices } from "../../lib/session/devices";
import { validateLogin, validateRegistration } from "./validation";

const user = { id: "u1", email: "user@example.com", display_name: "Demo User", created_at: "2030-01-01T00:00:00Z" };

function noSessionYet() {
  server.use(http.post("/api/auth/refresh", () => problem(401, "no refresh token was sent")));
}

describe("login", () => {
  it("checks the fields before sending anything", async () => {
    noSessionYet();
    await renderApp("/login");
    const submit = await screen.findByRole("button", { name: "Log in" });

    await userEvent.click(submit);

    expect(screen.getByLabelText("E-mail")).toHaveAccessibleDescription("Enter your e-mail address.");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("Enter your password.");
    expect(screen.getByLabelText("E-mail")).toHaveAttribute("aria-invalid", "true");
    await waitFor(() => expect(screen.getByLabelText("E-mail")).toHaveFocus());

    await userEvent.type(screen.getByLabelText("E-mail"), "not-an-address");
    await userEvent.click(submit);
    expect(screen.getByLabelText("E-mail")).toHaveAccessibleDescription(/valid e-mail address/);
  });

  it("sends a visitor to the login page and back where they came from afterwards", async () => {
    noSessionYet();
    let loginBody: unknown;
    server.use(
      http.post("/api/auth/login", async ({ request }) => {
        loginBody = await request.json();
        return HttpResponse.json(tokenPair("access-1"));
      }),
      http.get("/api/auth/me", ({ request }) =>
        request.headers.get("Authorization") === "Bearer access-1" ? HttpResponse.json(user) : problem(401, "no")),
      http.get("/api/stats", () =>
        HttpResponse.json({ total: 0, completed: 0, overdue: 0, by_priority: { 1: 0, 2: 0, 3: 0 }, completion_rate: 0 })),
    );
    const { router } = await renderApp("/stats");

    await screen.findByRole("heading", { name: "Log in" });
    expect(router.state.location.pathname).toBe("/login");

    await userEvent.type(screen.getByLabelText("E-mail"), " user@example.com ");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));

    await screen.findByRole("heading", { name: "Statistics" });
    expect(router.state.location.pathname).toBe("/stats");
    expect(loginBody).toEqual({ email: "user@example.com", password: "correct horse" });
  });

  it("shows the server's reason when the login is refused, and when to retry after a 429", async () => {
    noSessionYet();
    server.use(http.post("/api/auth/login", () => problem(401, "wrong e-mail or password")));
    await renderApp("/login");
    await userEvent.type(await screen.findByLabelText("E-mail"), "user@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "wrong password");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong e-mail or password.");

    server.use(http.post("/api/auth/login", () => problem(429, "too many failed logins", {}, { "Retry-After": "600" })));
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent("Too many failed logins. Try again in 10 minutes."));
  });

  it("restores the session with one refresh on start", async () => {
    let refreshes = 0;
    server.use(
      http.post("/api/auth/refresh", () => {
        refreshes += 1;
        return HttpResponse.json(tokenPair("restored"));
      }),
      http.get("/api/auth/me", () => HttpResponse.json(user)),
      http.get("/api/stats", () =>
        HttpResponse.json({ total: 2, completed: 1, overdue: 0, by_priority: { 1: 1, 2: 1, 3: 0 }, completion_rate: 0.5 })),
    );
    await renderApp("/stats");
    await screen.findByRole("heading", { name: "Statistics" });
    expect(refreshes).toBe(1);
  });
});

describe("registration rules", () => {
  it("match the API's", () => {
    expect(validateLogin({ email: "a@b.co", password: "x" })).toEqual({});
    const ok = { email: "a@b.co", password: "river stone 8", confirm: "river stone 8", display_name: "" };
    expect(validateRegistration(ok)).toEqual({});
    expect(validateRegistration({ ...ok, password: "1234567", confirm: "1234567" }).password).toMatch(/at least 8/);
    expect(validateRegistration({ ...ok, confirm: "something else" }).confirm).toMatch(/do not match/);
    expect(validateRegistration({ ...ok, password: "x".repeat(129), confirm: "x".repeat(129) }).password).toMatch(/at most 128/);
    // Eight characters of any script, counted as the server counts them.
    expect(validateRegistration({ ...ok, password: "🔑🔑🔑🔑🔑🔑🔑🔑", confirm: "🔑🔑🔑🔑🔑🔑🔑🔑" })).toEqual({});
    expect(validateRegistration({ ...ok, password: " ".repeat(8), confirm: " ".repeat(8) }).password).toMatch(/spaces/);
  });

  it("shows why the server refused a password, by the password field", async () => {
    noSessionYet();
    server.use(
      http.post("/api/auth/register", () =>
        problem(422, "the request is invalid", {
          errors: [{ loc: ["body", "password"], type: "weak_password",
            msg: "the password is one of the most common passwords, which are guessed first; choose another" }],
        })),
    );
    await renderApp("/register");
    await userEvent.type(await screen.findByLabelText("E-mail"), "new@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "qwertyuiop");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "qwertyuiop");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));

    await waitFor(() =>
      expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(/one of the most common passwords/));
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
  });
});

describe("device tokens", () => {
  afterEach(() => forgetDevices());

  it("are kept from a login and sent with the next login to the same account only", async () => {
    noSessionYet();
    const bodies: Record<string, unknown>[] = [];
    server.use(
      http.post("/api/auth/login", async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ ...tokenPair("access-1"), device_token: `device-${bodies.length}` });
      }),
      http.get("/api/auth/me", () => HttpResponse.json(user)),
    );

    await login({ email: "User@Example.com", password: "correct horse" });
    await login({ email: "user@example.com ", password: "correct horse" });
    await login({ email: "someone.else@example.com", password: "correct horse" });
    await login({ email: "user@example.com", password: "correct horse" });

    expect(bodies.map((body) => body.device_token)).toEqual([undefined, "device-1", undefined, "device-2"]);
    expect(JSON.stringify(bodies)).not.toContain("refresh");
  });
});
