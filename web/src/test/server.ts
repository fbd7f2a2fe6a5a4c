import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";

/**
 * The mocked network: each test declares the handlers it needs with server.use(...). The one
 * below answers what every logged-in page asks (the navigation's counts) unless a test says otherwise.
 */
export const server = setupServer(
  http.get("/api/agenda/counts", () => HttpResponse.json({ timezone: "UTC", today: 0, overdue: 0, upcoming: 0, inbox: 0 })),
);
