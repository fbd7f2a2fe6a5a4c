import { expect, test } from "@playwright/test";
import { logInThroughForm, PASSWORD, registerAccount, uniqueEmail } from "./support";

test.describe("accounts", () => {
  test("a visitor is sent to log in, registers, and lands where they were going", async ({ page }) => {
    await page.goto("/stats");
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();

    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
    const email = uniqueEmail("register");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Name (optional)").fill("Test User");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();

    await expect(page.getByRole("heading", { name: "Statistics" })).toBeVisible();
    await expect(page).toHaveURL(/\/stats$/);
    await expect(page.getByRole("navigation", { name: "Main" })).toContainText("Test User");
  });

  test("registering an e-mail twice says so next to the field", async ({ page }) => {
    const email = uniqueEmail("twice");
    await registerAccount(page.request, email);
    await page.goto("/register");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByLabel("E-mail")).toHaveAttribute("aria-invalid", "true");
  });

  test("a common password is refused at registration, saying why", async ({ page }) => {
    await page.goto("/register");
    await page.getByLabel("E-mail").fill(uniqueEmail("weak"));
    await page.getByLabel("Password", { exact: true }).fill("qwertyuiop");
    await page.getByLabel("Repeat the password").fill("qwertyuiop");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByLabel("Password", { exact: true })).toHaveAccessibleDescription(/most common passwords/);
  });

  test("changing the password says what else ended, and the new password logs in", async ({ page }) => {
    const email = uniqueEmail("change");
    await registerAccount(page.request, email);
    await page.goto("/login");
    await logInThroughForm(page, email);
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
    await page.goto("/settings");
    await page.getByRole("button", { name: "Create a calendar feed URL" }).click();
    await expect(page.getByRole("textbox", { name: "Calendar feed URL" })).toBeVisible();

    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password", { exact: true }).fill("a far better passphrase");
    await page.getByLabel("Repeat the new password").fill("a far better passphrase");
    await page.getByRole("button", { name: "Change the password" }).click();

    const notice = page.getByRole("alert").filter({ hasText: "Your password has been changed" });
    await expect(notice).toContainText("Your calendar feed link was revoked");
    await expect(notice).not.toContainText("webhook");
    await page.getByRole("button", { name: "Log in again" }).click();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await logInThroughForm(page, email, "a far better passphrase");
    // Back where they were, to make a new calendar feed URL.
    await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  });

  test("logs in, keeps the session over a reload, and logs out completely", async ({ page }) => {
    const email = uniqueEmail("login");
    await registerAccount(page.request, email);

    await page.goto("/login");
    await logInThroughForm(page, email, "not the password");
    await expect(page.getByRole("alert")).toBeVisible();

    await logInThroughForm(page, email);
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();

    // Nothing readable by scripts: the refresh token is an httpOnly cookie, the access token lives in memory.
    // Kept: the device token, which authenticates nothing (it spares this browser others' lockouts),
    // the theme, and the user's name and zone for opening the app offline.
    const stored = await page.evaluate(() => ({
      cookies: document.cookie,
      local: Object.keys(localStorage).sort(),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(stored).toEqual({
      cookies: "",
      local: ["taskforge-theme", "taskforge.device-tokens", "taskforge.offline-user"],
      session: "{}",
    });
    const offlineUser = await page.evaluate(() => localStorage.getItem("taskforge.offline-user") ?? "");
    expect(offlineUser).not.toMatch(/token|eyJ/i);
    const refreshCookie = (await page.context().cookies()).find((cookie) => cookie.name === "tf_refresh");
    expect(refreshCookie).toMatchObject({ httpOnly: true, path: "/api/auth", sameSite: "Strict" });

    // On start the app restores the session with the cookie.
    await page.reload();
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
  });
});
