import { expect, test, type Page } from "@playwright/test";
import { apiAs, newUserOnTaskList, seedTasks, taskRow } from "./support";

const titles = (page: Page) => page.getByTestId("task-row").getByRole("link").allTextContents();

test("a task dragged to the top stays there after a reload, moved by one PATCH", async ({ page }) => {
  const email = await newUserOnTaskList(page, "order");
  await seedTasks(email, [{ title: "Alpha" }, { title: "Bravo" }, { title: "Charlie" }]);
  await page.reload();
  await page.getByLabel("Sort by").selectOption({ label: "Manual" });
  await expect.poll(() => titles(page)).toEqual(["Alpha", "Bravo", "Charlie"]);

  const moves: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "PATCH" && request.url().includes("/api/tasks")) moves.push(request.postData() ?? "");
  });
  const handle = page.getByRole("button", { name: "Move “Charlie”" });
  const target = await taskRow(page, "Alpha").boundingBox();
  const from = await handle.boundingBox();
  if (!target || !from) throw new Error("the rows are not laid out");
  const saved = page.waitForResponse((response) => response.request().method() === "PATCH" && response.url().includes("/api/tasks/"));
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  // Several steps, as a hand would: dnd-kit starts after a few pixels and sorts as it goes.
  await page.mouse.move(from.x + from.width / 2, target.y + 4, { steps: 12 });
  await page.mouse.up();
  expect((await saved).status()).toBe(200);
  expect(moves).toEqual([JSON.stringify({ after: null })]);
  await expect.poll(() => titles(page)).toEqual(["Charlie", "Alpha", "Bravo"]);

  await page.reload();
  await expect.poll(() => titles(page)).toEqual(["Charlie", "Alpha", "Bravo"]);
});

test("three selected tasks are completed by one request; the one changed elsewhere is reported, the rest applied", async ({ page }) => {
  const email = await newUserOnTaskList(page, "select");
  const seeded = await seedTasks(email, [{ title: "One" }, { title: "Two" }, { title: "Three" }, { title: "Four" }]);
  await page.reload();
  await expect(page.getByTestId("task-row")).toHaveCount(4);

  // "Two" changes elsewhere after this page read it: its version here is stale.
  const other = await apiAs(email);
  await other.call("PATCH", `/api/tasks/${seeded[1].id}`, { priority: 1 });
  await other.dispose();

  const batches: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "PATCH" && new URL(request.url()).pathname === "/api/tasks") batches.push(request.postData() ?? "");
  });
  const rows = await titles(page);
  const [first, , third] = rows; // newest first: Four, Three, Two, One
  await page.getByRole("checkbox", { name: `Select “${first}”` }).click();
  await page.getByRole("checkbox", { name: `Select “${third}”` }).click({ modifiers: ["Shift"] });
  const bar = page.getByTestId("selection-bar");
  await expect(bar).toContainText("3 tasks selected");
  const answered = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/tasks" && response.request().method() === "PATCH");
  await bar.getByRole("button", { name: "Complete" }).click();
  expect((await answered).status()).toBe(207);
  expect(batches).toHaveLength(1);

  await expect(taskRow(page, "Two").getByTestId("row-failure")).toContainText("changed since you read it");
  for (const title of rows.slice(0, 3).filter((title) => title !== "Two")) {
    await expect(taskRow(page, title).getByRole("checkbox", { name: `Completed: ${title}` })).toBeChecked();
  }
  await expect(taskRow(page, "Two").getByRole("checkbox", { name: "Completed: Two" })).not.toBeChecked();
  await expect(bar).toContainText("1 task selected");
});
