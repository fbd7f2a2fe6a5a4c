import { expect, test } from "@playwright/test";
import { newUserOnTaskList, seedTasks } from "./support";

test("a second user cannot see the first user's tasks", async ({ browser }) => {
  const first = await browser.newContext();
  const firstPage = await first.newPage();
  const firstEmail = await newUserOnTaskList(firstPage, "first");
  const [secret] = await seedTasks(firstEmail, [{ title: "First user's secret plan" }]);
  await firstPage.reload();
  await expect(firstPage.getByText("First user's secret plan")).toBeVisible();

  const second = await browser.newContext();
  const secondPage = await second.newPage();
  await newUserOnTaskList(secondPage, "second");
  await expect(secondPage.getByText(/No tasks yet/)).toBeVisible();
  await secondPage.getByRole("searchbox", { name: "Search tasks" }).fill("secret");
  await expect(secondPage.getByText("No task matches these filters.")).toBeVisible();

  // Even with the address of the task, it does not exist for them.
  await secondPage.goto(`/tasks/${secret.id}`);
  await expect(secondPage.getByRole("heading", { name: "Task not found" })).toBeVisible();
  await secondPage.goto("/stats");
  await expect(secondPage.getByTestId("figure-tasks")).toHaveText("0");

  await first.close();
  await second.close();
});
