import { HttpResponse } from "msw";
import type { Task } from "../types/task";

let counter = 0;

export const PERSONAL_WORKSPACE = "22222222-2222-4222-8222-222222222222";

export function makeTask(overrides: Partial<Task> = {}): Task {
  counter += 1;
  const now = new Date("2030-01-15T10:00:00Z").toISOString();
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    title: `Task ${counter}`,
    description: "",
    completed: false,
    priority: 2,
    due_date: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
    owner: "11111111-1111-4111-8111-111111111111",
    workspace_id: PERSONAL_WORKSPACE,
    recurrence: null,
    timezone: "UTC",
    tags: [],
    checklist_progress: { done: 0, total: 0 },
    position: `a${String(counter).padStart(6, "0")}`,
    version: 1,
    ...overrides,
  };
}

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return HttpResponse.json(
    { type: "about:blank", title: "Error", status, detail, ...extra },
    { status, headers: { "Content-Type": "application/problem+json", ...headers } },
  );
}

export const tokenPair = (access: string) => ({
  access_token: access,
  refresh_token: "refresh-secret-in-json",
  token_type: "Bearer",
  expires_in: 900,
});

/** An access token as the API signs them, for what the client reads of it (`sub`: whose queue of offline changes it may send). */
export function accessTokenOf(userId: string): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "");
  return `${part({ alg: "EdDSA" })}.${part({ sub: userId, typ: "access" })}.signature`;
}
