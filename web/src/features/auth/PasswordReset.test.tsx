import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { problem } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { server } from "../../test/server";

function noSession() {
  server.use(http.post("/api/auth/refresh", () => problem(401, "no refresh token was sent")));
}

describe("forgot password", () => {
  it("is linked from the login page, keeps the typed address, and always says the same", async () => {
    noSession();
    const bodies: unknown[] = [];
    server.use(
      http.post("/api/auth/password-reset", async ({ request }) => {
        bodies.push(await request.json());
        return new HttpResponse(null, { status: 202 });
      }),
    );
    await renderApp("/login");
    await userEvent.type(await screen.findByLabelText("E-mail"), "who@example.com");
    await userEvent.click(screen.getByRole("link", { name: "Forgot password?" }));

    expect(await screen.findByRole("heading", { name: "Forgot password" })).toBeInTheDocument();
    expect(screen.getByLabelText("E-mail")).toHaveValue("who@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Send the reset link" }));

    expect(await screen.findByRole("status")).toHaveTextContent(
      "If an account exists for who@example.com, we sent a link to reset its password.");
    expect(bodies).toEqual([{ email: "who@example.com" }]);
  });

  it("checks the address before asking", async () => {
    noSession();
    await renderApp("/forgot-password");
    await userEvent.type(await screen.findByLabelText("E-mail"), "not-an-address");
    await userEvent.click(screen.getByRole("button", { name: "Send the reset link" }));
    expect(screen.getByLabelText("E-mail")).toHaveAccessibleDescription(/valid e-mail address/);
  });
});

describe("resetting the password", () => {
  it("applies the registration's rules and the server's, then sends the user to log in", async () => {
    noSession();
    const bodies: { new_password: string }[] = [];
    server.use(
      http.post("/api/auth/password-reset/tok-9", async ({ request }) => {
        const body = (await request.json()) as { new_password: string };
        bodies.push(body);
        if (body.new_password === "qwertyuiop") {
          return problem(422, "the request is invalid", { errors: [{ loc: ["body", "new_password"], type: "weak_password",
            msg: "the password is one of the most common passwords, which are guessed first; choose another" }] });
        }
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { router } = await renderApp("/reset-password/tok-9");
    const password = await screen.findByLabelText("New password");
    const confirm = screen.getByLabelText("Repeat the new password");
    const submit = screen.getByRole("button", { name: "Set the new password" });
    expect(password).toHaveAccessibleDescription(/8 to 128 characters; not a common password/);

    await userEvent.type(password, "short");
    await userEvent.click(submit);
    expect(password).toHaveAccessibleDescription(/at least 8 characters/);
    await userEvent.clear(password);
    await userEvent.type(password, "qwertyuiop");
    await userEvent.type(confirm, "qwertyuiop!");
    await userEvent.click(submit);
    expect(confirm).toHaveAccessibleDescription("The passwords do not match.");
    expect(bodies).toHaveLength(0);

    await userEvent.clear(confirm);
    await userEvent.type(confirm, "qwertyuiop");
    await userEvent.click(submit);
    await waitFor(() => expect(password).toHaveAccessibleDescription(/one of the most common passwords/));

    await userEvent.clear(password);
    await userEvent.type(password, "a far better passphrase");
    await userEvent.clear(confirm);
    await userEvent.type(confirm, "a far better passphrase");
    await userEvent.click(submit);

    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(screen.getByRole("status")).toHaveTextContent("Your password has been reset");
    expect(bodies.map((body) => body.new_password)).toEqual(["qwertyuiop", "a far better passphrase"]);
  });

  it("says when the link was used or has expired, and offers a new one", async () => {
    noSession();
    server.use(http.post("/api/auth/password-reset/used", () => problem(410, "this reset link was used already")));
    await renderApp("/reset-password/used");
    await userEvent.type(await screen.findByLabelText("New password"), "a far better passphrase");
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "a far better passphrase");
    await userEvent.click(screen.getByRole("button", { name: "Set the new password" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This reset link does not work any more");
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
  });
});
