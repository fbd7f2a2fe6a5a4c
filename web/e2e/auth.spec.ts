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

  test("logs in, keeps the session over a reload, and logs out completely", async ({ page }) => {
    const email = uniqueEmail("login");
    await registerAccount(page.request, email);

    await page.goto("/login");
    await logInThroughForm(page, email, "not the password");
    await expect(page.getByRole("alert")).toBeVisible();

    await logInThroughForm(page, email);
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();

    // Nothing readable by scripts: the refresh token is an httpOnly cookie, the access token lives in memory.
    const stored = await page.evaluate(() => ({
      cookies: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(stored).toEqual({ cookies: "", local: "{}", session: "{}" });
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
