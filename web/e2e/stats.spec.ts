import { expect, test } from "@playwright/test";
import { newUserOnTaskList, seedTasks } from "./support";

test("stats: a task completed today shows in the completion chart, over 30 and over 7 days", async ({ page }) => {
  const email = await newUserOnTaskList(page, "history");
  await seedTasks(email, [{ title: "Write the minutes" }, { title: "Book the room" }]);
  await page.reload();

  const saved = page.waitForResponse((response) => response.request().method() === "PATCH" && response.url().includes("/api/tasks/"));
  await page.getByRole("checkbox", { name: "Completed: Write the minutes" }).check();
  expect((await saved).ok()).toBe(true);

  await page.getByRole("link", { name: "Stats" }).click();
  await expect(page.getByRole("heading", { name: "Completion over time" })).toBeVisible();
  const chart = page.getByRole("img", { name: "Tasks created and completed per day, last 30 days" });
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAccessibleDescription(/^2 created and 1 completed /);
  // Today is the last day, in the account's time zone.
  await expect(page.getByTestId("history-day")).toHaveCount(30);
  await expect(page.getByTestId("history-day").last().getByRole("cell")).toHaveText(["2", "1"]);

  await page.getByText("7 days", { exact: true }).click();
  await expect(page.getByRole("radio", { name: "7 days" })).toBeChecked();
  await expect(page.getByRole("img", { name: "Tasks created and completed per day, last 7 days" })).toBeVisible();
  await expect(page.getByTestId("history-day")).toHaveCount(7);
});
