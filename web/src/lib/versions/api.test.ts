import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { server } from "../../test/server";
import { NothingToUndo, undoChange, type TaskVersion } from "./api";

const TASK = "00000000-0000-4000-8000-0000000000aa";

function version(number: number, taskVersion: number, title: string): TaskVersion {
  return {
    version: number,
    at: "2030-01-01T00:00:00Z",
    actor: { id: "u", name: "Ada" },
    changed: number === 1 ? [] : ["title"],
    task_version: taskVersion,
    snapshot: {
      title,
      description: "",
      completed: false,
      completed_at: null,
      priority: 2,
      due_date: null,
      workspace_id: "w",
      recurrence: null,
      timezone: null,
      tags: [],
      checklist: [],
    },
  };
}

function history(...items: TaskVersion[]) {
  server.use(http.get(`/api/tasks/${TASK}/versions`, () => HttpResponse.json({ items, next_cursor: null })));
}

describe("undoing a change", () => {
  it("restores the version before it, on condition the task is still at the version the change made", async () => {
    history(version(2, 5, "Holiday"), version(1, 1, "Trip"));
    const sent: { url: string; ifMatch: string | null }[] = [];
    server.use(
      http.post(`/api/tasks/${TASK}/versions/:n/restore`, ({ request }) => {
        sent.push({ url: new URL(request.url).pathname, ifMatch: request.headers.get("If-Match") });
        return HttpResponse.json({ id: TASK, title: "Trip", version: 6, not_restored: [] }, { headers: { ETag: '"6"' } });
      }),
    );
    const restored = await undoChange(TASK, 5);
    expect(restored.title).toBe("Trip");
    expect(sent).toEqual([{ url: `/api/tasks/${TASK}/versions/1/restore`, ifMatch: '"5"' }]);
  });

  it("refuses when the task has changed again since, without asking the server to restore", async () => {
    history(version(3, 7, "Later"), version(2, 5, "Holiday"));
    await expect(undoChange(TASK, 5)).rejects.toThrow(/changed again since/);
  });

  it("says there is nothing to undo when the change made no version (it changed nothing)", async () => {
    history(version(1, 1, "Trip"));
    await expect(undoChange(TASK, 2)).rejects.toBeInstanceOf(NothingToUndo);
    await expect(undoChange(TASK, 1)).rejects.toThrow(/nothing to undo/);
  });
});
