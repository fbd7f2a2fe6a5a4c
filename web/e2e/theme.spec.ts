import { expect, test, type Page } from "@playwright/test";
import { apiAs, decorateTask, logInThroughForm, newUserOnTaskList, registerAccount, seedTasks, uniqueEmail } from "./support";

const theme = (page: Page) => page.locator("html");
const bodyBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test.describe("a dark system", () => {
  test.use({ colorScheme: "dark" });

  test("gets the dark theme from the first paint", async ({ page }) => {
    await page.goto("/login");
    await expect(theme(page)).toHaveAttribute("data-bs-theme", "dark");
    // Bootstrap's dark tertiary background (#2b3035), not the light one.
    expect(await bodyBackground(page)).toBe("rgb(43, 48, 53)");
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  });

  test("keeps nothing white on the pages, their badges and their toasts", async ({ page }) => {
    const email = await newUserOnTaskList(page, "dark-pages");
    const [report] = await seedTasks(email, [
      { title: "Prepare the report", due_date: "2020-01-01T09:00:00Z" },
      { title: "Water the plants" },
    ]);
    await decorateTask(email, report.id);
    const api = await apiAs(email);
    await api.call("POST", "/api/workspaces", { name: "Team" });
    await api.dispose();

    await page.reload();
    await page.getByRole("checkbox", { name: "Completed: Water the plants" }).check();
    await expect(page.getByTestId("undo-toast")).toBeVisible();
    expect(await whiteBackgrounds(page), "task list with a toast").toEqual([]);
    await page.goto(`/tasks/${report.id}`);
    await expect(page.getByTestId("reminder")).toHaveCount(1);
    expect(await whiteBackgrounds(page), "task detail").toEqual([]);
    await page.goto("/today");
    await expect(page.getByTestId("agenda-workspace")).toHaveCount(1);
    expect(await whiteBackgrounds(page), "today").toEqual([]);
    await page.goto("/stats");
    await expect(page.getByTestId("history-chart")).toBeVisible();
    expect(await whiteBackgrounds(page), "stats").toEqual([]);
    await page.goto("/workspaces");
    await expect(page.getByTestId("workspace-row")).toHaveCount(2);
    expect(await whiteBackgrounds(page), "workspaces").toEqual([]);
    await page.getByRole("link", { name: "Members of Team" }).click();
    await expect(page.getByTestId("member-row")).toHaveCount(1);
    expect(await whiteBackgrounds(page), "members").toEqual([]);
  });
});

/** What shows a near-white background on the page or in a toast: nothing should, in the dark theme. */
function whiteBackgrounds(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("main *, .Toastify *")].flatMap((element) => {
      const [r, g, b, alpha = 1] = (getComputedStyle(element).backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
      if (element.getClientRects().length === 0 || alpha < 0.5 || Math.min(r, g, b) < 240) return [];
      return [`${element.tagName.toLowerCase()}.${[...element.classList].join(".")}: ${element.textContent?.trim().slice(0, 40)}`];
    }),
  );
}

test.describe("a light system", () => {
  test.use({ colorScheme: "light" });

  test("gets the light theme", async ({ page }) => {
    await page.goto("/login");
    await expect(theme(page)).toHaveAttribute("data-bs-theme", "light");
    expect(await bodyBackground(page)).toBe("rgb(248, 249, 250)");
  });

  test("a chosen theme stays across a reload and follows the account to another browser", async ({ page, browser }) => {
    const email = await newUserOnTaskList(page, "theme");
    await page.goto("/settings");
    await page.getByLabel("Dark", { exact: true }).check();
    await expect(theme(page)).toHaveAttribute("data-bs-theme", "dark");
    // The account has it once the save is done: the radio group is enabled again.
    await expect(page.getByLabel("Dark", { exact: true })).toBeEnabled();

    await page.reload();
    await expect(theme(page)).toHaveAttribute("data-bs-theme", "dark");
    expect(await bodyBackground(page)).toBe("rgb(43, 48, 53)");
    await expect(page.getByLabel("Dark", { exact: true })).toBeChecked();

    const elsewhere = await browser.newContext({ colorScheme: "light" });
    try {
      const other = await elsewhere.newPage();
      await other.goto("/login");
      await expect(theme(other)).toHaveAttribute("data-bs-theme", "light");
      await logInThroughForm(other, email);
      await expect(other.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
      await expect(theme(other)).toHaveAttribute("data-bs-theme", "dark");
    } finally {
      await elsewhere.close();
    }

    await page.getByLabel("As the system").check();
    await expect(theme(page)).toHaveAttribute("data-bs-theme", "light");
  });
});

/** WCAG's contrast ratio of two computed colours ("rgb(r, g, b)"). */
function contrast(one: string, other: string): number {
  const luminance = (colour: string) => {
    const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
      const channel = Number(part) / 255;
      return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(one), luminance(other)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`the statistics, ${colorScheme}`, () => {
    test.use({ colorScheme });

    test("draw their bars and lines in the theme's colours, 3:1 at least against the card", async ({ page }) => {
      const email = await newUserOnTaskList(page, "chart-colours");
      await seedTasks(email, [
        { title: "High", priority: 1 },
        { title: "Normal", priority: 2, completed: true },
        { title: "Low", priority: 3 },
      ]);
      await page.goto("/stats");
      await expect(page.getByTestId("history-chart")).toBeVisible();
      await expect(page.getByTestId("priority-bar")).toHaveCount(3);
      const drawn = await page.evaluate(() => {
        const colours = (selector: string, property: "stroke" | "backgroundColor") =>
          [...document.querySelectorAll<HTMLElement>(selector)].map((element) => ({
            colour: getComputedStyle(element)[property],
            card: getComputedStyle(element.closest(".card") as HTMLElement).backgroundColor,
          }));
        return [
          ...colours("[data-testid=history-chart] polyline", "stroke"),
          ...colours("[data-testid=priority-bar]", "backgroundColor"),
        ];
      });
      expect(drawn).toHaveLength(5);
      for (const { colour, card } of drawn) {
        expect(contrast(colour, card), `${colour} on ${card}`).toBeGreaterThanOrEqual(3);
      }
    });
  });

  test.describe(`a toast, ${colorScheme}`, () => {
    test.use({ colorScheme });

    test("takes the theme's colours, its words and its Undo readable on it", async ({ page }) => {
      const email = await newUserOnTaskList(page, "toast-colours");
      await seedTasks(email, [{ title: "Water the plants" }]);
      await page.reload();
      await page.getByRole("checkbox", { name: "Completed: Water the plants" }).check();
      const toast = page.locator(".Toastify__toast").filter({ has: page.getByTestId("undo-toast") });
      await expect(toast).toBeVisible();
      const colours = await toast.evaluate((element) => ({
        toast: getComputedStyle(element).backgroundColor,
        page: getComputedStyle(document.body).backgroundColor,
        words: getComputedStyle(element.querySelector("span") as HTMLElement).color,
        undo: getComputedStyle(element.querySelector("button") as HTMLElement).color,
      }));
      // The dark theme's page is dark: so is its toast.
      expect(contrast(colours.toast, colours.page), `${colours.toast} on ${colours.page}`).toBeLessThan(1.5);
      expect(contrast(colours.words, colours.toast), `${colours.words} on ${colours.toast}`).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colours.undo, colours.toast), `${colours.undo} on ${colours.toast}`).toBeGreaterThanOrEqual(4.5);
    });
  });
}

test("notifications on this device say what this browser can do", async ({ page, request }) => {
  const email = uniqueEmail("push");
  await registerAccount(request, email);
  await page.goto("/login");
  await logInThroughForm(page, email);
  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  await page.goto("/settings");
  const state = page.getByTestId("device-notifications-state");
  await expect(state).not.toHaveAttribute("data-state", "checking");
  // Without a service worker yet, push is unavailable rather than waiting for one forever.
  const registered = await page.evaluate(async () => Boolean(await navigator.serviceWorker.getRegistration()));
  if (!registered) await expect(state).toHaveAttribute("data-state", "unavailable");
  else await expect(state).toHaveAttribute("data-state", /^(off|denied|on)$/);
  const key = await page.evaluate(async () => (await (await fetch("/api/push/vapid-public-key")).json()) as { key: string });
  expect(key.key).toMatch(/^B[A-Za-z0-9_-]{86}$/);
});
