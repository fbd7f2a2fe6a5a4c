import { expect, test, type Page } from "@playwright/test";
import { apiAs, newUserOnTaskList, seedTasks } from "./support";

/** Opens a new user's only task, seeded through the API; its id and the user's address. */
async function openSeededTask(page: Page, who: string, title: string): Promise<{ id: string; email: string }> {
  const email = await newUserOnTaskList(page, who);
  const [task] = await seedTasks(email, [{ title, description: "first draft", priority: 2 }]);
  await page.goto(`/tasks/${task.id}`);
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  return { id: task.id, email };
}

async function renameTo(page: Page, title: string) {
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const form = page.getByRole("form", { name: "Edit task" });
  await form.getByLabel("Title").fill(title);
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
}

const history = (page: Page) => page.getByTestId("task-history");
const versions = (page: Page) => history(page).getByTestId("task-version");

test("an edited title comes back with Undo from the toast", async ({ page }) => {
  await openSeededTask(page, "undo-title", "Write the report");
  await renameTo(page, "Write the annual report");

  const toast = page.getByTestId("undo-toast").filter({ hasText: "Saved “Write the annual report”." });
  await toast.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByRole("heading", { name: "Write the report", level: 1 })).toBeVisible();
  // The undo is a version too: nothing of the history is rewritten.
  await expect(versions(page)).toHaveCount(3);
  await expect(versions(page).first()).toContainText("Write the annual report");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Write the report", level: 1 })).toBeVisible();
});

test("the history lists who changed what, and an older version can be restored", async ({ page }) => {
  await openSeededTask(page, "history", "Plan the trip");
  await renameTo(page, "Plan the holiday");
  await page.getByLabel("New checklist item").fill("Book the train");
  await page.getByRole("button", { name: "Add item" }).click();
  await expect(page.getByTestId("checklist-item")).toHaveCount(1);

  await expect(versions(page)).toHaveCount(3);
  const newest = versions(page).first();
  await expect(newest).toContainText("Checklist");
  await expect(newest).toContainText("added “Book the train”");
  const renamed = versions(page).nth(1);
  await expect(renamed).toContainText("Title");
  await expect(renamed.locator("del")).toHaveText("Plan the trip");
  await expect(renamed.locator("ins")).toHaveText("Plan the holiday");

  const first = versions(page).last();
  await expect(first).toContainText("Created as “Plan the trip”.");
  await first.getByRole("button", { name: "Restore this version" }).click();
  await first.getByRole("button", { name: "Restore version 1" }).click();
  await expect(page.getByRole("heading", { name: "Plan the trip", level: 1 })).toBeVisible();
  await expect(page.getByTestId("checklist-item")).toHaveCount(0);
  await expect(versions(page)).toHaveCount(4);
  await expect(versions(page).first()).toContainText("current");
});

test("a restore over a change made elsewhere asks first, as an edit does", async ({ page }) => {
  const { id, email } = await openSeededTask(page, "restore-conflict", "Old title");
  await renameTo(page, "New title");
  await expect(versions(page)).toHaveCount(2);
  // Someone else (or another tab) changes the task meanwhile.
  const elsewhere = await apiAs(email);
  await elsewhere.call("PATCH", `/api/tasks/${id}`, { priority: 1 });
  await elsewhere.dispose();

  await versions(page).last().getByRole("button", { name: "Restore this version" }).click();
  await page.getByRole("button", { name: "Restore version 1" }).click();
  const conflict = page.getByTestId("restore-conflict");
  await expect(conflict).toContainText("changed somewhere else");
  await expect(page.getByRole("heading", { name: "New title", level: 1 })).toBeVisible();
  await conflict.getByRole("button", { name: "Restore version 1 over the latest" }).click();
  await expect(page.getByRole("heading", { name: "Old title", level: 1 })).toBeVisible();
  await expect(conflict).toHaveCount(0);
  await expect(versions(page)).toHaveCount(4);
});

test("a tag added, and one removed, are each taken back with Undo", async ({ page }) => {
  await openSeededTask(page, "undo-tag", "Sort the receipts");
  await page.getByRole("button", { name: "New tag" }).click();
  await page.getByLabel("Tag name").fill("finance");
  await page.getByRole("button", { name: "Create and add" }).click();
  const tags = page.getByRole("list", { name: "Tags of this task" });
  await expect(tags).toContainText("finance");

  await page.getByTestId("undo-toast").filter({ hasText: "Added the tag “finance”." }).getByRole("button", { name: "Undo" }).click();
  await expect(tags).toHaveCount(0);
  await expect(page.getByText("No tags.")).toBeVisible();

  await page.getByLabel("Add a tag").selectOption({ label: "finance" });
  await page.getByRole("button", { name: "Add tag" }).click();
  await expect(tags).toContainText("finance");
  await page.getByRole("button", { name: "Remove the tag finance" }).click();
  await expect(page.getByText("No tags.")).toBeVisible();
  await page.getByTestId("undo-toast").filter({ hasText: "Removed the tag “finance”." }).getByRole("button", { name: "Undo" }).click();
  await expect(tags).toContainText("finance");
  await page.reload();
  await expect(page.getByRole("list", { name: "Tags of this task" })).toContainText("finance");
});

test("Undo refuses to take back a change once the task has changed again", async ({ page }) => {
  const { id, email } = await openSeededTask(page, "undo-stale", "Call the bank");
  await renameTo(page, "Call the bank on Monday");
  const elsewhere = await apiAs(email);
  await elsewhere.call("PATCH", `/api/tasks/${id}`, { description: "about the loan" });
  await elsewhere.dispose();

  await page.getByTestId("undo-toast").filter({ hasText: "Saved “Call the bank on Monday”." }).getByRole("button", { name: "Undo" }).click();
  await expect(page.getByText("The task has changed again since, so this change can no longer be undone on its own.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Call the bank on Monday", level: 1 })).toBeVisible();
});
