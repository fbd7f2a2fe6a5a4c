import { describe, expect, it } from "vitest";
import { createScheduler, type SchedulerEnvironment, type Trigger } from "./scheduler";

/** A page, a clock and a BroadcastChannel that the test drives by hand. */
function fakeEnvironment() {
  const listeners = new Map<string, Set<() => void>>();
  const target = {
    addEventListener: (type: string, listener: () => void) => {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(listener);
    },
    removeEventListener: (type: string, listener: () => void) => listeners.get(type)?.delete(listener),
  };
  const channels = new Set<{ onmessage: ((event: MessageEvent) => void) | null; closed: boolean }>();
  const posted: unknown[] = [];
  let clock = 0;
  const timers: { at: number; every?: number; run: () => void; id: number }[] = [];
  let nextId = 1;
  const page = { visibilityState: "visible" as DocumentVisibilityState };

  const env: SchedulerEnvironment = {
    window: target as unknown as SchedulerEnvironment["window"],
    document: Object.defineProperty({ ...target }, "visibilityState", {
      get: () => page.visibilityState,
    }) as unknown as SchedulerEnvironment["document"],
    openChannel: () => {
      const channel = {
        onmessage: null as ((event: MessageEvent) => void) | null,
        closed: false,
        postMessage: (message: unknown) => posted.push(message),
        close: () => {
          channel.closed = true;
          channels.delete(channel);
        },
      };
      channels.add(channel);
      return channel;
    },
    now: () => clock,
    setInterval: (run, every) => {
      const id = nextId++;
      timers.push({ at: clock + every, every, run, id });
      return id;
    },
    clearInterval: (id) => timers.splice(timers.findIndex((timer) => timer.id === id), 1),
    setTimeout: (run, ms) => {
      const id = nextId++;
      timers.push({ at: clock + ms, run, id });
      return id;
    },
    clearTimeout: (id) => timers.splice(timers.findIndex((timer) => timer.id === id), 1),
  };

  return {
    env,
    page,
    posted,
    openChannels: () => channels.size,
    emit: (type: string) => listeners.get(type)?.forEach((listener) => listener()),
    listening: () => [...listeners.values()].reduce((count, set) => count + set.size, 0),
    /** A message from another tab. */
    otherTab: () => channels.forEach((channel) => channel.onmessage?.({ data: "changed" } as MessageEvent)),
    advance: (ms: number) => {
      const end = clock + ms;
      for (;;) {
        const due = timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        clock = due.at;
        if (due.every) due.at += due.every;
        else timers.splice(timers.indexOf(due), 1);
        due.run();
      }
      clock = end;
    },
  };
}

describe("the revalidation scheduler", () => {
  it("reads again on focus, on becoming visible, and on news from another tab, once for triggers that come together", () => {
    const fake = fakeEnvironment();
    const scheduler = createScheduler(fake.env, { pollMs: 15_000, minGapMs: 1_000 });
    const calls: Trigger[] = [];
    scheduler.subscribe((trigger) => calls.push(trigger));

    fake.advance(5_000);
    fake.emit("focus");
    fake.emit("visibilitychange"); // comes with the focus: no second read
    expect(calls).toEqual(["focus"]);

    fake.advance(2_000);
    fake.page.visibilityState = "hidden";
    fake.emit("visibilitychange");
    expect(calls).toEqual(["focus"]); // hiding is no reason to read
    fake.page.visibilityState = "visible";
    fake.emit("visibilitychange");
    expect(calls).toEqual(["focus", "visible"]);

    fake.advance(2_000);
    fake.otherTab();
    expect(calls).toEqual(["focus", "visible", "broadcast"]);
  });

  it("never drops news from another tab: one that comes too soon makes one more read after the gap", () => {
    const fake = fakeEnvironment();
    const scheduler = createScheduler(fake.env, { pollMs: 15_000, minGapMs: 1_000 });
    const calls: Trigger[] = [];
    scheduler.subscribe((trigger) => calls.push(trigger));

    fake.advance(5_000);
    fake.otherTab();
    fake.advance(200);
    fake.otherTab();
    fake.otherTab();
    fake.emit("focus");
    expect(calls).toEqual(["broadcast"]);
    fake.advance(799);
    expect(calls).toEqual(["broadcast"]);
    fake.advance(1);
    expect(calls).toEqual(["broadcast", "broadcast"]);
    fake.advance(10_000);
    expect(calls).toHaveLength(2);
  });

  it("polls every 15 s only while asked to and while the page is visible", () => {
    const fake = fakeEnvironment();
    const scheduler = createScheduler(fake.env, { pollMs: 15_000, minGapMs: 1_000 });
    const calls: Trigger[] = [];
    const subscription = scheduler.subscribe((trigger) => calls.push(trigger));

    fake.advance(60_000);
    expect(calls).toEqual([]); // not a shared workspace: no polling

    subscription.setPolling(true);
    fake.advance(14_999);
    expect(calls).toEqual([]);
    fake.advance(1);
    expect(calls).toEqual(["poll"]);
    fake.advance(15_000);
    expect(calls).toEqual(["poll", "poll"]);

    fake.page.visibilityState = "hidden";
    fake.advance(45_000);
    expect(calls).toHaveLength(2);
    fake.page.visibilityState = "visible";
    fake.advance(15_000);
    expect(calls).toHaveLength(3);

    subscription.setPolling(false);
    fake.advance(60_000);
    expect(calls).toHaveLength(3);
  });

  it("tells the other tabs of a change here, and listens only while someone subscribes", () => {
    const fake = fakeEnvironment();
    const scheduler = createScheduler(fake.env);
    expect(fake.listening()).toBe(0);
    expect(fake.openChannels()).toBe(0);

    scheduler.announce(); // nobody here listens: a channel just for the message
    expect(fake.posted).toEqual(["changed"]);
    expect(fake.openChannels()).toBe(0);

    const first = scheduler.subscribe(() => undefined, { poll: true });
    const second = scheduler.subscribe(() => undefined);
    expect(fake.listening()).toBe(3); // focus, online, visibilitychange
    expect(fake.openChannels()).toBe(1);
    scheduler.announce();
    expect(fake.posted).toEqual(["changed", "changed"]);

    first.unsubscribe();
    expect(fake.openChannels()).toBe(1);
    second.unsubscribe();
    expect(fake.listening()).toBe(0);
    expect(fake.openChannels()).toBe(0);
  });

  it("forgets a read that was waiting for the gap when its subscriber leaves", () => {
    const fake = fakeEnvironment();
    const scheduler = createScheduler(fake.env, { minGapMs: 1_000 });
    const calls: Trigger[] = [];
    const subscription = scheduler.subscribe((trigger) => calls.push(trigger));
    fake.otherTab(); // just after subscribing: waits for the gap
    subscription.unsubscribe();
    fake.advance(5_000);
    expect(calls).toEqual([]);
  });
});
