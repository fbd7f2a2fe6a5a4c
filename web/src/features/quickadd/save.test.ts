import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { makeTask, problem } from "../../test/fixtures";
import { server } from "../../test/server";
import { parseQuickAdd } from "./parse";
import { attachTags, createParsedTask, ensureTags } from "./save";

const WORKSPACE = "33333333-3333-4333-8333-333333333333";

describe("saving a quick add", () => {
  it("reuses the workspace's tags whatever their case, and creates the missing ones", async () => {
    const created: unknown[] = [];
    server.use(
      http.get("/api/tags", () => HttpResponse.json({ items: [{ id: "t-home", name: "Home", color: "#000000" }] })),
      http.post("/api/tags", async ({ request }) => {
        const body = (await request.json()) as { name: string };
        created.push(body);
        return HttpResponse.json({ id: `t-${body.name}`, name: body.name, color: "#0a58ca" }, { status: 201 });
      }),
    );
    const tags = await ensureTags(["home", "family"], WORKSPACE);
    expect(tags.map((tag) => tag.id)).toEqual(["t-home", "t-family"]);
    expect(created).toEqual([{ name: "family", color: "#0a58ca", workspace_id: WORKSPACE }]);
  });

  it("takes a tag made meanwhile (409) from a second read", async () => {
    let reads = 0;
    server.use(
      http.get("/api/tags", () => {
        reads += 1;
        return HttpResponse.json({ items: reads === 1 ? [] : [{ id: "t-x", name: "x", color: "#000000" }] });
      }),
      http.post("/api/tags", () => problem(409, "the workspace already has a tag named 'x'")),
    );
    expect((await ensureTags(["x"], WORKSPACE)).map((tag) => tag.id)).toEqual(["t-x"]);
  });

  it("sends the task with the key it is given, its repeat and the account's zone", async () => {
    const seen: { key: string | null; body: unknown }[] = [];
    server.use(
      http.post("/api/tasks", async ({ request }) => {
        seen.push({ key: request.headers.get("Idempotency-Key"), body: await request.json() });
        return HttpResponse.json(makeTask({ id: "new" }), { status: 201, headers: { ETag: '"1"' } });
      }),
    );
    const parsed = parseQuickAdd("Gym every monday 7am p1", {
      now: new Date("2026-12-10T09:00:00Z"),
      timeZone: "Europe/Berlin",
      workspaces: [],
    });
    await createParsedTask(parsed, WORKSPACE, "key-1");
    expect(seen).toEqual([
      {
        key: "key-1",
        body: {
          title: "Gym",
          workspace_id: WORKSPACE,
          due_date: "2026-12-14T06:00:00.000Z",
          priority: 1,
          recurrence: "FREQ=WEEKLY;BYDAY=MO",
          timezone: "Europe/Berlin",
        },
      },
    ]);
  });

  it("reports the tags it could not attach, and attaches the others", async () => {
    server.use(
      http.put("/api/tasks/:task/tags/:tag", ({ params }) =>
        params.tag === "bad"
          ? problem(503, "try again later")
          : HttpResponse.json(makeTask({ id: "new", tags: [{ id: "good", name: "good", color: "#000000" }] })),
      ),
    );
    const result = await attachTags(makeTask({ id: "new" }), [
      { id: "good", name: "good", color: "#000000" },
      { id: "bad", name: "bad", color: "#000000" },
    ]);
    expect(result.failed.map((tag) => tag.name)).toEqual(["bad"]);
    expect(result.task.tags.map((tag) => tag.id)).toEqual(["good"]);
  });
});
