import { expect, test, type Page } from "@playwright/test";
import { apiAs, dayIn, logInThroughForm, newUserOnTaskList, seedTasks, seriousViolations, wallClock } from "./support";

test.use({ serviceWorkers: "allow" });

test("offline: the service worker is installed, and a reload offline opens the app with the list read last", async ({ page, context }) => {
  const email = await newUserOnTaskList(page, "offline");
  await seedTasks(email, [{ title: "Pack the tent" }, { title: "Buy gas canisters" }]);

  // The worker installs and takes control of the page; the list read now is kept.
  const registered = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.scriptURL ?? null;
  });
  expect(registered).toMatch(/\/sw\.js$/);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.reload();
  await expect(page.getByText("Pack the tent")).toBeVisible();
  const manifest = await page.request.get("/manifest.webmanifest");
  expect(manifest.headers()["content-type"]).toBe("application/manifest+json");
  expect((await page.request.get("/sw.js")).headers()["cache-control"]).toBe("no-cache");

  // A task added elsewhere while this device is offline cannot show: what shows is what was kept.
  await context.setOffline(true);
  const api = await apiAs(email);
  try {
    await api.call("POST", "/api/tasks", { title: "Added from the phone" });
  } finally {
    await api.dispose();
  }
  await page.reload();
  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  await expect(page.getByText("Pack the tent")).toBeVisible();
  await expect(page.getByText("Buy gas canisters")).toBeVisible();
  await expect(page.getByText("Added from the phone")).toHaveCount(0);

  // Back online, the same reload reads the server again.
  await context.setOffline(false);
  await page.reload();
  await expect(page.getByText("Added from the phone")).toBeVisible();
});

test("offline: logging out deletes the kept answers and the remembered user", async ({ page }) => {
  await newUserOnTaskList(page, "forget");
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.reload();
  await expect.poll(() => page.evaluate(async () => (await (await caches.open("api-reads")).keys()).length)).toBeGreaterThan(0);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  const kept = () => page.evaluate(async () => (await caches.has("api-reads")) ? (await (await caches.open("api-reads")).keys()).map((r) => r.url) : []);
  await expect.poll(kept).toEqual([]);
  expect(await page.evaluate(() => localStorage.getItem("taskforge.offline-user"))).toBeNull();
});

/** A row of the task list, found by its title (a task made offline has no link yet). */
const row = (page: Page, title: string) =>
  page.getByTestId("task-row").filter({ has: page.getByText(title, { exact: true }) });

async function tasksOnServer(email: string): Promise<{ id: string; title: string; completed: boolean }[]> {
  const api = await apiAs(email);
  try {
    return ((await api.call("GET", "/api/tasks?limit=100")) as { items: { id: string; title: string; completed: boolean }[] }).items;
  } finally {
    await api.dispose();
  }
}

/** Logged in, the service worker in control, and the list read once under it (kept for offline). */
async function onTaskListUnderWorker(page: Page, who: string, titles: string[]): Promise<{ email: string; ids: string[] }> {
  const email = await newUserOnTaskList(page, who);
  const seeded = await seedTasks(email, titles.map((title) => ({ title })));
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.reload();
  for (const title of titles) await expect(row(page, title)).toBeVisible();
  return { email, ids: seeded.map((task) => task.id) };
}

test("offline: a new task, an edit and a completion are queued, survive a reload, and are sent once when back online", async ({ page, context }) => {
  const { email } = await onTaskListUnderWorker(page, "queue", ["Water the plants", "Call the plumber"]);

  await context.setOffline(true);
  await expect(page.getByText(/^You are offline\./)).toBeVisible();
  await page.getByRole("button", { name: "New task" }).click();
  const form = page.getByRole("form", { name: "New task" });
  await form.getByLabel("Title").fill("Book the campsite");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(form.getByLabel("Title")).toHaveValue("");
  await page.getByRole("button", { name: "Edit “Water the plants”" }).click();
  const editor = page.getByRole("form", { name: "Edit “Water the plants”" });
  await editor.getByLabel("Title").fill("Water the plants and the herbs");
  await editor.getByRole("button", { name: "Save" }).click();
  await page.getByRole("checkbox", { name: "Completed: Call the plumber" }).check();

  const expectQueued = async () => {
    for (const title of ["Book the campsite", "Water the plants and the herbs", "Call the plumber"]) {
      await expect(row(page, title).getByText("Waiting to send")).toBeVisible();
    }
    await expect(page.getByRole("checkbox", { name: "Completed: Call the plumber" })).toBeChecked();
    await expect(page.getByTestId("queued-count")).toHaveText("3 changes made offline are not saved yet.");
  };
  await expectQueued();
  expect((await tasksOnServer(email)).map((task) => task.title).sort()).toEqual(["Call the plumber", "Water the plants"]);

  // A reload while still offline: the list kept by the worker, the queued changes on top.
  await page.reload();
  await expectQueued();
  expect(await seriousViolations(page)).toEqual([]);

  await context.setOffline(false);
  await expect(page.getByText("Waiting to send")).toHaveCount(0);
  await expect(page.getByTestId("queued-count")).toHaveCount(0);
  await expect(row(page, "Book the campsite")).toHaveCount(1);

  const onServer = await tasksOnServer(email);
  expect(onServer.filter((task) => task.title === "Book the campsite")).toHaveLength(1);
  expect(onServer.map((task) => [task.title, task.completed]).sort()).toEqual([
    ["Book the campsite", false],
    ["Call the plumber", true],
    ["Water the plants and the herbs", false],
  ]);
  // Sent once: a reload reads the same three tasks back from the server.
  await page.reload();
  await expect(page.getByTestId("task-row")).toHaveCount(3);
});

test("offline: quick add queues its task with its due date, priority and tag, shown at once and sent once when back online", async ({ page, context }) => {
  const { email } = await onTaskListUnderWorker(page, "quick-add", ["Pack the tent"]);

  await context.setOffline(true);
  await expect(page.getByText(/^You are offline\./)).toBeVisible();
  await page.locator("body").press("q");
  const dialog = page.getByRole("dialog", { name: "Quick add" });
  await dialog.getByLabel("Task, in one line").fill("Call mom tomorrow 5pm p1 #family");
  const zone = ((await dialog.getByText(/Times are in /).textContent()) ?? "").match(/Times are in (\S+?)\./)?.[1] ?? "";
  await dialog.getByLabel("Task, in one line").press("Enter");
  await expect(dialog).toHaveCount(0);

  const expectQueued = async () => {
    await expect(row(page, "Call mom").getByText("Waiting to send")).toBeVisible();
    await expect(row(page, "Call mom").getByText("family")).toBeVisible();
  };
  await expectQueued();
  await page.reload();
  await expectQueued();

  await context.setOffline(false);
  await expect(page.getByText("Waiting to send")).toHaveCount(0);
  await expect(row(page, "Call mom").getByText("family")).toBeVisible();
  const api = await apiAs(email);
  try {
    const { items } = (await api.call("GET", "/api/tasks?limit=100")) as {
      items: { title: string; due_date: string | null; priority: number; tags: { name: string }[] }[];
    };
    const calls = items.filter((task) => task.title === "Call mom");
    expect(calls).toHaveLength(1);
    expect(zone).not.toBe("");
    expect(wallClock(calls[0].due_date ?? "", zone)).toBe(`${dayIn(zone, 1)} 17:00`);
    expect(calls[0].priority).toBe(1);
    expect(calls[0].tags.map((tag) => tag.name)).toEqual(["family"]);
  } finally {
    await api.dispose();
  }
});

test("offline: a task changed in another session meanwhile shows the conflict on its row, and mine can be applied on top", async ({ page, context }) => {
  const { email, ids } = await onTaskListUnderWorker(page, "conflict", ["Renew the passport", "Pay the rent"]);

  await context.setOffline(true);
  await page.getByRole("button", { name: "Edit “Renew the passport”" }).click();
  const editor = page.getByRole("form", { name: "Edit “Renew the passport”" });
  await editor.getByLabel("Title").fill("Renew the passport before June");
  await editor.getByRole("button", { name: "Save" }).click();
  await page.getByRole("checkbox", { name: "Completed: Pay the rent" }).check();
  const other = await apiAs(email);
  try {
    await other.call("PATCH", `/api/tasks/${ids[0]}`, { title: "Renew the passport and the ID card", priority: 1 });
  } finally {
    await other.dispose();
  }

  await context.setOffline(false);
  const conflict = row(page, "Renew the passport before June").getByTestId("queued-conflict");
  await expect(conflict).toBeVisible();
  await expect(conflict.getByText("This task was changed elsewhere while your change waited to be sent.")).toBeVisible();
  const title = conflict.getByTestId("queued-conflict-title");
  await expect(title.getByRole("cell").nth(0)).toHaveText("Renew the passport before June");
  await expect(title.getByRole("cell").nth(1)).toHaveText("Renew the passport and the ID card");
  // The other task's change did not wait for this one.
  await expect(row(page, "Pay the rent").getByText("Waiting to send")).toHaveCount(0);
  expect((await tasksOnServer(email)).find((task) => task.title === "Pay the rent")?.completed).toBe(true);
  expect(await seriousViolations(page)).toEqual([]);

  await conflict.getByRole("button", { name: "Apply mine" }).click();
  await expect(page.getByTestId("queued-conflict")).toHaveCount(0);
  await expect(page.getByText("Waiting to send")).toHaveCount(0);
  const renewed = (await tasksOnServer(email)).find((task) => task.id === ids[0]);
  expect(renewed?.title).toBe("Renew the passport before June");
});

test("offline: logging out drops the changes queued, so the next session sends none of them", async ({ page, context }) => {
  const { email } = await onTaskListUnderWorker(page, "queue-logout", ["Feed the cat"]);

  await context.setOffline(true);
  await page.getByRole("checkbox", { name: "Completed: Feed the cat" }).check();
  await expect(row(page, "Feed the cat").getByText("Waiting to send")).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem("taskforge.write-queue"))).toBeNull();

  await context.setOffline(false);
  await logInThroughForm(page, email);
  await expect(row(page, "Feed the cat")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "Completed: Feed the cat" })).not.toBeChecked();
  await expect(page.getByText("Waiting to send")).toHaveCount(0);
  expect((await tasksOnServer(email)).map((task) => task.completed)).toEqual([false]);
});

test("offline: a completion on Today and an edit on a task's own page are queued, survive a reload, and are sent once when back online", async ({ page, context }) => {
  const email = await newUserOnTaskList(page, "queue-pages");
  // Due an hour ago: on Today (overdue or today's, in whatever zone the account is).
  const dueNow = new Date(Date.now() - 3_600_000).toISOString();
  const [fed, painted] = await seedTasks(email, [{ title: "Feed the cat", due_date: dueNow }, { title: "Paint the hall" }]);
  const before = await versionsOnServer(email);

  // Both pages read once online, under the worker: kept for reading offline.
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  const agendaRow = page.getByTestId("agenda-row").filter({ hasText: "Feed the cat" });
  await page.goto("/today");
  await expect(agendaRow).toBeVisible();
  await page.goto(`/tasks/${painted.id}`);
  await expect(page.getByRole("heading", { name: "Paint the hall", level: 1 })).toBeVisible();

  await context.setOffline(true);
  await page.goto("/today");
  await agendaRow.getByRole("checkbox", { name: "Completed: Feed the cat" }).check();
  await expect(agendaRow.getByText("Waiting to send")).toBeVisible();

  await page.goto(`/tasks/${painted.id}`);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const editor = page.getByRole("form", { name: "Edit task" });
  await editor.getByLabel("Title").fill("Paint the hall blue");
  await editor.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Paint the hall blue", level: 1 })).toBeVisible();
  await expect(page.getByTestId("queued-waiting")).toBeVisible();

  // A reload offline: each page read from what the worker kept, the queued change on top.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Paint the hall blue", level: 1 })).toBeVisible();
  await expect(page.getByTestId("queued-waiting")).toBeVisible();
  await page.goto("/today");
  await expect(agendaRow.getByRole("checkbox", { name: "Completed: Feed the cat" })).toBeChecked();
  await expect(agendaRow.getByText("Waiting to send")).toBeVisible();
  expect(await versionsOnServer(email)).toEqual(before);
  expect(await seriousViolations(page)).toEqual([]);

  await context.setOffline(false);
  await expect(page.getByText("Waiting to send")).toHaveCount(0);
  // Each change applied once: one new version of each task, and nothing else changed.
  const after = await versionsOnServer(email);
  expect(after.get(fed.id)).toMatchObject({ title: "Feed the cat", completed: true, version: (before.get(fed.id)?.version ?? 0) + 1 });
  expect(after.get(painted.id)).toMatchObject({ title: "Paint the hall blue", completed: false, version: (before.get(painted.id)?.version ?? 0) + 1 });
  await page.goto(`/tasks/${painted.id}`);
  await expect(page.getByRole("heading", { name: "Paint the hall blue", level: 1 })).toBeVisible();
  await expect(page.getByTestId("queued-waiting")).toHaveCount(0);
});

async function versionsOnServer(email: string): Promise<Map<string, { title: string; completed: boolean; version: number }>> {
  const api = await apiAs(email);
  try {
    const { items } = (await api.call("GET", "/api/tasks?limit=100")) as { items: { id: string; title: string; completed: boolean; version: number }[] };
    return new Map(items.map(({ id, title, completed, version }) => [id, { title, completed, version }]));
  } finally {
    await api.dispose();
  }
}
