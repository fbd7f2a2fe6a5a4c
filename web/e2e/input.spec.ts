import AxeBuilder from "@axe-core/playwright";
import { expect, request, test, type Locator, type Page } from "@playwright/test";
import { apiAs, BASE_URL, logInThroughForm, newUserOnTaskList, PASSWORD, registerAccount, seedTasks, taskRow, uniqueEmail } from "./support";

// Nothing a user types is lost: impossible dates are refused, drafts survive the end of a
// session, and a save refused because the task changed elsewhere (412) keeps the user's edits.

async function seriousViolations(page: Page, include: string) {
  await page.mouse.move(0, 0);
  const results = await new AxeBuilder({ page })
    .include(include)
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({ id: violation.id, targets: violation.nodes.map((node) => node.target.join(" ")) }));
}

/** The user's task, read through the API with its ETag. */
async function readTask(email: string, id: string): Promise<{ task: Record<string, unknown>; etag: string }> {
  const api = await request.newContext({ baseURL: BASE_URL });
  try {
    const login = await api.post("/api/auth/login", { data: { email, password: PASSWORD } });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const response = await api.get(`/api/tasks/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status()).toBe(200);
    return { task: (await response.json()) as Record<string, unknown>, etag: response.headers()["etag"] };
  } finally {
    await api.dispose();
  }
}

async function tasksOf(email: string): Promise<Record<string, unknown>[]> {
  const api = await apiAs(email);
  try {
    return ((await api.call("GET", "/api/tasks")) as { items: Record<string, unknown>[] }).items;
  } finally {
    await api.dispose();
  }
}

/** Whether the browser holds typed text in a date field that it could not read as a date. */
const badInput = (field: Locator) => field.evaluate((element) => (element as HTMLInputElement).validity.badInput);

test.describe("impossible dates", () => {
  // The report's browser read dates as month/day/year.
  test.use({ locale: "en-US" });

  test("02/31/2026 is an error in the due, reminder and filter fields, and nothing is saved", async ({ page }) => {
    const email = await newUserOnTaskList(page, "baddate");
    const posts: string[] = [];
    page.on("request", (sent) => {
      if (sent.method() === "POST" && new URL(sent.url()).pathname.startsWith("/api/tasks")) posts.push(sent.url());
    });

    // The due date of a new task, typed as the report did.
    await page.getByRole("button", { name: "New task" }).click();
    const form = page.getByRole("form", { name: "New task" });
    await form.getByLabel("Title").fill("Pay the rent");
    const due = form.getByLabel("Due");
    await due.click();
    await due.pressSequentially("023120260930A");
    expect(await badInput(due)).toBe(true);
    await expect(due).toHaveValue("");
    await form.getByRole("button", { name: "Add task" }).click();

    await expect(due).toHaveAttribute("aria-invalid", "true");
    await expect(due).toHaveAccessibleDescription(/not a real date and time/);
    await expect(due).toBeFocused();
    expect(posts).toEqual([]);
    expect(await tasksOf(email)).toEqual([]);

    // Once it is a real date, the task is saved with it.
    await due.fill("2026-02-28T09:30");
    await expect(due).not.toHaveAttribute("aria-invalid");
    await form.getByRole("button", { name: "Add task" }).click();
    await expect(taskRow(page, "Pay the rent")).toBeVisible();
    const [saved] = await tasksOf(email);
    expect(saved.due_date && new Date(String(saved.due_date)).toISOString())
      .toBe(await page.evaluate(() => new Date("2026-02-28T09:30").toISOString()));

    // A reminder at a date and time.
    await page.getByRole("link", { name: "Pay the rent" }).click();
    await page.getByLabel("At a date and time").check();
    const at = page.getByLabel("Reminder date and time");
    await at.click();
    await at.pressSequentially("023120260800A");
    expect(await badInput(at)).toBe(true);
    await page.getByRole("button", { name: "Add reminder" }).click();
    await expect(at).toHaveAccessibleDescription(/not a real date and time/);
    await expect(page.getByText("No reminders.")).toBeVisible();
    const api = await apiAs(email);
    expect(((await api.call("GET", `/api/tasks/${saved.id}/reminders`)) as { items: unknown[] }).items).toEqual([]);
    await api.dispose();

    // A due-day filter: the list and the address keep what they had.
    await page.getByRole("link", { name: /All tasks/ }).click();
    await expect(taskRow(page, "Pay the rent")).toBeVisible();
    const from = page.getByLabel("Due from");
    await from.click();
    await from.pressSequentially("02312026");
    // Leaving the field (Tab inside it moves between its day, month and year).
    await page.getByLabel("Due until").focus();
    expect(await badInput(from)).toBe(true);
    await expect(from).toHaveAccessibleDescription(/not a real date/);
    expect(new URL(page.url()).searchParams.has("due_from")).toBe(false);
    await expect(taskRow(page, "Pay the rent")).toBeVisible();

    await from.fill("2026-02-01");
    await expect(page).toHaveURL(/due_from=2026-02-01/);
    await expect(from).not.toHaveAttribute("aria-invalid");
  });
});

test.describe("the end of a session", () => {
  test("revoked while typing: the draft comes back after logging in again, with a word why, and never to another user", async ({ page }) => {
    const alice = uniqueEmail("drafts-alice");
    const bob = uniqueEmail("drafts-bob");
    await registerAccount(page.request, alice);
    await registerAccount(page.request, bob);
    await page.goto("/login");
    await logInThroughForm(page, alice);
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "New task" }).click();
    const form = page.getByRole("form", { name: "New task" });
    await form.getByLabel("Title").fill("Quarterly report");
    await form.getByLabel("Description").fill("Numbers from finance, then the summary.");
    await form.getByLabel("Priority").selectOption({ label: "High" });
    await form.getByLabel("Due").fill("2030-05-06T07:45");

    // Logged out everywhere from elsewhere: this page's session is revoked while it is being typed in.
    const elsewhere = await apiAs(alice);
    await elsewhere.call("POST", "/api/auth/logout");
    await elsewhere.dispose();
    await form.getByRole("button", { name: "Add task" }).click();

    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await expect(page.getByText(/Your session has ended\..*What you were typing is kept/)).toBeVisible();
    expect(await tasksOf(alice)).toEqual([]);

    // Another account on this tab: no form, no draft, nothing of Alice's on screen.
    await logInThroughForm(page, bob);
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
    await expect(page.getByRole("form", { name: "New task" })).toHaveCount(0);
    await expect(page.getByText("Quarterly report")).toHaveCount(0);
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();

    await logInThroughForm(page, alice);
    const restored = page.getByRole("form", { name: "New task" });
    await expect(restored.getByTestId("draft-restored")).toHaveText(/session ended while you were typing.*not saved yet/);
    await expect(restored.getByLabel("Title")).toHaveValue("Quarterly report");
    await expect(restored.getByLabel("Description")).toHaveValue("Numbers from finance, then the summary.");
    await expect(restored.getByLabel("Priority")).toHaveValue("1");
    await expect(restored.getByLabel("Due")).toHaveValue("2030-05-06T07:45");
    expect(await seriousViolations(page, "#new-task"), "restored draft").toEqual([]);

    await restored.getByRole("button", { name: "Add task" }).click();
    await expect(taskRow(page, "Quarterly report")).toBeVisible();
    const [saved] = await tasksOf(alice);
    expect(saved).toMatchObject({ title: "Quarterly report", description: "Numbers from finance, then the summary.", priority: 1 });
    expect(new Date(String(saved.due_date)).toISOString()).toBe(await page.evaluate(() => new Date("2030-05-06T07:45").toISOString()));
    // Saved: no draft is left in the tab.
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
  });

  test("logged out in another tab while editing a task: the edit opens again after logging in", async ({ page }) => {
    const email = await newUserOnTaskList(page, "drafts-tab");
    const [task] = await seedTasks(email, [{ title: "Renew the insurance", description: "Compare two offers." }]);
    await page.goto(`/tasks/${task.id}`);
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const editor = page.getByRole("form", { name: "Edit task" });
    await editor.getByLabel("Title").fill("Renew the car insurance");
    await editor.getByLabel("Description").fill("Compare three offers.");

    const other = await page.context().newPage();
    await other.goto("/");
    await other.getByRole("button", { name: "Log out" }).click();
    await expect(other.getByRole("heading", { name: "Log in" })).toBeVisible();
    await other.close();

    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await expect(page.getByText(/You were logged out in another tab\..*What you were typing is kept/)).toBeVisible();
    await logInThroughForm(page, email);

    const restored = page.getByRole("form", { name: "Edit task" });
    await expect(restored.getByTestId("draft-restored")).toBeVisible();
    await expect(restored.getByLabel("Title")).toHaveValue("Renew the car insurance");
    await expect(restored.getByLabel("Description")).toHaveValue("Compare three offers.");
    expect(new URL(page.url()).pathname).toBe(`/tasks/${task.id}`);
    await restored.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { name: "Renew the car insurance", level: 1 })).toBeVisible();
    expect((await readTask(email, task.id)).task).toMatchObject({ title: "Renew the car insurance", description: "Compare three offers." });
  });
});

test("two people edit the same task: the stale save shows their change beside mine, and mine goes on top of theirs", async ({ page, browser }) => {
  const email = await newUserOnTaskList(page, "conflict");
  const [task] = await seedTasks(email, [{ title: "Plan the trip", description: "Book flights", priority: 2 }]);
  const { etag: first } = await readTask(email, task.id);
  const saves: { ifMatch: string | undefined; status: number; etag: string | undefined }[] = [];
  page.on("response", (response) => {
    if (response.request().method() === "PATCH" && new URL(response.url()).pathname === `/api/tasks/${task.id}`) {
      saves.push({ ifMatch: response.request().headers()["if-match"], status: response.status(), etag: response.headers()["etag"] });
    }
  });

  await page.goto(`/tasks/${task.id}`);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const mine = page.getByRole("form", { name: "Edit task" });
  await mine.getByLabel("Title").fill("Plan the summer trip");

  // Meanwhile, in another browser: the description and the priority change.
  const secondContext = await browser.newContext();
  const other = await secondContext.newPage();
  await other.goto("/login");
  await logInThroughForm(other, email);
  await expect(other.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  await other.goto(`/tasks/${task.id}`);
  await other.getByRole("button", { name: "Edit", exact: true }).click();
  const theirs = other.getByRole("form", { name: "Edit task" });
  await theirs.getByLabel("Description").fill("Book trains");
  await theirs.getByLabel("Priority").selectOption({ label: "High" });
  const theirSave = other.waitForResponse((response) => response.request().method() === "PATCH");
  await theirs.getByRole("button", { name: "Save" }).click();
  const theirEtag = (await theirSave).headers()["etag"];
  await expect(other.getByRole("heading", { name: "Plan the trip", level: 1 })).toBeVisible();
  await secondContext.close();

  await mine.getByRole("button", { name: "Save" }).click();
  const conflict = page.getByTestId("task-conflict");
  await expect(conflict).toBeVisible();
  await expect(conflict.getByRole("heading")).toHaveText("This task was changed somewhere else since you opened it.");
  await expect(conflict.getByTestId("conflict-title")).toContainText("Plan the summer trip");
  await expect(conflict.getByTestId("conflict-title").getByRole("cell").nth(1)).toHaveText("Plan the trip");
  await expect(conflict.getByTestId("conflict-description").getByRole("cell")).toHaveText(["Book flights", "Book trains"]);
  await expect(conflict.getByTestId("conflict-priority").getByRole("cell")).toHaveText(["Normal", "High"]);
  // The typing is still there.
  await expect(mine.getByLabel("Title")).toHaveValue("Plan the summer trip");
  expect(await seriousViolations(page, "[data-testid='task-conflict']"), "conflict panel").toEqual([]);

  await conflict.getByRole("button", { name: "Apply my changes to the latest version" }).click();
  await expect(page.getByRole("heading", { name: "Plan the summer trip", level: 1 })).toBeVisible();

  const latest = await readTask(email, task.id);
  expect(latest.task).toMatchObject({ title: "Plan the summer trip", description: "Book trains", priority: 1 });
  // Refused with the version first read; sent again with the version the other browser saved; answered with the newest.
  expect(saves).toEqual([
    { ifMatch: first, status: 412, etag: undefined },
    { ifMatch: theirEtag, status: 200, etag: latest.etag },
  ]);
  expect(theirEtag).not.toBe(first);
  expect(latest.etag).not.toBe(theirEtag);
});
