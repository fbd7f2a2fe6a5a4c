import { expect, test, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { apiAs, decorateTask, logInThroughForm, newUserOnTaskList, PASSWORD, registerAccount, seedTasks, uniqueEmail, verifyAddress } from "./support";

// `npm run screenshots` writes them into docs/screenshots; a plain e2e run keeps them in test-results.
const directory = process.env.E2E_SCREENSHOT_DIR ?? "test-results/screenshots";

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 860 },
  { name: "phone", width: 375, height: 812 },
];

async function shoot(page: Page, name: string, viewport: string) {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(directory, `${name}-${viewport}.png`), fullPage: true, animations: "disabled" });
}

test.use({ timezoneId: "Europe/Berlin", locale: "en-GB", serviceWorkers: "allow" });

for (const viewport of VIEWPORTS) {
  test(`screenshots of the main screens, ${viewport.name}`, async ({ page, context }) => {
    mkdirSync(directory, { recursive: true });
    await page.setViewportSize({ width: viewport.width, height: viewport.height });

    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await shoot(page, "login", viewport.name);

    const email = await newUserOnTaskList(page, "screens", "Demo User");
    await verifyAddress(page.request, email);
    const year = new Date().getFullYear() + 1;
    const [detail] = await seedTasks(email, [
      {
        title: "Prepare the quarterly report",
        description: "Collect the numbers from finance, draft the summary and send it to the team for review.",
        priority: 1,
        due_date: `${year}-03-14T16:00:00Z`,
      },
      { title: "Renew the passport", description: "Two photos and the old passport.", priority: 2, due_date: `${year}-04-02T08:30:00Z` },
      { title: "Water the plants", priority: 3, completed: true },
      { title: "Pay the electricity bill", priority: 1, due_date: "2024-01-10T10:00:00Z" },
      { title: "Book a table for Friday", priority: 2, completed: true },
      { title: "Call the plumber about the kitchen sink", priority: 2 },
    ]);
    await decorateTask(email, detail.id);
    await page.reload();
    await expect(page.getByTestId("task-row")).toHaveCount(6);
    await expect(page.getByTestId("stat-total")).toContainText("6");
    await page.mouse.move(0, 0);
    await shoot(page, "tasks", viewport.name);

    // Manual order (drag handles) with two tasks selected: the selection bar above the list.
    if (viewport.width < 768) await page.getByRole("button", { name: /Filters/ }).click();
    await page.getByLabel("Sort by").selectOption({ label: "Manual" });
    await expect(page.getByRole("button", { name: "Move “Renew the passport”" })).toBeVisible();
    await page.getByRole("checkbox", { name: "Select “Renew the passport”" }).click();
    await page.getByRole("checkbox", { name: "Select “Call the plumber about the kitchen sink”" }).click();
    await expect(page.getByTestId("selection-bar")).toContainText("2 tasks selected");
    await page.mouse.move(0, 0);
    await shoot(page, "tasks-order-selection", viewport.name);
    await page.getByRole("button", { name: "Clear selection" }).click();

    await page.goto(`/tasks/${detail.id}`);
    await expect(page.getByRole("heading", { name: "Prepare the quarterly report" })).toBeVisible();
    await expect(page.getByTestId("checklist-item")).toHaveCount(3);
    await expect(page.getByTestId("reminder")).toHaveCount(1);
    // Activity is recorded a moment after the changes.
    await expect(async () => {
      await page.getByRole("button", { name: "Refresh the activity" }).click();
      await expect(page.getByTestId("activity-item").first()).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 60_000 });
    await shoot(page, "task-detail", viewport.name);

    // Its history, after two more changes: who changed what, with the values before and after.
    const editor = await apiAs(email);
    await editor.call("PATCH", `/api/tasks/${detail.id}`, { title: "Prepare the Q1 report", priority: 2 });
    await editor.call("PATCH", `/api/tasks/${detail.id}`, { due_date: `${year}-03-21T16:00:00Z` });
    await editor.dispose();
    await page.reload();
    const history = page.getByTestId("task-history");
    await expect(history.getByTestId("task-version").first()).toContainText("Due");
    await expect(history.getByTestId("task-version").nth(1)).toContainText("Prepare the Q1 report");
    await page.evaluate(() => document.fonts.ready);
    await page.mouse.move(0, 0);
    await history.screenshot({ path: join(directory, `task-history-${viewport.name}.png`), animations: "disabled" });

    await page.getByRole("link", { name: "Stats" }).click();
    await expect(page.getByRole("img", { name: /Tasks by priority/ })).toBeVisible();
    await expect(page.getByRole("img", { name: /created and completed per day/ })).toBeVisible();
    await shoot(page, "stats", viewport.name);

    // A shared workspace with a second member (who joined through an invitation) and one invitation still open.
    const api = await apiAs(email);
    const household = (await api.call("POST", "/api/workspaces", { name: "Household" })) as { id: string };
    await api.call("POST", "/api/workspaces", { name: "Book club" });
    const partner = uniqueEmail("partner");
    await registerAccount(page.request, partner, "Sam Partner");
    await verifyAddress(page.request, partner);
    const { token } = (await api.call("POST", `/api/workspaces/${household.id}/invitations`, { email: partner, role: "editor" })) as { token: string };
    await api.dispose();
    const partnerApi = await apiAs(partner);
    await partnerApi.call("POST", `/api/invitations/${token}/accept`);
    await partnerApi.dispose();
    await page.goto("/workspaces");
    await expect(page.getByTestId("workspace-row")).toHaveCount(3);
    await page.getByRole("button", { name: "Invite someone to Household" }).click();
    await page.getByLabel("E-mail").fill("partner@example.com");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await expect(page.getByRole("textbox", { name: "Invitation link" })).toBeVisible();
    await page.mouse.move(0, 0);
    await shoot(page, "workspaces", viewport.name);

    await page.getByRole("link", { name: "Members of Household" }).click();
    await expect(page.getByTestId("member-row")).toHaveCount(2);
    await expect(page.getByTestId("invitation-row")).toHaveCount(1);
    await page.mouse.move(0, 0);
    await shoot(page, "members", viewport.name);

    await page.goto("/activity");
    await expect(page.getByTestId("activity-item").first()).toBeVisible({ timeout: 20_000 });
    await shoot(page, "activity", viewport.name);

    await page.goto("/settings");
    await page.getByRole("button", { name: "Create a calendar feed URL" }).click();
    await expect(page.getByRole("textbox", { name: "Calendar feed URL" })).toBeVisible();
    await page.mouse.move(0, 0);
    await shoot(page, "settings", viewport.name);

    // Dark mode, as a dark system gets it.
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("data-bs-theme", "dark");
    await expect(page.getByTestId("task-row")).toHaveCount(6);
    await page.mouse.move(0, 0);
    await shoot(page, "tasks-dark", viewport.name);
    await page.goto("/stats");
    await expect(page.getByRole("img", { name: /created and completed per day/ })).toBeVisible();
    await page.mouse.move(0, 0);
    await shoot(page, "stats-dark", viewport.name);
    await page.goto("/settings");
    await expect(page.getByTestId("device-notifications-state")).not.toHaveAttribute("data-state", "checking");
    await page.mouse.move(0, 0);
    await shoot(page, "settings-dark", viewport.name);
    await page.emulateMedia({ colorScheme: "light" });

    const transfer = page.getByRole("region", { name: "Export and import" });
    const todoist = "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE\r\n" +
      `task,Plan the team offsite @work,,4,1,,,${year}-05-20,en,Europe/Berlin\r\n` +
      "task,Book the venue,,1,2,,,,en,\r\n" +
      "task,Weekly review @work,,3,1,,,every friday at 4pm,en,Europe/Berlin\r\n";
    await transfer.getByLabel("File to import").setInputFiles({ name: "Team.csv", mimeType: "text/csv", buffer: Buffer.from(todoist) });
    await transfer.getByRole("button", { name: "Import", exact: true }).click();
    await expect(transfer.getByRole("status")).toHaveText("Imported 2 tasks.");
    await page.mouse.move(0, 0);
    await transfer.screenshot({ path: join(directory, `settings-transfer-${viewport.name}.png`), animations: "disabled" });

    // Offline: the service worker opens the app with the list read last.
    await page.goto("/");
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.reload();
    await expect(page.getByTestId("task-row")).toHaveCount(8);
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByTestId("task-row")).toHaveCount(8);
    await page.mouse.move(0, 0);
    await shoot(page, "offline", viewport.name);
    await context.setOffline(false);
  });
}

/** The instant at which Berlin's clocks show `hh:mm`, `days` after today there. */
function inBerlin(days: number, hour: number, minute = 0): string {
  const wall = (instant: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" })
        .formatToParts(new Date(instant))
        .map((part) => [part.type, Number(part.value)]),
    );
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  };
  const today = new Date(wall(Date.now()));
  const target = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + days, hour, minute);
  return new Date(target - (wall(target) - target)).toISOString();
}

for (const viewport of VIEWPORTS) {
  test(`screenshots of quick add, today, upcoming and the shortcuts, ${viewport.name}`, async ({ page }) => {
    mkdirSync(directory, { recursive: true });
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    const email = uniqueEmail("agenda");
    const registered = await page.request.post("/api/auth/register", {
      data: { email, password: PASSWORD, display_name: "Demo User", timezone: "Europe/Berlin" },
    });
    expect(registered.status()).toBe(201);
    await verifyAddress(page.request, email);
    const api = await apiAs(email);
    const household = (await api.call("POST", "/api/workspaces", { name: "Household" })) as { id: string };
    await api.dispose();
    await seedTasks(email, [
      { title: "Pay the electricity bill", priority: 1, due_date: inBerlin(-2, 10) },
      { title: "Stand-up with the team", priority: 2, due_date: inBerlin(0, 23, 0), recurrence: "FREQ=DAILY", timezone: "Europe/Berlin" },
      { title: "Buy groceries", priority: 2, due_date: inBerlin(0, 23, 30), workspace_id: household.id },
      { title: "Call mom", priority: 1, due_date: inBerlin(1, 17) },
      { title: "Renew the passport", priority: 3, due_date: inBerlin(3, 9, 30) },
      { title: "Water the plants", priority: 2, due_date: inBerlin(6, 8), workspace_id: household.id },
      { title: "Read the book club novel", priority: 3 },
    ]);
    await page.goto("/login");
    await logInThroughForm(page, email);
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();

    await page.goto("/today");
    await expect(page.getByTestId("agenda-row")).toHaveCount(3);
    await expect(page.getByTestId("count-today")).toBeAttached();
    await page.mouse.move(0, 0);
    await shoot(page, "today", viewport.name);

    await page.goto("/upcoming");
    await expect(page.getByTestId("agenda-row")).toHaveCount(5);
    await page.mouse.move(0, 0);
    await shoot(page, "upcoming", viewport.name);

    await page.locator("body").press("q");
    const dialog = page.getByRole("dialog", { name: "Quick add" });
    await dialog.getByLabel("Task, in one line").fill("Plan the trip every month on the 1st 9am p1 #travel @Household");
    await expect(dialog.getByTestId("preview-repeat")).toBeVisible();
    await shoot(page, "quick-add", viewport.name);
    await page.keyboard.press("Escape");

    await page.locator("body").press("?");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
    await shoot(page, "shortcuts", viewport.name);
  });
}
