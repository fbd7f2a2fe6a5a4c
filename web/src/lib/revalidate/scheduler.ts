/**
 * When the lists on screen are read again: when the window gets the focus back, when the page
 * becomes visible, when another tab of this browser changed something (BroadcastChannel), and
 * every POLL_MS while a shared workspace is open and the page is visible. Triggers that come
 * together (focus and visibility usually do) make one read. A change announced by another tab
 * too soon after a read is not dropped: it makes one more read when the gap is over.
 */
export type Trigger = "focus" | "visible" | "online" | "broadcast" | "poll";

export const POLL_MS = 15_000;
/** Reads of one subscriber are at least this far apart. */
export const MIN_GAP_MS = 1_000;
export const CHANNEL_NAME = "taskforge-changes";

export interface Subscription {
  /** Polls every POLL_MS while on (a shared workspace is open). */
  setPolling: (on: boolean) => void;
  unsubscribe: () => void;
}

interface ChannelLike {
  postMessage: (message: unknown) => void;
  onmessage: ((event: MessageEvent) => void) | null;
  close: () => void;
}

export interface SchedulerEnvironment {
  window: Pick<Window, "addEventListener" | "removeEventListener">;
  document: Pick<Document, "addEventListener" | "removeEventListener" | "visibilityState">;
  /** Null where BroadcastChannel does not exist: then other tabs are heard of on focus only. */
  openChannel: () => ChannelLike | null;
  now: () => number;
  setInterval: (callback: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

interface Subscriber {
  callback: (trigger: Trigger) => void;
  last: number;
  poller: unknown;
  /** The read waiting for the gap to pass, and the trigger it will report. */
  waiting: { handle: unknown; trigger: Trigger } | null;
}

export interface Scheduler {
  subscribe: (callback: (trigger: Trigger) => void, options?: { poll?: boolean }) => Subscription;
  /** Tells the other tabs that something changed here. */
  announce: () => void;
  /** Runs every subscriber now, as a focus would (coalescing included). */
  fire: (trigger: Trigger) => void;
}

export function createScheduler(env: SchedulerEnvironment, { pollMs = POLL_MS, minGapMs = MIN_GAP_MS } = {}): Scheduler {
  const subscribers = new Set<Subscriber>();
  let channel: ChannelLike | null = null;

  const run = (subscriber: Subscriber, trigger: Trigger) => {
    const wait = subscriber.last + minGapMs - env.now();
    if (wait > 0) {
      // Focus, visibility and polls say nothing new just after a read; news from another tab does.
      if (trigger !== "broadcast" || subscriber.waiting) return;
      const handle = env.setTimeout(() => {
        subscriber.waiting = null;
        if (subscribers.has(subscriber)) run(subscriber, trigger);
      }, wait);
      subscriber.waiting = { handle, trigger };
      return;
    }
    subscriber.last = env.now();
    subscriber.callback(trigger);
  };
  const fire = (trigger: Trigger) => [...subscribers].forEach((subscriber) => run(subscriber, trigger));

  const onFocus = () => fire("focus");
  const onOnline = () => fire("online");
  const onVisibility = () => {
    if (env.document.visibilityState === "visible") fire("visible");
  };

  // Listeners only while someone listens, so that an idle app holds no channel open.
  function start() {
    env.window.addEventListener("focus", onFocus);
    env.window.addEventListener("online", onOnline);
    env.document.addEventListener("visibilitychange", onVisibility);
    channel = env.openChannel();
    if (channel) channel.onmessage = () => fire("broadcast");
  }
  function stop() {
    env.window.removeEventListener("focus", onFocus);
    env.window.removeEventListener("online", onOnline);
    env.document.removeEventListener("visibilitychange", onVisibility);
    channel?.close();
    channel = null;
  }

  function setPolling(subscriber: Subscriber, on: boolean) {
    if (on && subscriber.poller === null) {
      subscriber.poller = env.setInterval(() => {
        // A hidden page is read again when it becomes visible, not while nobody looks.
        if (env.document.visibilityState === "visible") run(subscriber, "poll");
      }, pollMs);
    } else if (!on && subscriber.poller !== null) {
      env.clearInterval(subscriber.poller);
      subscriber.poller = null;
    }
  }

  return {
    subscribe(callback, { poll = false } = {}) {
      // Reads that just happened (the page's first) make the next trigger wait for the gap too.
      const subscriber: Subscriber = { callback, last: env.now(), poller: null, waiting: null };
      if (subscribers.size === 0) start();
      subscribers.add(subscriber);
      setPolling(subscriber, poll);
      return {
        setPolling: (on) => {
          if (subscribers.has(subscriber)) setPolling(subscriber, on);
        },
        unsubscribe: () => {
          if (!subscribers.delete(subscriber)) return;
          setPolling(subscriber, false);
          if (subscriber.waiting) env.clearTimeout(subscriber.waiting.handle);
          subscriber.waiting = null;
          if (subscribers.size === 0) stop();
        },
      };
    },
    announce() {
      // The channel is open while this tab shows a list; otherwise a short-lived one carries the news.
      if (channel) {
        channel.postMessage("changed");
        return;
      }
      const once = env.openChannel();
      once?.postMessage("changed");
      once?.close();
    },
    fire,
  };
}

function browserEnvironment(): SchedulerEnvironment {
  return {
    window,
    document,
    openChannel: () => (typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL_NAME)),
    now: () => Date.now(),
    setInterval: (callback, ms) => window.setInterval(callback, ms),
    clearInterval: (handle) => window.clearInterval(handle as number),
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  };
}

let shared: Scheduler | null = null;

/** The app's one scheduler. */
export function revalidation(): Scheduler {
  shared ??= createScheduler(browserEnvironment());
  return shared;
}
