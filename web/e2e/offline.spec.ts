import { expect, test } from "@playwright/test";
import { apiAs, newUserOnTaskList, seedTasks } from "./support";

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
