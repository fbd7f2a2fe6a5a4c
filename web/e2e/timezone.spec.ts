import { expect, test } from "@playwright/test";
import { apiAs, BASE_URL, logInThroughForm, PASSWORD, registerAccount, seedTasks, uniqueEmail } from "./support";

// The browser says Europe/Berlin; accounts made through the API without a zone are on UTC.
test.use({ timezoneId: "Europe/Berlin" });

async function accountTimeZone(email: string): Promise<string> {
  const api = await apiAs(email);
  try {
    return ((await api.call("GET", "/api/auth/me")) as { timezone: string }).timezone;
  } finally {
    await api.dispose();
  }
}

test("registration sends the browser's time zone, and the account shows it", async ({ page }) => {
  const email = uniqueEmail("berlin");
  await page.goto("/register");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  const registration = page.waitForRequest((request) => request.method() === "POST" && request.url().endsWith("/api/auth/register"));
  await page.getByRole("button", { name: "Create account" }).click();
  expect((await registration).postDataJSON()).toMatchObject({ email, timezone: "Europe/Berlin" });

  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  // Already in the browser's zone: nothing to ask.
  await expect(page.getByTestId("timezone-prompt")).toHaveCount(0);
  expect(await accountTimeZone(email)).toBe("Europe/Berlin");

  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
  // Read from the account, not the browser's stand-in.
  await expect(page.getByText("Due dates, repeats and the digest follow it.")).toBeVisible();
});

test("an account still on UTC is asked once: 'no' is never asked again, 'yes' sets the zone", async ({ page, browser }) => {
  const keeper = uniqueEmail("keeps-utc");
  await registerAccount(page.request, keeper);
  await page.goto("/login");
  await logInThroughForm(page, keeper);
  const prompt = page.getByRole("region", { name: "Use Europe/Berlin?" });
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText("Your account’s time zone is UTC, but this browser is in Europe/Berlin.");
  await page.getByRole("button", { name: "No, keep UTC" }).click();
  await expect(prompt).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Stats" }).click();
  await expect(page.getByRole("heading", { name: "Statistics" })).toBeVisible();
  await expect(page.getByTestId("timezone-prompt")).toHaveCount(0);
  expect(await accountTimeZone(keeper)).toBe("UTC");

  // Another account in a browser of its own says yes.
  const mover = uniqueEmail("moves");
  await registerAccount(page.request, mover);
  const context = await browser.newContext({ baseURL: BASE_URL, locale: "en-GB", timezoneId: "Europe/Berlin" });
  try {
    const other = await context.newPage();
    await other.goto("/login");
    await logInThroughForm(other, mover);
    await other.getByRole("button", { name: "Yes, use Europe/Berlin" }).click();
    await expect(other.getByText("Your account now uses Europe/Berlin time.")).toBeVisible();
    await expect(other.getByTestId("timezone-prompt")).toHaveCount(0);
    expect(await accountTimeZone(mover)).toBe("Europe/Berlin");
    await other.reload();
    await expect(other.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
    await expect(other.getByTestId("timezone-prompt")).toHaveCount(0);
    await other.getByRole("link", { name: "Settings" }).click();
    await expect(other.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
  } finally {
    await context.close();
  }
});

test("a repeat added to an existing task starts in the zone of the user, not in UTC", async ({ page }) => {
  const email = uniqueEmail("repeats");
  await registerAccount(page.request, email);
  // Made while the account was on UTC: the task carries UTC.
  const [task] = await seedTasks(email, [{ title: "Water the ferns", due_date: "2031-03-03T08:00:00Z" }]);
  await page.goto("/login");
  await logInThroughForm(page, email);
  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();

  // Not answered yet: the new repeat takes the browser's zone, never UTC nobody chose.
  await page.goto(`/tasks/${task.id}`);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Repeat").selectOption({ label: "Daily" });
  await expect(page.getByLabel("Time zone of the repeats")).toHaveValue("Europe/Berlin");
  await page.getByRole("button", { name: "Cancel" }).click();

  // Once the account is in Berlin, the repeat is saved in it.
  await page.getByRole("button", { name: "Yes, use Europe/Berlin" }).click();
  await expect(page.getByTestId("timezone-prompt")).toHaveCount(0);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Repeat").selectOption({ label: "Weekly on chosen days" });
  await expect(page.getByLabel("Time zone of the repeats")).toHaveValue("Europe/Berlin");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("task-recurrence")).toContainText("(Europe/Berlin)");
  const api = await apiAs(email);
  try {
    expect(await api.call("GET", `/api/tasks/${task.id}`)).toMatchObject({ timezone: "Europe/Berlin", recurrence: expect.stringContaining("WEEKLY") });
  } finally {
    await api.dispose();
  }
});
