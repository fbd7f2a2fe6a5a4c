import { http, HttpResponse } from "msw";
import { server } from "./server";

/** The detail page's side requests (tags, checklist, ...), answered empty. */
export function detailSideEndpoints(taskId: string) {
  server.use(
    http.get("/api/tags", () => HttpResponse.json({ items: [] })),
    http.get(`/api/tasks/${taskId}/checklist`, () => HttpResponse.json({ items: [] })),
    http.get(`/api/tasks/${taskId}/reminders`, () => HttpResponse.json({ items: [] })),
    http.get(`/api/tasks/${taskId}/activity`, () => HttpResponse.json({ items: [], next_cursor: null })),
    http.get(`/api/tasks/${taskId}/versions`, () => HttpResponse.json({ items: [], next_cursor: null })),
  );
}

