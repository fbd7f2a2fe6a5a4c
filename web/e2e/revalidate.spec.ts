import { expect, test, type Page } from "@playwright/test";
import {
  apiAs, BASE_URL, createTaskThroughForm, logInThroughForm, newestMailedLink, newUserOnTaskList, PASSWORD, registerAccount,
  seedTasks, taskRow, uniqueEmail,
} from "./support";

/** What the page sees when the window gets the focus back (as after switching from another window). */
async function focusAgain(page: Page): Promise<void> {
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
}

/**
 * Focuses `page` until `check` holds. Reads are at least a second apart, so a focus that comes too
 * soon after the last one is let go; each try is followed by Playwright's own polling of `check`.
 */
async function afterFocus(page: Page, check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await focusAgain(page);
    await check();
  }).toPass({ intervals: [500, 1_000, 1_000, 2_000] });
}

test("two tabs of one account: a change in one shows in the other without a reload", async ({ page, context }) => {
  await newUserOnTaskList(page, "tabs");
  const other = await context.newPage();
  await other.goto("/");
  await expect(other.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  await expect(other.getByText(/No tasks yet/)).toBeVisible();

  // The first tab says it changed something (BroadcastChannel); the other reads its list again.
  await createTaskThroughForm(page, { title: "Buy stamps" });
  await expect(taskRow(other, "Buy stamps")).toBeVisible();

  await page.getByRole("checkbox", { name: "Completed: Buy stamps" }).check();
  await expect(other.getByRole("checkbox", { name: "Completed: Buy stamps" })).toBeChecked();

  // Deleted for good once its undo window closes: it leaves the other tab too.
  await page.getByRole("button", { name: "Delete “Buy stamps”" }).click();
  await expect(taskRow(page, "Buy stamps")).toHaveCount(0);
  await expect(taskRow(other, "Buy stamps")).toHaveCount(0);
  await expect(other.getByText(/No tasks yet/)).toBeVisible();
});

test("a list read again asks with its ETag and keeps what it shows on a 304", async ({ page }) => {
  const email = await newUserOnTaskList(page, "etag");
  await seedTasks(email, [{ title: "Sort the mail" }]);
  await page.reload();
  await expect(taskRow(page, "Sort the mail")).toBeVisible();

  const asked: { ifNoneMatch: string | null; status: number }[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname === "/api/tasks" && response.request().method() === "GET") {
      asked.push({ ifNoneMatch: response.request().headers()["if-none-match"] ?? null, status: response.status() });
    }
  });
  await afterFocus(page, async () => expect(asked.some((read) => read.status === 304)).toBe(true));
  const notModified = asked.find((read) => read.status === 304)!;
  expect(notModified.ifNoneMatch).toMatch(/^(W\/)?"/);
  await expect(taskRow(page, "Sort the mail")).toBeVisible();

  // Changed meanwhile (elsewhere): the next read is a 200 with the change.
  await seedTasks(email, [{ title: "Pay the rent" }]);
  await afterFocus(page, async () => expect(taskRow(page, "Pay the rent")).toBeVisible({ timeout: 1_000 }));
  await expect(taskRow(page, "Sort the mail")).toBeVisible();
});

test("two members of a shared workspace: a change by one appears for the other, a task deleted by one leaves the other's page", async ({ page, browser }) => {
  const ownerEmail = await newUserOnTaskList(page, "owner", "Olga Owner");
  const memberEmail = uniqueEmail("member");
  await registerAccount(page.request, memberEmail, "Mika Member");

  // Set-up through the API: a shared workspace with both in it.
  const owner = await apiAs(ownerEmail);
  const member = await apiAs(memberEmail);
  let taskId = "";
  try {
    const workspace = (await owner.call("POST", "/api/workspaces", { name: "Garden club" })) as { id: string };
    await owner.call("POST", `/api/workspaces/${workspace.id}/invitations`, { email: memberEmail, role: "editor" });
    const verify = new URL(await newestMailedLink(memberEmail, "/verify-email"), BASE_URL);
    await member.call("POST", "/api/auth/verify-email", { token: verify.searchParams.get("token") });
    const invitation = await newestMailedLink(memberEmail, "/invitations/");
    await member.call("POST", `/api/invitations/${invitation.split("/").at(-1)}/accept`);
    const task = (await owner.call("POST", "/api/tasks", { title: "Prune the roses", workspace_id: workspace.id })) as { id: string };
    taskId = task.id;
  } finally {
    await owner.dispose();
    await member.dispose();
  }

  await page.reload();
  await page.getByRole("combobox", { name: "Workspace" }).selectOption({ label: "Garden club (owner)" });
  await expect(page.getByRole("heading", { name: /Tasks.*Garden club/, level: 1 })).toBeVisible();
  await expect(taskRow(page, "Prune the roses")).toBeVisible();

  const memberContext = await browser.newContext({ baseURL: BASE_URL, locale: "en-GB" });
  try {
    const memberPage = await memberContext.newPage();
    await memberPage.goto("/login");
    await logInThroughForm(memberPage, memberEmail, PASSWORD);
    await memberPage.getByRole("combobox", { name: "Workspace" }).selectOption({ label: "Garden club (editor)" });
    await expect(taskRow(memberPage, "Prune the roses")).toBeVisible();

    // The member adds a task; the owner's list has it once the window is focused again.
    await createTaskThroughForm(memberPage, { title: "Water the seedlings" });
    await afterFocus(page, async () => expect(taskRow(page, "Water the seedlings")).toBeVisible({ timeout: 1_000 }));

    // The owner is on the task's page when the member deletes it: the page says so and goes back to the list.
    await page.getByRole("link", { name: "Prune the roses", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Prune the roses", level: 1 })).toBeVisible();
    // The delete is sent when its undo window closes.
    const deleted = memberPage.waitForResponse(
      (response) => response.request().method() === "DELETE" && new URL(response.url()).pathname === `/api/tasks/${taskId}`);
    await memberPage.getByRole("button", { name: "Delete “Prune the roses”" }).click();
    await expect(taskRow(memberPage, "Prune the roses")).toHaveCount(0);
    expect((await deleted).status()).toBe(204);

    await afterFocus(page, async () => expect(page.getByText("“Prune the roses” was deleted elsewhere.")).toBeVisible({ timeout: 1_000 }));
    await expect(page.getByRole("heading", { name: /Tasks.*Garden club/, level: 1 })).toBeVisible();
    await expect(taskRow(page, "Prune the roses")).toHaveCount(0);
    await expect(taskRow(page, "Water the seedlings")).toBeVisible();
  } finally {
    await memberContext.close();
  }
});
