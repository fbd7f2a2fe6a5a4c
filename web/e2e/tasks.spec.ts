import { expect, test } from "@playwright/test";
import { createTaskThroughForm, newUserOnTaskList, seedTasks, taskRow } from "./support";

test.describe("tasks", () => {
  test("create, edit, complete and delete a task", async ({ page }) => {
    await newUserOnTaskList(page, "crud");

    await createTaskThroughForm(page, { title: "Buy groceries", description: "Milk and eggs", priority: "High" });
    await createTaskThroughForm(page, { title: "Book the dentist" });
    await expect(page.getByTestId("stat-total")).toContainText("2");

    // Edit in place.
    await page.getByRole("button", { name: "Edit “Buy groceries”" }).click();
    const editor = page.getByRole("form", { name: "Edit “Buy groceries”" });
    await editor.getByLabel("Title").fill("Buy groceries and bread");
    await editor.getByRole("button", { name: "Save" }).click();
    await expect(taskRow(page, "Buy groceries and bread")).toBeVisible();

    // Complete: the checkbox is the control, and the summary follows.
    await page.getByRole("checkbox", { name: "Completed: Buy groceries and bread" }).check();
    await expect(page.getByRole("checkbox", { name: "Completed: Buy groceries and bread" })).toBeChecked();
    await expect(page.getByTestId("stat-done")).toContainText("1");

    // Delete, undo, then delete for good once the undo window closes.
    await page.getByRole("button", { name: "Delete “Book the dentist”" }).click();
    await expect(taskRow(page, "Book the dentist")).toHaveCount(0);
    // The delete's own toast: an earlier change may still offer its Undo too.
    await page.getByText(/^Deleted /).locator("..").getByRole("button", { name: "Undo" }).click();
    await expect(taskRow(page, "Book the dentist")).toBeVisible();

    const deleted = page.waitForResponse((response) =>
      response.request().method() === "DELETE" && response.url().includes("/api/tasks/"));
    await page.getByRole("button", { name: "Delete “Book the dentist”" }).click();
    expect((await deleted).status()).toBe(204);
    await page.reload();
    await expect(taskRow(page, "Buy groceries and bread")).toBeVisible();
    await expect(taskRow(page, "Book the dentist")).toHaveCount(0);
    await expect(page.getByTestId("stat-total")).toContainText("1");
  });

  test("the detail page shows the description and the due date in the browser's time zone", async ({ browser }) => {
    const context = await browser.newContext({ timezoneId: "Asia/Tokyo" });
    const page = await context.newPage();
    await newUserOnTaskList(page, "detail");
    await createTaskThroughForm(page, {
      title: "Renew passport",
      description: "Bring two photos.\nAnd the old passport.",
      priority: "Low",
      due: "2031-05-06T09:30",
    });

    await page.getByRole("link", { name: "Renew passport" }).click();
    await expect(page.getByRole("heading", { name: "Renew passport", level: 1 })).toBeVisible();
    await expect(page.getByText("Bring two photos.")).toBeVisible();
    // Entered as 09:30 in Tokyo, stored in UTC, shown in Tokyo time again.
    await expect(page.getByTestId("task-due")).toContainText("6 May 2031");
    await expect(page.getByTestId("task-due")).toContainText("09:30");
    await expect(page.getByText("Times are shown in your time zone (Asia/Tokyo).")).toBeVisible();

    await page.getByRole("button", { name: "Mark as done" }).click();
    await expect(page.getByRole("button", { name: "Mark as open" })).toBeVisible();
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByRole("form", { name: "Edit task" }).getByLabel("Title").fill("Renew passport (done)");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { name: "Renew passport (done)", level: 1 })).toBeVisible();
    await context.close();
  });

  test("filters, searches as you type and sorts", async ({ page }) => {
    const email = await newUserOnTaskList(page, "filters");
    await seedTasks(email, [
      { title: "Pay electricity bill", priority: 1, due_date: "2031-01-10T12:00:00Z" },
      { title: "Water the plants", priority: 3, completed: true },
      { title: "Plan the holiday", priority: 2, due_date: "2031-03-01T12:00:00Z" },
      { title: "Pay the rent", priority: 1, completed: true, due_date: "2031-02-01T12:00:00Z" },
    ]);
    await page.reload();
    await expect(page.getByTestId("task-row")).toHaveCount(4);

    await page.getByLabel("Status").selectOption({ label: "Done" });
    await expect(page.getByTestId("task-row")).toHaveCount(2);
    await page.getByLabel("Priority").selectOption({ label: "High" });
    await expect(page.getByTestId("task-row")).toHaveCount(1);
    await expect(taskRow(page, "Pay the rent")).toBeVisible();
    await expect(page).toHaveURL(/status=done/);

    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect(page.getByTestId("task-row")).toHaveCount(4);

    await page.getByRole("searchbox", { name: "Search tasks" }).pressSequentially("pla", { delay: 40 });
    await expect(page.getByTestId("task-row")).toHaveCount(2);
    await expect(taskRow(page, "Water the plants")).toBeVisible();
    await expect(taskRow(page, "Plan the holiday")).toBeVisible();
    await page.getByRole("searchbox", { name: "Search tasks" }).fill("");

    await page.getByLabel("Due from").fill("2031-01-01");
    await page.getByLabel("Due until").fill("2031-02-15");
    await expect(page.getByTestId("task-row")).toHaveCount(2);
    await page.getByLabel("Due from").fill("");
    await page.getByLabel("Due until").fill("");

    await page.getByLabel("Sort by").selectOption({ label: "Due date" });
    await page.getByLabel("Order").selectOption({ label: "Ascending" });
    await expect(page.getByTestId("task-row").first()).toContainText("Pay electricity bill");
    await expect(page.getByTestId("task-row").nth(2)).toContainText("Plan the holiday");
  });

  test("scrolling to the end loads the next page", async ({ page }) => {
    const email = await newUserOnTaskList(page, "scroll");
    await seedTasks(email, Array.from({ length: 45 }, (_, index) => ({ title: `Chore ${String(index + 1).padStart(2, "0")}` })));
    await page.reload();
    await expect(page.getByTestId("task-row")).toHaveCount(20);
    await page.getByTestId("task-row").last().scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 4000);
    // Pages of 20: the second has come in (the third may follow at once on a slow machine,
    // where the end of the list is still in view when the second is drawn).
    await expect.poll(() => page.getByTestId("task-row").count()).toBeGreaterThanOrEqual(40);
    await page.mouse.wheel(0, 8000);
    await expect(page.getByTestId("task-row")).toHaveCount(45);
    await expect(page.getByText("45 tasks, that is all.")).toBeVisible();
  });
});
