import { afterEach, describe, expect, it, vi } from "vitest";
import * as offlineReads from "./offlineReads";
import { forgetUser, rememberedUser, rememberUser } from "./offlineSession";

afterEach(() => forgetUser());

describe("the user remembered for a reload offline", () => {
  it("is kept, and another account logging in on the device drops what the last one read", () => {
    const forget = vi.spyOn(offlineReads, "forgetKeptReads").mockResolvedValue();
    rememberUser({ id: "u1", email: "a@example.com" });
    expect(rememberedUser()).toEqual({ id: "u1", email: "a@example.com" });
    forget.mockClear();
    rememberUser({ id: "u1", email: "a@example.com" });
    expect(forget).not.toHaveBeenCalled();
    rememberUser({ id: "u2", email: "b@example.com" });
    expect(forget).toHaveBeenCalledOnce();
    expect(rememberedUser()).toEqual({ id: "u2", email: "b@example.com" });
  });

  it("keeps no secret and is forgotten whole", () => {
    rememberUser({ id: "u1" });
    forgetUser();
    expect(rememberedUser()).toBeNull();
  });
});

describe("which API answers are kept offline", () => {
  it.each([
    ["/api/tasks", true],
    ["/api/tasks/1/checklist", true],
    ["/api/workspaces", true],
    ["/api/auth/me", false],
    ["/api/auth/refresh", false],
    ["/api/calendar/secret.ics", false],
    ["/api/invitations/token", false],
    ["/api/export", false],
    ["/index.html", false],
  ])("%s kept: %s", (path, kept) => {
    expect(offlineReads.isKeptRead(path)).toBe(kept);
  });
});
