import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { server } from "../../test/server";
import { logout } from "./api";

describe("logging out", () => {
  it("marks the request as sent by this app, for when only the cookie can name the caller", async () => {
    let header: string | null = null;
    server.use(
      http.post("/api/auth/logout", ({ request }) => {
        header = request.headers.get("X-TaskForge-Client");
        return new HttpResponse(null, { status: 204 });
      }),
    );

    await logout();

    expect(header).toBe("web");
  });
});
