import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../../api/client";
import { server } from "../../test/server";
import { forgetStoredLists, MAX_STORED_LISTS, storedList, storedListCount, storeList } from "./etagStore";

afterEach(() => forgetStoredLists());

/** A list endpoint that answers 304 when asked with its current ETag, and records what it was asked with. */
function listEndpoint(path: string) {
  const state = { version: 1, asked: [] as (string | null)[] };
  server.use(
    http.get(path, ({ request }) => {
      const sent = request.headers.get("If-None-Match");
      state.asked.push(sent);
      const etag = `"v${state.version}"`;
      if (sent === etag) return new HttpResponse(null, { status: 304, headers: { ETag: etag } });
      return HttpResponse.json({ items: [{ id: "t1", version: state.version }], next_cursor: null }, { headers: { ETag: etag } });
    }),
  );
  return state;
}

describe("lists read again", () => {
  it("ask with the last ETag of their URL, and keep the body they have on a 304", async () => {
    const endpoint = listEndpoint("/api/tasks");
    const first = await api.get("/tasks", { params: { limit: 20 } });
    const second = await api.get("/tasks", { params: { limit: 20 } });

    expect(endpoint.asked).toEqual([null, '"v1"']);
    expect(second.status).toBe(304);
    // The very same object: callers tell "unchanged" by identity.
    expect(second.data).toBe(first.data);

    endpoint.version = 2;
    const third = await api.get("/tasks", { params: { limit: 20 } });
    expect(third.status).toBe(200);
    expect(third.data).toEqual({ items: [{ id: "t1", version: 2 }], next_cursor: null });
    await api.get("/tasks", { params: { limit: 20 } });
    expect(endpoint.asked).toEqual([null, '"v1"', '"v1"', '"v2"']);
  });

  it("keep one ETag per URL with its query: another query asks unconditionally", async () => {
    const endpoint = listEndpoint("/api/tasks");
    await api.get("/tasks", { params: { limit: 20 } });
    await api.get("/tasks", { params: { limit: 20, completed: true } });
    await api.get("/tasks", { params: { limit: 20, completed: true } });
    expect(endpoint.asked).toEqual([null, null, '"v1"']);
  });

  it("are only lists: a single task's ETag stays for If-Match, and writes never ask", async () => {
    const asked: (string | null)[] = [];
    server.use(
      http.get("/api/tasks/t1", ({ request }) => {
        asked.push(request.headers.get("If-None-Match"));
        return HttpResponse.json({ id: "t1" }, { headers: { ETag: '"3"' } });
      }),
      http.post("/api/tags", ({ request }) => {
        asked.push(request.headers.get("If-None-Match"));
        return HttpResponse.json({ items: [] }, { status: 201, headers: { ETag: '"9"' } });
      }),
    );
    await api.get("/tasks/t1");
    await api.get("/tasks/t1");
    await api.post("/tags", {});
    await api.post("/tags", {});
    expect(asked).toEqual([null, null, null, null]);
  });

  it("without an ETag are not kept", async () => {
    const asked: (string | null)[] = [];
    server.use(
      http.get("/api/activity", ({ request }) => {
        asked.push(request.headers.get("If-None-Match"));
        return HttpResponse.json({ items: [], next_cursor: null });
      }),
    );
    await api.get("/activity");
    await api.get("/activity");
    expect(asked).toEqual([null, null]);
    expect(storedListCount()).toBe(0);
  });
});

describe("the ETag store", () => {
  it("holds a bounded number of URLs and lets the least recently used go first", () => {
    storeList("/api/a", '"a"', { items: [] });
    for (let n = 0; n < MAX_STORED_LISTS - 1; n += 1) storeList(`/api/n${n}`, `"${n}"`, { items: [] });
    expect(storedList("/api/a")?.etag).toBe('"a"'); // used: now the most recent
    storeList("/api/new", '"new"', { items: [] });
    expect(storedListCount()).toBe(MAX_STORED_LISTS);
    expect(storedList("/api/a")?.etag).toBe('"a"');
    expect(storedList("/api/n0")).toBeUndefined();
    forgetStoredLists();
    expect(storedListCount()).toBe(0);
  });
});
