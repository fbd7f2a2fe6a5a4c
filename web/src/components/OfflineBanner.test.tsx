import { act, render, screen } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { server } from "../test/server";
import { OfflineBanner } from "./OfflineBanner";

function setBrowserOnline(online: boolean) {
  vi.spyOn(navigator, "onLine", "get").mockReturnValue(online);
  window.dispatchEvent(new Event(online ? "online" : "offline"));
}

describe("the offline banner", () => {
  afterEach(() => vi.restoreAllMocks());

  it("appears while the browser is offline", () => {
    render(<OfflineBanner />);
    expect(screen.queryByRole("status")).not.toBeInTheDocument();

    act(() => setBrowserOnline(false));
    expect(screen.getByRole("status")).toHaveTextContent("You are offline.");

    act(() => setBrowserOnline(true));
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });

  it("appears when a request cannot reach the server, and goes when one does", async () => {
    render(<OfflineBanner />);
    server.use(http.get("/api/ping", () => HttpResponse.error()));
    await act(() => api.get("/ping").catch(() => undefined));
    expect(screen.getByRole("status")).toHaveTextContent("The server cannot be reached");

    server.use(http.get("/api/ping", () => HttpResponse.json({})));
    await act(() => api.get("/ping"));
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });
});
