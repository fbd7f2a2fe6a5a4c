import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { apiAs, dayIn, logInThroughForm, PASSWORD, seedTasks, taskRow, uniqueEmail, wallClock } from "./support";

// The browser is in Berlin, the account in New York: quick add and the views follow the account.
const ZONE = "America/New_York";
test.use({ timezoneId: "Europe/Berlin" });

interface ApiTask {
  id: string;
  title: string;
  due_date: string | null;
  priority: number;
  completed: boolean;
  tags: { name: string }[];
}

async function newUserInNewYork(page: Page, who: string): Promise<string> {
  const email = uniqueEmail(who);
  const registered = await page.request.post("/api/auth/register", { data: { email, password: PASSWORD, timezone: ZONE } });
  expect(registered.status(), await registered.text()).toBe(201);
  await page.goto("/login");
  await logInThroughForm(page, email);
  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  return email;
}

async function tasksOf(email: string): Promise<ApiTask[]> {
  const api = await apiAs(email);
  try {
    return ((await api.call("GET", "/api/tasks?limit=100")) as { items: ApiTask[] }).items;
  } finally {
    await api.dispose();
  }
}

async function quickAdd(page: Page, line: string): Promise<void> {
  await page.locator("body").press("q");
  const dialog = page.getByRole("dialog", { name: "Quick add" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Task, in one line").fill(line);
  await dialog.getByLabel("Task, in one line").press("Enter");
  await expect(dialog).toHaveCount(0);
}

test("quick add saves what its preview shows, in the account's zone, and the views list it", async ({ page }) => {
  const email = await newUserInNewYork(page, "quick-add");
  const [overdue] = await seedTasks(email, [{ title: "Overdue report", due_date: "2020-01-02T15:00:00Z" }]);

  await page.getByRole("button", { name: "+ Quick add" }).click();
  const dialog = page.getByRole("dialog", { name: "Quick add" });
  const line = dialog.getByLabel("Task, in one line");
  await expect(line).toBeFocused();
  await line.fill("Call mom tomorrow 5pm p1 #family");
  await expect(dialog.getByTestId("preview-title")).toHaveText("Call mom");
  await expect(dialog.getByTestId("preview-due")).toContainText("17:00");
  await expect(dialog.getByTestId("preview-priority")).toHaveText("High (p1)");
  await expect(dialog.getByTestId("preview-tags")).toHaveText("#family");
  await expect(dialog).toContainText(`Times are in ${ZONE}`);
  await line.press("Enter");
  await expect(dialog).toHaveCount(0);
  await expect(taskRow(page, "Call mom")).toBeVisible();

  const saved = (await tasksOf(email)).find((task) => task.title === "Call mom");
  expect(saved).toBeDefined();
  expect(wallClock(saved!.due_date!, ZONE)).toBe(`${dayIn(ZONE, 1)} 17:00`);
  expect(saved!.priority).toBe(1);
  expect(saved!.tags.map((tag) => tag.name)).toEqual(["family"]);

  // Today: the overdue task first, then today's; the count in the navigation follows.
  await quickAdd(page, "Water plants today 23:59 #home");
  await page.getByRole("link", { name: /^Today/ }).click();
  await expect(page.getByRole("heading", { name: "Today", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Overdue/ })).toBeVisible();
  const rows = page.getByTestId("agenda-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText(overdue.title);
  await expect(rows.nth(1)).toContainText("Water plants");
  await expect(rows.nth(1).getByTestId("agenda-workspace")).toHaveText("Personal");
  await expect(page.getByTestId("count-today")).toHaveText(/^2/);

  // Completing one hides it, and the count drops; "show completed" brings it back.
  await rows.nth(1).getByRole("checkbox").check();
  await expect(page.getByTestId("agenda-row")).toHaveCount(1);
  await expect(page.getByTestId("count-today")).toHaveText(/^1/);
  await page.getByLabel("Show completed").check();
  await expect(page.getByTestId("agenda-row")).toHaveCount(2);

  // Upcoming: tomorrow's call under tomorrow.
  await page.goto("/upcoming");
  const tomorrow = page.getByRole("list", { name: /^Tomorrow/ });
  await expect(tomorrow.getByTestId("agenda-row")).toContainText("Call mom");
  await expect(page.getByTestId("count-upcoming")).toHaveText(/^1/);
});

test("the keyboard: q, type, Enter; j/k select; x completes; e edits, Esc closes; # deletes with undo, in the list and on Today; ? lists the keys", async ({ page }) => {
  const email = await newUserInNewYork(page, "keyboard");
  await seedTasks(email, [{ title: "Third" }, { title: "Second" }]);
  await page.reload();
  await expect(taskRow(page, "Second")).toBeVisible();

  await quickAdd(page, "First p2");
  await expect(taskRow(page, "First")).toBeVisible();
  // The numbers above the list count it too.
  await expect(page.getByTestId("stat-total")).toContainText("3");
  const rows = page.getByTestId("task-row");
  await expect(rows.nth(0)).toContainText("First");

  // Nothing fires while typing in a field.
  await page.getByLabel("Search tasks").fill("jjx");
  await expect(page.locator(".is-selected")).toHaveCount(0);
  await page.getByLabel("Search tasks").fill("");
  await expect(page).not.toHaveURL(/q=/);
  await expect(rows).toHaveCount(3);
  await page.getByLabel("Search tasks").blur();

  await page.keyboard.press("j");
  await expect(rows.nth(0)).toBeFocused();
  await expect(rows.nth(0)).toHaveClass(/is-selected/);
  await page.keyboard.press("j");
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press("k");
  await expect(rows.nth(0)).toBeFocused();
  await expect(page.locator("[aria-live=polite]").filter({ hasText: "First, 1 of 3" })).toHaveCount(1);

  await page.keyboard.press("x");
  await expect(taskRow(page, "First").getByRole("checkbox", { name: /^Completed:/ })).toBeChecked();

  await page.keyboard.press("e");
  const editor = page.getByRole("form", { name: "Edit “First”" });
  await expect(editor).toBeVisible();
  await editor.getByLabel("Title").press("Escape");
  await expect(editor).toHaveCount(0);

  // The selection stays on the row; k (already the first) takes the focus back to it.
  await page.keyboard.press("k");
  await expect(rows.nth(0)).toBeFocused();
  await page.keyboard.press("#");
  await expect(taskRow(page, "First")).toHaveCount(0);
  // The delete's own toast: an earlier change may still offer its Undo too.
  await page.getByText(/^Deleted /).locator("..").getByRole("button", { name: "Undo" }).click();
  await expect(taskRow(page, "First")).toBeVisible();

  await page.locator("body").press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  for (const key of ["q", "/", "j / k", "x", "e", "#", "Esc", "?"]) {
    await expect(help.getByRole("cell", { name: key, exact: true })).toBeVisible();
  }
  await page.keyboard.press("Escape");
  await expect(help).toHaveCount(0);

  // "/" goes to the search field.
  await page.locator("body").press("/");
  await expect(page.getByLabel("Search tasks")).toBeFocused();
  expect((await tasksOf(email)).map((task) => task.title).sort()).toEqual(["First", "Second", "Third"]);

  // Today answers the same keys: # hides the task behind the list's Undo.
  await seedTasks(email, [{ title: "Overdue invoice", due_date: "2020-01-02T15:00:00Z" }]);
  await page.getByLabel("Search tasks").blur();
  await page.getByRole("link", { name: /^Today/ }).click();
  const agenda = page.getByTestId("agenda-row");
  await expect(agenda).toHaveCount(1);
  await page.keyboard.press("j");
  await expect(agenda.nth(0)).toBeFocused();
  await page.keyboard.press("#");
  await expect(agenda).toHaveCount(0);
  const deleteToast = page.locator(".Toastify__toast", { hasText: "Deleted “Overdue invoice”." });
  await deleteToast.getByRole("button", { name: "Undo" }).click();
  await expect(agenda).toHaveCount(1);
  await expect(deleteToast).toHaveCount(0);
  expect((await tasksOf(email)).map((task) => task.title)).toContain("Overdue invoice");

  await page.locator("body").press("?");
  await expect(help).toBeVisible();
  for (const key of ["j / k", "x", "e", "#"]) {
    await expect(help.getByRole("cell", { name: key, exact: true })).toBeVisible();
  }
  await expect(help.getByRole("cell", { name: "Open the selected task, to edit it" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(help).toHaveCount(0);

  // Left to close, the message sends the delete.
  await page.keyboard.press("#");
  await expect(agenda).toHaveCount(0);
  await deleteToast.getByRole("button", { name: "close" }).click();
  await expect.poll(async () => (await tasksOf(email)).map((task) => task.title)).not.toContain("Overdue invoice");
  await expect(page.getByTestId("count-today")).toHaveText(/^0/);
});

async function seriousViolations(page: Page, what: string) {
  await page.mouse.move(0, 0);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`), what).toEqual([]);
}

// Both themes: the system's colour scheme picks the theme (public/theme.js).
for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    for (const width of [1280, 375]) {
      test(`the views, quick add and the shortcuts have no serious accessibility violations at ${width} px, ${colorScheme}`, async ({ page }) => {
        await page.setViewportSize({ width, height: 900 });
        const email = await newUserInNewYork(page, "capture-a11y");
        await seedTasks(email, [
          { title: "Overdue report", priority: 1, due_date: "2020-01-02T15:00:00Z" },
          { title: "Later", priority: 3, due_date: new Date(Date.now() + 3 * 86_400_000).toISOString() },
          { title: "Someday" },
        ]);
        for (const view of ["today", "upcoming", "inbox"]) {
          await page.goto(`/${view}`);
          await expect(page.getByTestId("agenda-row")).toHaveCount(1);
          await page.keyboard.press("j");
          await seriousViolations(page, view);
        }
        await page.locator("body").press("q");
        await page.getByLabel("Task, in one line").fill("Plan the trip every monday 9am p1 #travel");
        await seriousViolations(page, "quick add");
        await page.keyboard.press("Escape");
        await page.locator("body").press("?");
        await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
        await seriousViolations(page, "shortcuts");
      });
    }
  });
}
