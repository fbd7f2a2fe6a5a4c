import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { problem, tokenPair } from "../test/fixtures";
import { server } from "../test/server";
import { acceptTokens, api, getAccessToken, onSessionEnded, refreshAccessToken } from "./client";
import { currentConnectivity } from "./connectivity";

/** A protected endpoint that accepts only `valid` as its bearer token, and counts its calls. */
function protectedEndpoint(valid: string) {
  const seen: (string | null)[] = [];
  server.use(
    http.get("/api/things", ({ request }) => {
      const authorization = request.headers.get("Authorization");
      seen.push(authorization);
      // A client that loops would get through here, and fail the test instead of hanging it.
      if (seen.length > 10) return HttpResponse.json({ looped: true });
      if (authorization !== `Bearer ${valid}`) return problem(401, "the access token has expired");
      return HttpResponse.json({ ok: true });
    }),
  );
  return seen;
}

function refreshEndpoint(answer: () => Response | Promise<Response>) {
  const calls = { count: 0 };
  server.use(
    http.post("/api/auth/refresh", async () => {
      calls.count += 1;
      return answer();
    }),
  );
  return calls;
}

describe("the API client", () => {
  it("marks the refresh, which the cookie alone authenticates, as sent by this app", async () => {
    let header: string | null = null;
    server.use(
      http.post("/api/auth/refresh", ({ request }) => {
        header = request.headers.get("X-TaskForge-Client");
        return HttpResponse.json(tokenPair("token-0"));
      }),
    );

    await refreshAccessToken();

    expect(header).toBe("web");
  });

  it("sends the access token and credentials", async () => {
    const seen = protectedEndpoint("token-1");
    acceptTokens(tokenPair("token-1"));

    await expect(api.get("/things")).resolves.toMatchObject({ data: { ok: true } });
    expect(seen).toEqual(["Bearer token-1"]);
    expect(api.defaults.withCredentials).toBe(true);
  });

  it("refreshes once on a 401 and retries the request once with the new token", async () => {
    const seen = protectedEndpoint("token-2");
    const refresh = refreshEndpoint(() => HttpResponse.json(tokenPair("token-2")));
    acceptTokens(tokenPair("expired-token"));

    const response = await api.get("/things");

    expect(response.data).toEqual({ ok: true });
    expect(refresh.count).toBe(1);
    expect(seen).toEqual(["Bearer expired-token", "Bearer token-2"]);
    expect(getAccessToken()).toBe("token-2");
  });

  it("never loops: a retry that is refused again ends the session without another refresh", async () => {
    const seen = protectedEndpoint("a-token-nobody-has");
    const refresh = refreshEndpoint(() => HttpResponse.json(tokenPair("token-3")));
    const ended = vi.fn();
    onSessionEnded(ended);
    acceptTokens(tokenPair("expired-token"));

    await expect(api.get("/things")).rejects.toMatchObject({ response: { status: 401 } });

    expect(refresh.count).toBe(1);
    expect(seen).toHaveLength(2);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(getAccessToken()).toBeNull();
  });

  it("ends the session when the refresh itself is refused, and reports the original 401", async () => {
    const seen = protectedEndpoint("token-4");
    const refresh = refreshEndpoint(() => problem(401, "the refresh token is no longer valid"));
    const ended = vi.fn();
    onSessionEnded(ended);
    acceptTokens(tokenPair("expired-token"));

    const failure = await api.get("/things").catch((error: unknown) => error);

    expect(failure).toMatchObject({ response: { status: 401, data: { detail: "the access token has expired" } } });
    expect(refresh.count).toBe(1);
    expect(seen).toHaveLength(1);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("shares one refresh between concurrent 401s", async () => {
    const seen = protectedEndpoint("token-5");
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const refresh = refreshEndpoint(async () => {
      await gate;
      return HttpResponse.json(tokenPair("token-5"));
    });
    acceptTokens(tokenPair("expired-token"));

    const requests = Promise.all([api.get("/things"), api.get("/things"), api.get("/things")]);
    await vi.waitFor(() => expect(refresh.count).toBe(1));
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    release();
    const responses = await requests;

    expect(responses.map((response) => response.data)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(refresh.count).toBe(1);
    expect(seen.filter((header) => header === "Bearer token-5")).toHaveLength(3);
  });

  it("retries with the new token, without refreshing again, when a 401 arrives after a refresh finished", async () => {
    protectedEndpoint("token-6");
    const refresh = refreshEndpoint(() => HttpResponse.json(tokenPair("token-6")));
    acceptTokens(tokenPair("expired-token"));
    await refreshAccessToken();
    expect(refresh.count).toBe(1);

    // This request was prepared with the old token, as if it had left before the refresh.
    const response = await api.get("/things", { headers: { Authorization: "Bearer expired-token" } });

    expect(response.data).toEqual({ ok: true });
    expect(refresh.count).toBe(1);
  });

  it("keeps only the access token of a refresh: the refresh token is stored nowhere", async () => {
    refreshEndpoint(() => HttpResponse.json(tokenPair("token-7")));

    await refreshAccessToken();

    expect(getAccessToken()).toBe("token-7");
    expect(JSON.stringify({ ...localStorage })).not.toContain("refresh-secret-in-json");
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("refresh-secret-in-json");
    expect(document.cookie).not.toContain("refresh-secret-in-json");
  });

  it("does not refresh for the auth endpoints themselves", async () => {
    const refresh = refreshEndpoint(() => HttpResponse.json(tokenPair("never")));
    server.use(http.post("/api/auth/login", () => problem(401, "wrong e-mail or password")));

    await expect(api.post("/auth/login", {}, { skipAuthRefresh: true })).rejects.toMatchObject({
      response: { status: 401 },
    });
    expect(refresh.count).toBe(0);
  });

  it("notices when the server cannot be reached, and when it answers again", async () => {
    server.use(http.get("/api/things", () => HttpResponse.error()));
    await expect(api.get("/things")).rejects.toMatchObject({ code: "ERR_NETWORK" });
    expect(currentConnectivity()).toBe("unreachable");

    server.use(http.get("/api/things", () => HttpResponse.json({ ok: true })));
    await api.get("/things");
    expect(currentConnectivity()).toBe("online");
  });
});
