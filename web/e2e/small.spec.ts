import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { apiAs, newUserOnTaskList, seedTasks, taskRow } from "./support";

const ZONE = "Europe/London";

test.describe("a repeating task", () => {
  test.use({ timezoneId: ZONE });

  test("completing an occurrence says when it is next, Undo puts it back, and the statistics name completions apart", async ({ page }) => {
    const email = await newUserOnTaskList(page, "repeat-next");
    const year = new Date().getFullYear() + 1;
    const due = `${year}-12-08T09:00:00Z`; // 09:00 in London in winter
    const [task] = await seedTasks(email, [{ title: "Water the ferns", due_date: due, recurrence: "FREQ=DAILY", timezone: ZONE }]);
    await page.reload();

    // "Tue 9 Dec, 09:00": the page's language (en-GB) in the task's zone.
    const format = (iso: string) => new Intl.DateTimeFormat("en-GB", {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: ZONE,
    }).format(new Date(iso));
    const next = `${year}-12-09T09:00:00Z`;

    // Not check(): the box does not stay ticked, as the task moves on to its next occurrence.
    await page.getByRole("checkbox", { name: "Completed: Water the ferns" }).click();
    const toast = page.getByTestId("next-occurrence");
    await expect(toast).toContainText(`Done: “Water the ferns”. Next: ${format(next)}`);
    const undo = toast.getByRole("button", { name: "Undo" });
    await expect(undo).toHaveAccessibleDescription(`Undo puts it back to ${format(due)}; the completion stays counted in the statistics.`);
    // The row moved on too, and the task is still open.
    await expect(page.getByRole("checkbox", { name: "Completed: Water the ferns" })).not.toBeChecked();
    await expect(taskRow(page, "Water the ferns").locator("time")).toHaveAttribute("datetime", new RegExp(`^${year}-12-09T09:00:00`));

    const api = await apiAs(email);
    await expect.poll(async () => ((await api.call("GET", `/api/tasks/${task.id}`)) as { due_date: string }).due_date)
      .toMatch(new RegExp(`^${year}-12-09T09:00:00`));

    await undo.click();
    await expect.poll(async () => ((await api.call("GET", `/api/tasks/${task.id}`)) as { due_date: string }).due_date)
      .toMatch(new RegExp(`^${year}-12-08T09:00:00`));
    const back = (await api.call("GET", `/api/tasks/${task.id}`)) as { completed: boolean; recurrence: string; timezone: string };
    expect(back).toMatchObject({ completed: false, recurrence: "FREQ=DAILY", timezone: ZONE });
    await api.dispose();
    await expect(toast).toHaveCount(0);

    // No task is done, but the completion counts: two numbers, named apart.
    await page.getByRole("link", { name: "Stats" }).click();
    await expect(page.getByTestId("figure-done")).toHaveText("0");
    await expect(page.getByText("Tasks done", { exact: true })).toBeVisible();
    await expect(page.getByTestId("history-completions")).toHaveText("1");
    await expect(page.getByText("Completions (incl. repeats):")).toBeVisible();
    await expect(page.getByTestId("done-explained")).toContainText("A repeating task moves on to its next date each time it is done");
  });
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("the complete checkbox is at least 24 px, and a row's actions are behind one menu that the keyboard can use", async ({ page }) => {
    const email = await newUserOnTaskList(page, "phone");
    await seedTasks(email, [{ title: "Buy stamps" }, { title: "Post the letters" }]);
    await page.reload();
    await expect(page.getByTestId("task-row")).toHaveCount(2);

    const checkbox = page.getByRole("checkbox", { name: "Completed: Buy stamps" });
    const box = await checkbox.boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(24);
    expect(box?.height).toBeGreaterThanOrEqual(24);

    // No crowd of buttons: one menu button per row.
    await expect(page.getByRole("button", { name: "Edit “Buy stamps”" })).toBeHidden();
    await expect(page.getByRole("button", { name: "Delete “Buy stamps”" })).toBeHidden();
    const menuButton = page.getByRole("button", { name: "Actions for “Buy stamps”" });
    await expect(menuButton).toHaveAttribute("aria-haspopup", "menu");
    await expect(menuButton).toHaveAttribute("aria-expanded", "false");
    const target = await menuButton.boundingBox();
    expect(target?.width).toBeGreaterThanOrEqual(24);
    expect(target?.height).toBeGreaterThanOrEqual(24);

    // The keyboard: Enter opens it on the first item, the arrows move, Escape closes and gives the focus back.
    await menuButton.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu", { name: "Actions for “Buy stamps”" });
    await expect(menu).toBeVisible();
    await expect(menuButton).toHaveAttribute("aria-expanded", "true");
    await expect(menu.getByRole("menuitem", { name: "Edit" })).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await expect(menu.getByRole("menuitem", { name: "Delete" })).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await expect(menu.getByRole("menuitem", { name: "Edit" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(menu).toHaveCount(0);
    await expect(menuButton).toBeFocused();

    // Open, it passes the accessibility scan.
    await menuButton.click();
    await expect(menu).toBeVisible();
    await page.mouse.move(0, 0);
    const results = await new AxeBuilder({ page }).include("[data-testid='task-row']")
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
    expect(results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical")).toEqual([]);

    // A tap on an item does what it says.
    await menu.getByRole("menuitem", { name: "Edit" }).tap();
    const editor = page.getByRole("form", { name: "Edit “Buy stamps”" });
    await expect(editor).toBeVisible();
    await expect(editor.getByLabel("Title")).toBeFocused();
    await editor.getByRole("button", { name: "Cancel" }).tap();

    await page.getByRole("button", { name: "Actions for “Post the letters”" }).tap();
    await page.getByRole("menuitem", { name: "Delete" }).tap();
    await expect(taskRow(page, "Post the letters")).toHaveCount(0);
    await expect(page.getByText("Deleted “Post the letters”.")).toBeVisible();
  });
});
