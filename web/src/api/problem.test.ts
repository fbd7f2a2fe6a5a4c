import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { problem } from "../test/fixtures";
import { server } from "../test/server";
import { api } from "./client";
import { describeWait, errorMessage, fieldErrors, retryAfterSeconds } from "./problem";

async function failureOf(response: () => Response): Promise<unknown> {
  server.use(http.get("/api/thing", response));
  return api.get("/thing", { skipAuthRefresh: true }).catch((error: unknown) => error);
}

describe("problem+json → message", () => {
  it("shows the server's detail as a sentence", async () => {
    const error = await failureOf(() => problem(404, "no such task"));
    expect(errorMessage(error)).toBe("No such task.");
  });

  it("keeps a detail that already ends a sentence", async () => {
    const error = await failureOf(() => problem(409, "That e-mail is already registered."));
    expect(errorMessage(error)).toBe("That e-mail is already registered.");
  });

  it("lists the invalid fields of a 422", async () => {
    const error = await failureOf(() =>
      problem(422, "the request is invalid", {
        errors: [{ loc: ["body", "title"], msg: "String should have at most 200 characters", type: "string_too_long" }],
      }),
    );
    expect(errorMessage(error)).toBe("The request is invalid. Title: String should have at most 200 characters.");
    expect(fieldErrors(error)).toEqual({ title: "String should have at most 200 characters." });
  });

  it("says when to retry after a 429", async () => {
    const error = await failureOf(() =>
      problem(429, "too many failed logins; wait before trying again", {}, { "Retry-After": "120" }),
    );
    expect(errorMessage(error)).toBe("Too many failed logins; wait before trying again. Try again in 2 minutes.");
  });

  it("understands Retry-After as seconds and as an HTTP date", async () => {
    const error = await failureOf(() => problem(429, "slow down", {}, { "Retry-After": "30" }));
    expect(errorMessage(error)).toBe("Slow down. Try again in 30 seconds.");
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(retryAfterSeconds("Tue, 01 Jan 2030 00:00:45 GMT", now)).toBe(45);
    expect(retryAfterSeconds("soon", now)).toBeNull();
    expect(retryAfterSeconds(undefined, now)).toBeNull();
    expect(describeWait(1)).toBe("in a second");
    expect(describeWait(61)).toBe("in 2 minutes");
    expect(describeWait(3600)).toBe("in about an hour");
  });

  it("says when to retry a 503", async () => {
    const error = await failureOf(() =>
      problem(503, "the database is unavailable; retry shortly", {}, { "Retry-After": "5" }),
    );
    expect(errorMessage(error)).toBe("The database is unavailable; retry shortly. Try again in 5 seconds.");
  });

  it("falls back to the status when the body is not a problem", async () => {
    const error = await failureOf(() => new HttpResponse("<html>bad gateway</html>", { status: 502 }));
    expect(errorMessage(error)).toBe("The request failed (HTTP 502).");
  });

  it("explains a request that never reached the server", async () => {
    const error = await failureOf(() => HttpResponse.error());
    expect(errorMessage(error)).toBe("The server cannot be reached. Check your connection and try again.");
  });

  it("says nothing about a cancelled request", async () => {
    server.use(http.get("/api/slow", () => new Promise<Response>(() => undefined)));
    const controller = new AbortController();
    const pending = api.get("/slow", { signal: controller.signal }).catch((error: unknown) => error);
    controller.abort();
    expect(errorMessage(await pending)).toBe("");
  });
});
