import { expect, test, type Page, type Request } from "@playwright/test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTaskThroughForm, logInThroughForm, registerAccount, taskRow, uniqueEmail } from "./support";

/** Records the API calls the page makes, as "METHOD /path". */
function recordApiCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on("request", (request: Request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/api/")) calls.push(`${request.method()} ${url.pathname}`);
  });
  return calls;
}

async function logIn(page: Page): Promise<{ email: string; expiresIn: number }> {
  const email = uniqueEmail("session");
  await registerAccount(page.request, email);
  await page.goto("/login");
  const loginResponse = page.waitForResponse((response) => response.url().endsWith("/api/auth/login"));
  // The list the page loads after logging in: the tests count the calls that come after it.
  const firstList = page.waitForResponse((response) =>
    new URL(response.url()).pathname === "/api/tasks" && response.request().method() === "GET");
  await logInThroughForm(page, email);
  const { expires_in: expiresIn } = (await (await loginResponse).json()) as { expires_in: number };
  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  await firstList;
  return { email, expiresIn };
}

const expired = {
  status: 401,
  contentType: "application/problem+json",
  headers: { "WWW-Authenticate": 'Bearer realm="taskforge"' },
  body: JSON.stringify({ type: "about:blank", title: "Unauthorized", status: 401, detail: "the token is invalid or expired" }),
};

test.describe("the session", () => {
  test("renews itself after the access token really expires", async ({ page }) => {
    const { expiresIn } = await logIn(page);
    test.skip(expiresIn > 60, "the stack issues long-lived access tokens; start it with ACCESS_TOKEN_TTL_SECONDS=30");
    const calls = recordApiCalls(page);

    // Wait out the real access token (the API allows 5 s of clock skew), then act:
    // the one 401 is answered by one refresh.
    await page.waitForTimeout((expiresIn + 7) * 1000);
    await createTaskThroughForm(page, { title: "Written after the token expired" });

    expect(calls.filter((call) => call === "POST /api/auth/refresh")).toHaveLength(1);
    expect(calls.filter((call) => call === "POST /api/tasks")).toHaveLength(2); // refused once, retried once
    await expect(page.getByRole("heading", { name: "Log in" })).toHaveCount(0);
  });

  test("a 401 from any request is answered by one refresh and one retry", async ({ page }) => {
    await logIn(page);
    const calls = recordApiCalls(page);
    // The server's answer to an expired token, for the next list request only; the
    // refresh and the retry then go to the real API.
    await page.route("**/api/tasks?**", (route) => route.fulfill(expired), { times: 1 });

    await page.getByLabel("Status").selectOption({ label: "Open" });

    await expect(page.getByText(/No task matches these filters/)).toBeVisible();
    expect(calls.filter((call) => call === "POST /api/auth/refresh")).toHaveLength(1);
    expect(calls.filter((call) => call === "GET /api/tasks")).toHaveLength(2);
  });

  test("never loops: a request refused again after a refresh ends the session", async ({ page }) => {
    await logIn(page);
    const calls = recordApiCalls(page);
    await page.route("**/api/stats", (route) => route.fulfill(expired));

    await page.getByRole("link", { name: "Stats" }).click();

    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await expect(page.getByText("Your session has ended. Log in again to continue.")).toBeVisible();
    await page.waitForTimeout(500);
    expect(calls.filter((call) => call === "POST /api/auth/refresh")).toHaveLength(1);
    expect(calls.filter((call) => call === "GET /api/stats")).toHaveLength(2);
  });

  test("a page on another port of the same host can neither end nor renew the session", async ({ page, baseURL }) => {
    await logIn(page);
    const app = new URL(baseURL ?? page.url());
    // A page on another port of the same host: same site, so the SameSite=Strict refresh
    // cookie goes along with its requests; another origin, so the API must refuse them.
    const elsewhere = createServer((_, response) => response.end("<title>elsewhere</title>"));
    await new Promise<void>((resolve) => elsewhere.listen(0, resolve));
    const { port } = elsewhere.address() as AddressInfo;
    const other = await page.context().newPage();
    await other.goto(`${app.protocol}//${app.hostname}:${port}/`);
    const statuses = await other.evaluate(async (api) => {
      const send = async (path: string) => {
        const response = await fetch(`${api}${path}`, { method: "POST", credentials: "include", mode: "no-cors" });
        return response.type; // opaque: the page learns nothing, and the API refused anyway (403)
      };
      return [await send("/api/auth/logout"), await send("/api/auth/refresh")];
    }, app.origin);
    expect(statuses).toEqual(["opaque", "opaque"]);
    await other.close();
    elsewhere.close();

    // Still logged in, and the refresh cookie still renews the session.
    await page.reload();
    await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  });

  test("when the session cannot be renewed, logging in again returns to the same page", async ({ page }) => {
    const { email } = await logIn(page);
    await createTaskThroughForm(page, { title: "Still here afterwards" });
    await page.getByRole("link", { name: "Still here afterwards" }).click();
    await expect(page.getByRole("heading", { name: "Still here afterwards", level: 1 })).toBeVisible();
    const detailUrl = page.url();

    // The refresh cookie is gone (expired, or the login was ended elsewhere) and the access token is refused.
    await page.context().clearCookies();
    await page.route("**/api/tasks?**", (route) => route.fulfill(expired), { times: 1 });
    await page.getByRole("link", { name: "Tasks", exact: true }).click();

    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await logInThroughForm(page, email);
    await expect(taskRow(page, "Still here afterwards")).toBeVisible();
    expect(new URL(page.url()).pathname).toBe("/");
    expect(detailUrl).toContain("/tasks/");
  });
});
