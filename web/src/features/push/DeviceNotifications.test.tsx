import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderRoute } from "../../test/render";
import { server } from "../../test/server";
import { DeviceNotifications } from "./DeviceNotifications";

const KEY = "BAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";
const ENDPOINT = "https://push.example.net/wpush/abc";

/** A browser with push: its service worker (or none yet), permission and push manager. */
function browser({ registered = true, permission = "default" as NotificationPermission, subscribed = false } = {}) {
  let subscription: PushSubscription | null = null;
  const unsubscribe = vi.fn(async () => {
    subscription = null;
    return true;
  });
  const make = (key: BufferSource) =>
    ({
      endpoint: ENDPOINT,
      options: { applicationServerKey: key },
      unsubscribe,
      toJSON: () => ({ endpoint: ENDPOINT, keys: { p256dh: "p", auth: "a" } }),
    }) as unknown as PushSubscription;
  if (subscribed) subscription = make(new Uint8Array(65));
  const subscribe = vi.fn(async (options: PushSubscriptionOptionsInit) => {
    subscription = make(options.applicationServerKey as BufferSource);
    return subscription;
  });
  const registration = { pushManager: { getSubscription: async () => subscription, subscribe } };
  const notification = { permission, requestPermission: vi.fn(async () => "granted") };
  vi.stubGlobal("Notification", notification);
  vi.stubGlobal("PushManager", function PushManager() {});
  Object.defineProperty(navigator, "serviceWorker", {
    configurable: true,
    value: { getRegistration: async () => (registered ? registration : undefined), ready: Promise.resolve(registration) },
  });
  return { subscribe, unsubscribe, notification };
}

afterEach(() => {
  vi.unstubAllGlobals();
  delete (navigator as { serviceWorker?: unknown }).serviceWorker;
});

function serverKnows(initial: { id: string; endpoint: string }[]) {
  let items = initial.map((item) => ({ ...item, created_at: "2030-01-01T00:00:00Z" }));
  const posted: unknown[] = [];
  server.use(
    http.get("/api/push/vapid-public-key", () => HttpResponse.json({ key: KEY })),
    http.get("/api/push-subscriptions", () => HttpResponse.json({ items })),
    http.post("/api/push-subscriptions", async ({ request }) => {
      const body = (await request.json()) as { endpoint: string };
      posted.push(body);
      items = [{ id: "s1", endpoint: body.endpoint, created_at: "2030-01-01T00:00:00Z" }];
      return HttpResponse.json(items[0], { status: 201 });
    }),
    http.delete("/api/push-subscriptions/:id", ({ params }) => {
      items = items.filter((item) => item.id !== params.id);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { posted, items: () => items };
}

const state = () => screen.getByTestId("device-notifications-state");

describe("notifications on this device", () => {
  it("says when the browser cannot do push at all", async () => {
    renderRoute(<DeviceNotifications />);
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "unsupported"));
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });

  it("is unavailable until a service worker is registered, without waiting on one", async () => {
    browser({ registered: false });
    renderRoute(<DeviceNotifications />);
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "unavailable"));
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });

  it("says so when the site's notifications are blocked", async () => {
    browser({ permission: "denied" });
    renderRoute(<DeviceNotifications />);
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "denied"));
    expect(screen.getByRole("button", { name: "Turn on for this device" })).toBeDisabled();
  });

  it("asks permission, subscribes with the server's key and sends the subscription", async () => {
    const { subscribe, notification } = browser();
    const known = serverKnows([]);
    renderRoute(<DeviceNotifications />);
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "off"));
    await userEvent.click(screen.getByRole("button", { name: "Turn on for this device" }));
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "on"));
    expect(notification.requestPermission).toHaveBeenCalledOnce();
    const options = subscribe.mock.calls[0][0];
    expect(options.userVisibleOnly).toBe(true);
    const key = options.applicationServerKey as Uint8Array;
    expect(key).toHaveLength(65);
    expect(Array.from(key.slice(0, 3))).toEqual([4, 0, 1]);
    expect(known.posted).toEqual([{ endpoint: ENDPOINT, keys: { p256dh: "p", auth: "a" } }]);
  });

  it("turns off: the server forgets the browser and the browser unsubscribes", async () => {
    const { unsubscribe } = browser({ permission: "granted", subscribed: true });
    const known = serverKnows([{ id: "s1", endpoint: ENDPOINT }]);
    renderRoute(<DeviceNotifications />);
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "on"));
    await userEvent.click(screen.getByRole("button", { name: "Turn off on this device" }));
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "off"));
    expect(known.items()).toEqual([]);
    expect(unsubscribe).toHaveBeenCalledOnce();
  });

  it("is off when the browser holds a subscription the server does not know", async () => {
    browser({ permission: "granted", subscribed: true });
    serverKnows([]);
    renderRoute(<DeviceNotifications />);
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "off"));
  });
});
