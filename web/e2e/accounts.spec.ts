import { expect, test, type Page } from "@playwright/test";
import {
  apiAs, BASE_URL, logInThroughForm, newestMailedLink, newUserOnTaskList, PASSWORD, registerAccount, uniqueEmail,
  verifyEmailFromMailbox,
} from "./support";

/** A workspace of `ownerEmail`'s with an invitation of `inviteeEmail` as `role`; the invitation's path. */
async function invite(ownerEmail: string, workspace: string, inviteeEmail: string, role: "editor" | "viewer"): Promise<string> {
  const owner = await apiAs(ownerEmail);
  try {
    const created = (await owner.call("POST", "/api/workspaces", { name: workspace })) as { id: string };
    const invitation = (await owner.call("POST", `/api/workspaces/${created.id}/invitations`, { email: inviteeEmail, role })) as { token: string };
    return `/invitations/${encodeURIComponent(invitation.token)}`;
  } finally {
    await owner.dispose();
  }
}

/**
 * Verifies the address from the mailbox in a logged-in page, and waits for the page to have
 * renewed its session: leaving while that refresh is on its way would lose the rotated cookie.
 */
async function verifyWhileLoggedIn(page: Page, email: string): Promise<void> {
  await verifyEmailFromMailbox(page, email);
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
}

async function logInFresh(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await logInThroughForm(page, email, password);
  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
}

test.describe("invitations", () => {
  test("the invitation page names the workspace, the role and who invited; unknown and used links say so", async ({ page, request }) => {
    const ownerEmail = uniqueEmail("owner");
    await registerAccount(request, ownerEmail, "Olive Owner");
    const inviteeEmail = uniqueEmail("invitee");
    await registerAccount(request, inviteeEmail, "Ivo Invitee");
    const link = await invite(ownerEmail, "Allotment", inviteeEmail, "viewer");

    await logInFresh(page, inviteeEmail);
    await page.goto(link);
    await expect(page.getByRole("heading", { name: "Join “Allotment”", level: 1 })).toBeVisible();
    await expect(page.getByTestId("invitation-summary")).toContainText("Olive Owner invited you to join “Allotment” as a viewer");
    await expect(page.getByTestId("invitation-summary")).toContainText("expires on");

    await verifyWhileLoggedIn(page, inviteeEmail);
    await page.goto(link);
    await page.getByRole("button", { name: "Accept the invitation" }).click();
    await expect(page.getByText("You joined “Allotment”.")).toBeVisible();

    // Used now: the link says so, with nothing to accept.
    await page.goto(link);
    await expect(page.getByTestId("invitation-unusable")).toContainText("This invitation was already used or has expired.");
    await expect(page.getByRole("button", { name: "Accept the invitation" })).toHaveCount(0);
    await page.goto("/invitations/no-such-invitation-token");
    await expect(page.getByTestId("invitation-unusable")).toContainText("This invitation does not exist.");
  });

  test("a logged-out invitee sees the invitation on the login and register pages, registers, and joins", async ({ page, request }) => {
    const ownerEmail = uniqueEmail("owner");
    await registerAccount(request, ownerEmail, "Nora Owner");
    const inviteeEmail = uniqueEmail("newcomer");
    const link = await invite(ownerEmail, "Choir", inviteeEmail, "editor");

    await page.goto(link);
    await expect(page).toHaveURL(/\/login$/);
    const notice = page.getByRole("region", { name: "Your invitation" });
    await expect(notice).toContainText("Nora Owner invited you to join “Choir” as an editor");

    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
    await expect(notice).toContainText("“Choir”");
    await page.getByLabel("E-mail").fill(inviteeEmail);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();

    // Back on the invitation, which was tried at once: the new address has to be verified first.
    await expect(page.getByRole("heading", { name: "Join “Choir”", level: 1 })).toBeVisible();
    await expect(page.getByTestId("verify-first")).toContainText(`open the link we sent to ${inviteeEmail}`);

    await verifyWhileLoggedIn(page, inviteeEmail);
    await page.goto(link);
    await page.getByRole("button", { name: "Accept the invitation" }).click();
    await expect(page.getByText("You joined “Choir”.")).toBeVisible();
    await expect(page.getByRole("heading", { name: /Tasks.*Choir/, level: 1 })).toBeVisible();
  });

  test("a logged-out invitee with an account logs in and the invitation is accepted", async ({ page, request, browser }) => {
    const ownerEmail = uniqueEmail("owner");
    await registerAccount(request, ownerEmail, "Paul Owner");
    const inviteeEmail = uniqueEmail("member");
    await registerAccount(request, inviteeEmail);
    // Verified beforehand, in a browser of its own: this one stays logged out.
    const verifier = await browser.newContext({ baseURL: BASE_URL, locale: "en-GB" });
    try {
      await verifyEmailFromMailbox(await verifier.newPage(), inviteeEmail);
    } finally {
      await verifier.close();
    }
    const link = await invite(ownerEmail, "Book club", inviteeEmail, "editor");

    await page.goto(link);
    await expect(page.getByRole("region", { name: "Your invitation" })).toContainText("Paul Owner invited you to join “Book club”");
    await logInThroughForm(page, inviteeEmail);
    await expect(page.getByText("You joined “Book club”.")).toBeVisible();
    await expect(page.getByRole("heading", { name: /Tasks.*Book club/, level: 1 })).toBeVisible();
  });
});

test.describe("passwords", () => {
  test("forgot password: the mailed link sets a new one, which logs in; the old one no longer does", async ({ page, request }) => {
    const email = uniqueEmail("forgetful");
    await registerAccount(request, email);

    await page.goto("/login");
    await page.getByLabel("E-mail").fill(email);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await expect(page.getByRole("heading", { name: "Forgot password" })).toBeVisible();
    await expect(page.getByLabel("E-mail")).toHaveValue(email);
    await page.getByRole("button", { name: "Send the reset link" }).click();
    await expect(page.getByRole("status")).toContainText(`If an account exists for ${email}, we sent a link`);

    // An address without an account gets the very same answer.
    await page.goto("/forgot-password");
    const nobody = uniqueEmail("nobody");
    await page.getByLabel("E-mail").fill(nobody);
    await page.getByRole("button", { name: "Send the reset link" }).click();
    await expect(page.getByRole("status")).toContainText(`If an account exists for ${nobody}, we sent a link`);

    await page.goto(await newestMailedLink(email, "/reset-password/"));
    await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    await page.getByLabel("New password", { exact: true }).fill("qwertyuiop");
    await page.getByLabel("Repeat the new password").fill("qwertyuiop");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await expect(page.getByLabel("New password", { exact: true })).toHaveAccessibleDescription(/most common passwords/);

    await page.getByLabel("New password", { exact: true }).fill("a far better passphrase");
    await page.getByLabel("Repeat the new password").fill("a far better passphrase");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await expect(page.getByText("Your password has been reset")).toBeVisible();

    await logInThroughForm(page, email, PASSWORD);
    await expect(page.getByRole("alert")).toBeVisible();
    await logInThroughForm(page, email, "a far better passphrase");
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  });

  test("change password: reachable from the navigation, and the new password logs in", async ({ page }) => {
    const email = await newUserOnTaskList(page, "changer");
    await page.getByRole("link", { name: "Settings" }).click();
    const section = page.getByRole("region", { name: "Password" });
    await expect(section).toBeVisible();
    await section.getByLabel("Current password").fill(PASSWORD);
    await section.getByLabel("New password", { exact: true }).fill("another good passphrase");
    await section.getByLabel("Repeat the new password").fill("another good passphrase");
    await section.getByRole("button", { name: "Change the password" }).click();
    await expect(page.getByText("Your password has been changed.")).toBeVisible();
    await page.getByRole("button", { name: "Log in again" }).click();

    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await logInThroughForm(page, email, PASSWORD);
    await expect(page.getByRole("alert")).toBeVisible();
    await logInThroughForm(page, email, "another good passphrase");
    await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  });
});
