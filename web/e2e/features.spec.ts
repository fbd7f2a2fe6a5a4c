import { expect, test } from "@playwright/test";
import { createTaskThroughForm, newUserOnTaskList, seedTasks, taskRow } from "./support";

test("tags: create and attach on the detail page, then filter the list by them", async ({ page }) => {
  const email = await newUserOnTaskList(page, "tags");
  const [report, plants] = await seedTasks(email, [{ title: "Quarterly report" }, { title: "Water the plants" }, { title: "Untagged" }]);

  await page.goto(`/tasks/${report.id}`);
  await page.getByRole("button", { name: "New tag" }).click();
  await page.getByLabel("Tag name").fill("work");
  await page.getByRole("button", { name: "Create and add" }).click();
  const tags = page.getByRole("list", { name: "Tags of this task" });
  await expect(tags).toContainText("work");
  await page.getByRole("button", { name: "New tag" }).click();
  await page.getByLabel("Tag name").fill("urgent");
  await page.getByRole("button", { name: "Create and add" }).click();
  await expect(tags).toContainText("urgent");

  await page.goto(`/tasks/${plants.id}`);
  await page.getByLabel("Add a tag").selectOption({ label: "work" });
  await page.getByRole("button", { name: "Add tag" }).click();
  await expect(page.getByRole("list", { name: "Tags of this task" })).toContainText("work");

  await page.goto("/");
  await expect(page.getByTestId("task-row")).toHaveCount(3);
  const filter = page.getByRole("group", { name: /Filter by tags/ });
  await filter.getByRole("button", { name: "work" }).click();
  await expect(page.getByTestId("task-row")).toHaveCount(2);
  await filter.getByRole("button", { name: "urgent" }).click();
  await expect(page.getByTestId("task-row")).toHaveCount(1);
  await expect(taskRow(page, "Quarterly report")).toContainText("urgent");
  expect(new URL(page.url()).searchParams.getAll("tag")).toHaveLength(2);
  // The filter survives a reload.
  await page.reload();
  await expect(page.getByTestId("task-row")).toHaveCount(1);
});

test("checklist: add, check, reorder by keyboard and by drag and drop; the list shows the progress", async ({ page }) => {
  const email = await newUserOnTaskList(page, "checklist");
  const [task] = await seedTasks(email, [{ title: "Paint the hallway" }]);
  await page.goto(`/tasks/${task.id}`);
  const input = page.getByLabel("New checklist item");
  for (const text of ["Buy paint", "Sand the walls", "Roll the first coat"]) {
    await input.fill(text);
    await input.press("Enter");
    await expect(page.getByTestId("checklist-item").filter({ hasText: text })).toBeVisible();
  }
  await page.getByRole("checkbox", { name: "Done: Buy paint" }).check();
  await expect(page.getByTestId("checklist-count")).toHaveText("1 of 3 done");

  const items = page.getByTestId("checklist-item");
  await page.getByRole("button", { name: "Move “Roll the first coat” up" }).click();
  await expect(items.nth(1)).toContainText("Roll the first coat");
  await expect(page.getByRole("button", { name: "Move “Roll the first coat” up" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(items.nth(0)).toContainText("Roll the first coat");

  await items.nth(2).dragTo(items.nth(0));
  await expect(items.nth(0)).toContainText("Sand the walls");
  await expect(items.nth(1)).toContainText("Roll the first coat");

  // The order is the server's, not just the page's.
  await page.reload();
  await expect(items.nth(0)).toContainText("Sand the walls");
  await expect(items.nth(1)).toContainText("Roll the first coat");
  await expect(items.nth(2)).toContainText("Buy paint");

  await page.getByRole("link", { name: "← All tasks" }).click();
  await expect(taskRow(page, "Paint the hallway").getByTestId("checklist-progress")).toHaveText(/1\/3/);
});

test("workspaces: create one, switch to it and back; its tasks stay in it", async ({ page }) => {
  await newUserOnTaskList(page, "workspaces");
  await createTaskThroughForm(page, { title: "Personal errand" });

  await page.getByRole("link", { name: "Workspaces" }).click();
  await page.getByLabel("Workspace name").fill("Book club");
  await page.getByRole("button", { name: "Create workspace" }).click();
  const switcher = page.getByRole("combobox", { name: "Workspace" });
  await expect(switcher).toHaveValue(/.+/);
  await expect(switcher.locator("option:checked")).toHaveText("Book club (owner)");

  await page.getByRole("link", { name: "Tasks", exact: true }).click();
  await expect(page.getByRole("heading", { name: /Tasks.*Book club/ })).toBeVisible();
  await expect(page.getByText(/No tasks yet/)).toBeVisible();
  await createTaskThroughForm(page, { title: "Pick the next book" });
  await expect(page.getByTestId("stat-total")).toContainText("1");

  await switcher.selectOption({ label: "Personal" });
  await expect(taskRow(page, "Personal errand")).toBeVisible();
  await expect(taskRow(page, "Pick the next book")).toHaveCount(0);

  // An invitation link for the shared workspace.
  await page.getByRole("link", { name: "Workspaces" }).click();
  await page.getByRole("button", { name: "Invite someone to Book club" }).click();
  await page.getByLabel("E-mail").fill("friend@example.com");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(page.getByRole("textbox", { name: "Invitation link" })).toHaveValue(/\/invitations\/.+/);
});

test("settings: a calendar feed URL to copy, absolute, that serves iCalendar; then revoked", async ({ page }) => {
  await newUserOnTaskList(page, "settings");
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("button", { name: "Create a calendar feed URL" }).click();
  const field = page.getByRole("textbox", { name: "Calendar feed URL" });
  await expect(field).toHaveValue(/^http:\/\/localhost:\d+\/api\/calendar\/.+/);
  const url = await field.inputValue();
  const feed = await page.request.get(url);
  expect(feed.status()).toBe(200);
  expect(await feed.text()).toContain("BEGIN:VCALENDAR");

  await page.getByRole("button", { name: "Revoke the feed" }).click();
  await expect(field).toHaveCount(0);
  expect((await page.request.get(url)).status()).toBe(404);

  await page.getByLabel("Display name").fill("Renamed");
  await page.getByLabel("Time zone").selectOption("Europe/Berlin");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
});

test("recurrence and reminders: a weekday repeat, skipping an occurrence, a reminder before the due date", async ({ page }) => {
  const email = await newUserOnTaskList(page, "repeat");
  const year = new Date().getFullYear() + 1;
  const [task] = await seedTasks(email, [{ title: "Stand-up notes", due_date: `${year}-03-02T09:00:00Z` }]);
  await page.goto(`/tasks/${task.id}`);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Repeat").selectOption({ label: "Every weekday (Mon–Fri)" });
  await page.getByLabel("Time zone of the repeats").selectOption("Europe/Berlin");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("task-recurrence")).toHaveText(/Every weekday.*Europe\/Berlin/);

  const due = await page.getByTestId("task-due").textContent();
  await page.getByRole("button", { name: "Skip this occurrence" }).click();
  await expect(page.getByText(/Skipped. Next occurrence/)).toBeVisible();
  await expect(page.getByTestId("task-due")).not.toHaveText(due ?? "");

  await page.getByLabel("How long before the due date").selectOption({ label: "1 hour before" });
  await page.getByRole("button", { name: "Add reminder" }).click();
  await expect(page.getByTestId("reminder")).toContainText("1 hour before the due date");
  await page.getByRole("button", { name: /Delete the reminder/ }).click();
  await expect(page.getByTestId("reminder")).toHaveCount(0);
});
