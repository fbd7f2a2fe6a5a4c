import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { problem, tokenPair } from "../../test/fixtures";
import { renderFullApp } from "../../test/render";
import { server } from "../../test/server";
import { absoluteUrl } from "./api";
import { defaultTimeZone, forgetAccountTimeZone } from "../../lib/accountTimeZone";

const USER = { id: "u1", email: "user@example.com", display_name: "Old name", created_at: "2030-01-01T00:00:00Z" };
const PROFILE = { ...USER, timezone: "UTC", reminder_webhook_url: null, digest_hour: 8, webhook_secret: null };

function loggedIn() {
  const patches: unknown[] = [];
  server.use(
    http.post("/api/auth/refresh", () => HttpResponse.json(tokenPair("access-1"))),
    http.get("/api/auth/me", () => HttpResponse.json(USER)),
    http.get("/api/workspaces", () => HttpResponse.json({ items: [] })),
    http.patch("/api/auth/me", async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      patches.push(body);
      if (body.reminder_webhook_url === "https://unreachable.invalid/hook") {
        return problem(422, "the webhook host 'unreachable.invalid' does not resolve");
      }
      return HttpResponse.json({
        ...PROFILE,
        ...body,
        webhook_secret: typeof body.reminder_webhook_url === "string" ? "whsec_once" : null,
      });
    }),
  );
  return patches;
}

afterEach(() => {
  forgetAccountTimeZone();
  window.localStorage.removeItem("taskforge-theme");
  document.documentElement.removeAttribute("data-bs-theme");
});

describe("the theme", () => {
  it("comes from the account once logged in, and a change is shown at once and kept on the account", async () => {
    const patches = loggedIn();
    server.use(http.get("/api/auth/me", () => HttpResponse.json({ ...USER, theme: "dark" })));
    await renderFullApp("/settings");
    await waitFor(() => expect(document.documentElement).toHaveAttribute("data-bs-theme", "dark"));
    expect(await screen.findByLabelText("Dark")).toBeChecked();
    await userEvent.click(screen.getByLabelText("Light"));
    expect(document.documentElement).toHaveAttribute("data-bs-theme", "light");
    await waitFor(() => expect(patches).toEqual([{ theme: "light" }]));
    expect(window.localStorage.getItem("taskforge-theme")).toBe("light");
  });

  it("goes back to the earlier theme when the account refuses the change", async () => {
    loggedIn();
    server.use(
      http.get("/api/auth/me", () => HttpResponse.json({ ...USER, theme: "light" })),
      http.patch("/api/auth/me", () => problem(503, "the database is unavailable")),
    );
    await renderFullApp("/settings");
    await userEvent.click(await screen.findByLabelText("Dark"));
    expect(await screen.findByText(/Could not save the theme/)).toBeInTheDocument();
    expect(screen.getByLabelText("Light")).toBeChecked();
    expect(document.documentElement).toHaveAttribute("data-bs-theme", "light");
  });
});

describe("the settings page", () => {
  it("sends only what changed, and the new time zone becomes the default for new repeats", async () => {
    const patches = loggedIn();
    await renderFullApp("/settings");
    const name = await screen.findByLabelText("Display name");
    await waitFor(() => expect(name).toHaveValue("Old name"));
    await userEvent.clear(name);
    await userEvent.type(name, "New name");
    await userEvent.selectOptions(screen.getByLabelText("Time zone"), "Asia/Tokyo");
    await userEvent.selectOptions(screen.getByLabelText("Daily digest at"), "07:00");
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(patches).toHaveLength(1));
    expect(patches[0]).toEqual({ display_name: "New name", timezone: "Asia/Tokyo", digest_hour: 7 });
    expect(await screen.findByText("Settings saved.")).toBeInTheDocument();
    expect(defaultTimeZone()).toBe("Asia/Tokyo");
    // The saved values come back from the server: the next save sends nothing.
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText(/no setting has changed/)).toBeInTheDocument();
    expect(patches).toHaveLength(1);
  });

  it("shows the webhook secret once, with a warning and a copy button, and a refused URL by the field", async () => {
    const patches = loggedIn();
    await renderFullApp("/settings");
    const url = await screen.findByLabelText("Reminder webhook URL");
    await userEvent.type(url, "http://insecure.example.com");
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(url).toHaveAccessibleDescription(/Enter an https:\/\/ address/);
    expect(patches).toHaveLength(0);

    await userEvent.clear(url);
    await userEvent.type(url, "https://unreachable.invalid/hook");
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(url).toHaveAccessibleDescription(/does not resolve/));

    await userEvent.clear(url);
    await userEvent.type(url, "https://hooks.example.com/taskforge");
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText(/shown only once/)).toBeInTheDocument();
    expect(screen.getByLabelText("Webhook secret")).toHaveValue("whsec_once");
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    await userEvent.click(screen.getByRole("button", { name: "Copy the webhook secret" }));
    expect(writeText).toHaveBeenCalledWith("whsec_once");
    await userEvent.click(screen.getByRole("button", { name: "I have saved it" }));
    expect(screen.queryByLabelText("Webhook secret")).toBeNull();
  });

  it("changes the password, says what else was revoked, and sends the user to log in again", async () => {
    loggedIn();
    const bodies: unknown[] = [];
    let refreshes = 0;
    server.use(
      http.post("/api/auth/password", async ({ request }) => {
        const body = (await request.json()) as { current_password: string; new_password: string };
        bodies.push(body);
        if (request.headers.get("Authorization") !== "Bearer access-2") return problem(401, "the token is invalid or expired");
        if (body.current_password !== "the old one!") return problem(401, "the current password is wrong");
        if (body.new_password === "user@example.com") {
          return problem(422, "the password contains your e-mail address; choose one that does not");
        }
        if (body.new_password === "qwertyuiop") {
          return problem(422, "the request is invalid", { errors: [{ loc: ["body", "new_password"], type: "weak_password",
            msg: "the password is one of the most common passwords, which are guessed first; choose another" }] });
        }
        return HttpResponse.json({ calendar_feed_revoked: true, webhook_removed: true });
      }),
      http.post("/api/auth/logout", () => problem(401, "the session has ended")),
      // The page opens with access-1; by the time of the change it has expired.
      http.post("/api/auth/refresh", () => {
        refreshes += 1;
        return HttpResponse.json(tokenPair(`access-${refreshes}`));
      }),
    );
    await renderFullApp("/settings");
    const current = await screen.findByLabelText("Current password");
    const next = screen.getByLabelText("New password");
    const confirm = screen.getByLabelText("Repeat the new password");
    const submit = screen.getByRole("button", { name: "Change the password" });

    await userEvent.type(next, "short");
    await userEvent.click(submit);
    expect(current).toHaveAccessibleDescription("Enter your current password.");
    expect(next).toHaveAccessibleDescription(/at least 8 characters/);
    expect(bodies).toHaveLength(0);

    await userEvent.type(current, "a wrong one");
    await userEvent.clear(next);
    await userEvent.type(next, "qwertyuiop");
    await userEvent.type(confirm, "qwertyuiop");
    await userEvent.click(submit);
    await waitFor(() => expect(current).toHaveAccessibleDescription("The current password is wrong."));
    expect(refreshes).toBe(2); // one to open the page, one to renew the expired token: never a logout

    await userEvent.clear(current);
    await userEvent.type(current, "the old one!");
    await userEvent.click(submit);
    await waitFor(() => expect(next).toHaveAccessibleDescription(/one of the most common passwords/));

    await userEvent.clear(next);
    await userEvent.type(next, "user@example.com");
    await userEvent.clear(confirm);
    await userEvent.type(confirm, "user@example.com");
    await userEvent.click(submit);
    await waitFor(() => expect(next).toHaveAccessibleDescription(/contains your e-mail address/));

    await userEvent.clear(next);
    await userEvent.type(next, "a far better passphrase");
    await userEvent.clear(confirm);
    await userEvent.type(confirm, "a far better passphrase");
    await userEvent.click(submit);

    const done = await screen.findByText(/Your password has been changed/);
    const notice = done.closest("[role=alert]");
    expect(notice).toHaveTextContent("Every session has ended, this one too");
    expect(notice).toHaveTextContent("Your calendar feed link was revoked: make a new one");
    expect(notice).toHaveTextContent("Your reminder webhook was removed, with its signing secret");
    await userEvent.click(screen.getByRole("button", { name: "Log in again" }));
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
  });

  it("mentions only what there was to revoke", async () => {
    loggedIn();
    server.use(http.post("/api/auth/password", () => HttpResponse.json({ calendar_feed_revoked: false, webhook_removed: false })));
    await renderFullApp("/settings");
    await userEvent.type(await screen.findByLabelText("Current password"), "the old one!");
    await userEvent.type(screen.getByLabelText("New password"), "a far better passphrase");
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "a far better passphrase");
    await userEvent.click(screen.getByRole("button", { name: "Change the password" }));

    const notice = (await screen.findByText(/Your password has been changed/)).closest("[role=alert]");
    expect(notice).not.toHaveTextContent("calendar feed");
    expect(notice).not.toHaveTextContent("webhook");
  });

  it("makes a calendar feed URL (absolute) and revokes it", async () => {
    loggedIn();
    let feeds = 0;
    let revoked = 0;
    server.use(
      http.post("/api/calendar-feed", () => {
        feeds += 1;
        return HttpResponse.json({ url: `/api/calendar/secret${feeds}.ics` }, { status: 201 });
      }),
      http.delete("/api/calendar-feed", () => {
        revoked += 1;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await renderFullApp("/settings");
    await userEvent.click(await screen.findByRole("button", { name: "Create a calendar feed URL" }));
    expect(await screen.findByLabelText("Calendar feed URL")).toHaveValue(`${window.location.origin}/api/calendar/secret1.ics`);
    await userEvent.click(screen.getByRole("button", { name: "Revoke the feed" }));
    await waitFor(() => expect(screen.queryByLabelText("Calendar feed URL")).toBeNull());
    expect(revoked).toBe(1);
    expect(absoluteUrl("https://feeds.example.com/x.ics", "http://localhost")).toBe("https://feeds.example.com/x.ics");
  });
});
