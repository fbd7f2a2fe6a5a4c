import { expect, test } from "@playwright/test";
import {
  BASE_URL, logInThroughForm, mailedLinks, newestMailedLink, newUserOnTaskList, registerAccount, uniqueEmail, verifyEmailFromMailbox,
} from "./support";

test("members: an owner invites someone, who joins; the owner makes them an editor, then removes them", async ({ page, browser, request }) => {
  await newUserOnTaskList(page, "owner", "Olive Owner");
  const memberEmail = uniqueEmail("member");
  await registerAccount(request, memberEmail, "Max Member");

  // The invitation, as before: from the workspaces page.
  await page.getByRole("link", { name: "Workspaces" }).click();
  await page.getByLabel("Workspace name").fill("Studio");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await page.getByRole("button", { name: "Invite someone to Studio" }).click();
  await page.getByLabel("E-mail").fill(memberEmail);
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
  // The invited address got the same link by e-mail.
  await expect(page.getByText(`We e-mailed the invitation to ${memberEmail}.`)).toBeVisible();
  expect(await newestMailedLink(memberEmail, "/invitations/")).toBe(new URL(link).pathname);

  // The owner sees it waiting on the members page.
  await page.getByRole("link", { name: "Members of Studio" }).click();
  await expect(page.getByRole("heading", { name: /Members.*Studio/, level: 1 })).toBeVisible();
  await expect(page.getByTestId("invitation-row")).toContainText(memberEmail);
  await expect(page.getByTestId("member-row")).toHaveCount(1);

  // The invited person accepts, in a browser of their own.
  const memberContext = await browser.newContext({ baseURL: BASE_URL, locale: "en-GB" });
  try {
    const memberPage = await memberContext.newPage();
    await memberPage.goto(link);
    await logInThroughForm(memberPage, memberEmail);
    // Not before they prove the invited address is theirs: with the link mailed at registration.
    await memberPage.getByRole("button", { name: "Accept the invitation" }).click();
    await expect(memberPage.getByTestId("verify-first")).toContainText(`Verify your e-mail address first: open the link we sent to ${memberEmail}`);
    await verifyEmailFromMailbox(memberPage, memberEmail);
    await memberPage.goto(link);
    await expect(memberPage.getByTestId("verify-first")).toHaveCount(0);
    await memberPage.getByRole("button", { name: "Accept the invitation" }).click();
    await expect(memberPage.getByText("You joined “Studio”.")).toBeVisible();
    const studioOption = memberPage.getByRole("combobox", { name: "Workspace" }).locator("option", { hasText: "Studio" });
    await expect(studioOption).toHaveText("Studio (view only)");

    // The owner's list, read again, shows the new member as a viewer and no open invitation.
    await page.getByRole("link", { name: "← Workspaces" }).click();
    await page.getByRole("link", { name: "Members of Studio" }).click();
    const row = page.getByTestId("member-row").filter({ hasText: "Max Member" });
    await expect(row.getByTestId("member-role")).toHaveText("Viewer");
    await expect(page.getByTestId("invitation-row")).toHaveCount(0);

    await page.getByLabel("Role of Max Member").selectOption({ label: "Editor" });
    await expect(row.getByTestId("member-role")).toHaveText("Editor");
    await expect(page.getByText("Max Member is now an editor.")).toBeVisible();
    // The change applies at once: the member's app says so on its next load.
    await memberPage.reload();
    await expect(studioOption).toHaveText("Studio (editor)");

    await row.getByRole("button", { name: "Remove Max Member" }).click();
    await page.getByRole("group", { name: /Remove Max Member from “Studio”/ }).getByRole("button", { name: "Yes, remove" }).click();
    await expect(page.getByText("Max Member was removed from “Studio”.")).toBeVisible();
    await expect(page.getByTestId("member-row")).toHaveCount(1);
    await expect(row).toHaveCount(0);
    await memberPage.reload();
    await expect(memberPage.getByRole("combobox", { name: "Workspace" })).toBeVisible();
    await expect(studioOption).toHaveCount(0);
  } finally {
    await memberContext.close();
  }
});

test("members: an owner revokes an open invitation, and its link stops working", async ({ page, browser, request }) => {
  await newUserOnTaskList(page, "owner", "Rita Revoker");
  const inviteeEmail = uniqueEmail("invitee");
  await registerAccount(request, inviteeEmail, "Ivo Invitee");

  await page.getByRole("link", { name: "Workspaces" }).click();
  await page.getByLabel("Workspace name").fill("Attic");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await page.getByRole("link", { name: "Members of Attic" }).click();
  await page.getByLabel("E-mail").fill(inviteeEmail);
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
  await expect(page.getByTestId("invitation-row")).toHaveCount(1);

  await page.getByRole("button", { name: `Revoke the invitation to ${inviteeEmail}` }).click();
  await page.getByRole("group", { name: /Revoke the invitation to/ }).getByRole("button", { name: "Yes, revoke" }).click();
  await expect(page.getByText(`The invitation to ${inviteeEmail} was revoked: its link no longer works.`)).toBeVisible();
  await expect(page.getByTestId("invitation-row")).toHaveCount(0);
  // Read again from the server: it is gone there too.
  await page.getByRole("link", { name: "← Workspaces" }).click();
  await page.getByRole("link", { name: "Members of Attic" }).click();
  await expect(page.getByText("No invitation is waiting for an answer.")).toBeVisible();

  // The invitee, with a verified address, follows the link: it says why it no longer works.
  const inviteeContext = await browser.newContext({ baseURL: BASE_URL, locale: "en-GB" });
  try {
    const inviteePage = await inviteeContext.newPage();
    await inviteePage.goto(link);
    await logInThroughForm(inviteePage, inviteeEmail);
    // Logged in and back on the invitation, which says at once that it no longer works.
    await expect(inviteePage.getByText("This invitation was already used or has expired.")).toBeVisible();
    await expect(inviteePage.getByRole("button", { name: "Accept the invitation" })).toHaveCount(0);
    expect(mailedLinks(inviteeEmail, "/invitations/")).toHaveLength(1);
  } finally {
    await inviteeContext.close();
  }
});
