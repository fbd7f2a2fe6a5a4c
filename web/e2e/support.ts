import AxeBuilder from "@axe-core/playwright";
import { expect, request, type APIRequestContext, type Page } from "@playwright/test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PASSWORD = "correct horse battery";

export function uniqueEmail(who: string): string {
  return `${who}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Creates an account through the API (fast set-up for tests about something else). */
export async function registerAccount(request: APIRequestContext, email: string, displayName?: string): Promise<void> {
  const response = await request.post("/api/auth/register", {
    data: { email, password: PASSWORD, ...(displayName ? { display_name: displayName } : {}) },
  });
  expect(response.status(), await response.text()).toBe(201);
}

export async function logInThroughForm(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** A new account, logged in through the login page, looking at its task list. */
export async function newUserOnTaskList(page: Page, who: string, displayName?: string): Promise<string> {
  const email = uniqueEmail(who);
  await registerAccount(page.request, email, displayName);
  await page.goto("/login");
  await logInThroughForm(page, email);
  await expect(page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  return email;
}

export interface NewTask {
  title: string;
  description?: string;
  priority?: "High" | "Normal" | "Low";
  /** datetime-local value, in the browser's time zone */
  due?: string;
}

export async function createTaskThroughForm(page: Page, task: NewTask): Promise<void> {
  const form = page.getByRole("form", { name: "New task" });
  if (!(await form.isVisible())) await page.getByRole("button", { name: "New task" }).click();
  await form.getByLabel("Title").fill(task.title);
  if (task.description) await form.getByLabel("Description").fill(task.description);
  if (task.priority) await form.getByLabel("Priority").selectOption({ label: task.priority });
  if (task.due) await form.getByLabel("Due").fill(task.due);
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(taskRow(page, task.title)).toBeVisible();
  await expect(form.getByLabel("Title")).toHaveValue("");
}

export function taskRow(page: Page, title: string) {
  return page.getByTestId("task-row").filter({ has: page.getByRole("link", { name: title, exact: true }) });
}

export const BASE_URL = process.env.E2E_BASE_URL ?? "http://localhost:8000";

/**
 * Creates tasks for `email` through the API, in a context of its own, so the browser's
 * session is left alone (set-up only; the UI paths are tested elsewhere).
 */
export async function seedTasks(email: string, tasks: Record<string, unknown>[]): Promise<{ id: string; title: string }[]> {
  const api = await request.newContext({ baseURL: BASE_URL });
  try {
    const login = await api.post("/api/auth/login", { data: { email, password: PASSWORD } });
    expect(login.status(), await login.text()).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const created = await api.post("/api/tasks/batch", { data: { tasks }, headers: { Authorization: `Bearer ${token}` } });
    expect(created.status(), await created.text()).toBe(201);
    return ((await created.json()) as { items: { id: string; title: string }[] }).items;
  } finally {
    await api.dispose();
  }
}

/** An API context logged in as `email` (set-up only), separate from the browser's session. */
export async function apiAs(email: string): Promise<{ call: (method: string, path: string, data?: unknown) => Promise<unknown>; dispose: () => Promise<void> }> {
  const api = await request.newContext({ baseURL: BASE_URL });
  const login = await api.post("/api/auth/login", { data: { email, password: PASSWORD } });
  expect(login.status(), await login.text()).toBe(200);
  const { access_token: token } = (await login.json()) as { access_token: string };
  return {
    call: async (method, path, data) => {
      const response = await api.fetch(path, { method, data, headers: { Authorization: `Bearer ${token}` } });
      expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(true);
      const text = await response.text();
      return text ? JSON.parse(text) : null;
    },
    dispose: () => api.dispose(),
  };
}

/** Tags, a checklist (one item done) and a reminder on a task, through the API. */
export async function decorateTask(email: string, taskId: string): Promise<void> {
  const api = await apiAs(email);
  try {
    for (const [name, color] of [["work", "#0a58ca"], ["finance", "#198754"]]) {
      const tag = (await api.call("POST", "/api/tags", { name, color })) as { id: string };
      await api.call("PUT", `/api/tasks/${taskId}/tags/${tag.id}`);
    }
    const items = [];
    for (const text of ["Collect the numbers from finance", "Draft the summary", "Send it for review"]) {
      items.push((await api.call("POST", `/api/tasks/${taskId}/checklist`, { text })) as { id: string });
    }
    await api.call("PATCH", `/api/tasks/${taskId}/checklist/${items[0].id}`, { done: true });
    await api.call("POST", `/api/tasks/${taskId}/reminders`, { before_due: "P1D" });
  } finally {
    await api.dispose();
  }
}

/**
 * Where the stack under test writes the mail it sends: E2E_MAIL_DIR from scripts/e2e-stack.mjs,
 * else the mailbox of `make dev` (.devdata/mail).
 */
export const MAIL_DIR = process.env.E2E_MAIL_DIR ?? fileURLToPath(new URL("../../.devdata/mail", import.meta.url));

/** The links to `path` (such as "/verify-email") in the mail sent to `to`, oldest first. */
export function mailedLinks(to: string, path: string): string[] {
  if (!existsSync(MAIL_DIR)) return [];
  const links: string[] = [];
  for (const name of readdirSync(MAIL_DIR).filter((file) => file.endsWith(".eml")).sort()) {
    const text = readFileSync(`${MAIL_DIR}/${name}`, "utf8");
    const [head, ...body] = text.split(/\r?\n\r?\n/);
    const recipient = /^To: *(.+)$/im.exec(head)?.[1].trim().toLowerCase();
    if (recipient !== to.toLowerCase()) continue;
    const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    links.push(...(body.join("\n\n").match(new RegExp(`https?://[^/\\s]+${escaped}\\S*`, "g")) ?? []));
  }
  return links;
}

/** The newest link to `path` mailed to `to`, waiting for the mail to arrive; as a path for the stack under test. */
export async function newestMailedLink(to: string, path: string): Promise<string> {
  let link = "";
  await expect.poll(() => (link = mailedLinks(to, path).at(-1) ?? ""), {
    message: `no mail to ${to} with a link to ${path} in ${MAIL_DIR}`,
  }).not.toBe("");
  const url = new URL(link); // the stack's public URL may name another port than the one under test
  return `${url.pathname}${url.search}`;
}

/** The owner of `email` opens the verification link from their mail in `page`. */
export async function verifyEmailFromMailbox(page: Page, email: string): Promise<void> {
  await page.goto(await newestMailedLink(email, "/verify-email"));
  await expect(page.getByText(/is verified\. You can now accept invitations/)).toBeVisible();
}

/** Verifies `email` with the link from its mail, through the API (set-up for tests about something else). */
export async function verifyAddress(api: APIRequestContext, email: string): Promise<void> {
  const link = new URL(await newestMailedLink(email, "/verify-email"), BASE_URL);
  const response = await api.post("/api/auth/verify-email", { data: { token: link.searchParams.get("token") } });
  expect(response.status(), await response.text()).toBe(200);
}

/** The serious and critical axe-core findings on the page (WCAG 2.1 A/AA and best practices). */
export async function seriousViolations(page: Page) {
  // Nothing hovered or mid-transition while the colours are measured.
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
}

/** YYYY-MM-DD HH:mm as the clocks of `zone` show the instant. */
export function wallClock(iso: string, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** The day `days` after today in `zone`, YYYY-MM-DD. */
export function dayIn(zone: string, days: number): string {
  const today = wallClock(new Date().toISOString(), zone).slice(0, 10);
  const [year, month, day] = today.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}
