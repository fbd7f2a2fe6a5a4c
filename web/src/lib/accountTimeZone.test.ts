import { afterEach, describe, expect, it } from "vitest";
import {
  forgetAccountTimeZone, keptUtc, rememberAccountTimeZone, rememberKeptUtc, zoneForNewRepeat, zoneToOffer,
} from "./accountTimeZone";

// The tests run in America/New_York (vite.config.ts).
afterEach(() => {
  forgetAccountTimeZone();
  window.localStorage.clear();
});

describe("the time zone prompt's decision", () => {
  it("offers the browser's zone only to an account still on UTC that has not said to keep it", () => {
    expect(zoneToOffer({ account: "UTC", browser: "Europe/Berlin", kept: false })).toBe("Europe/Berlin");
    expect(zoneToOffer({ account: "Etc/UTC", browser: "Europe/Berlin", kept: false })).toBe("Europe/Berlin");
    // Said "keep UTC" before: never asked again.
    expect(zoneToOffer({ account: "UTC", browser: "Europe/Berlin", kept: true })).toBeNull();
    // A zone chosen already is left alone, even if it is not the browser's.
    expect(zoneToOffer({ account: "Asia/Tokyo", browser: "Europe/Berlin", kept: false })).toBeNull();
    // Nothing to offer: the browser is in UTC too, or does not say.
    expect(zoneToOffer({ account: "UTC", browser: "UTC", kept: false })).toBeNull();
    expect(zoneToOffer({ account: "UTC", browser: "Etc/UTC", kept: false })).toBeNull();
    expect(zoneToOffer({ account: "UTC", browser: null, kept: false })).toBeNull();
    // The account's zone is not known (yet): no question on a guess.
    expect(zoneToOffer({ account: null, browser: "Europe/Berlin", kept: false })).toBeNull();
  });

  it("remembers 'keep UTC' per user in this browser", () => {
    expect(keptUtc("user-1")).toBe(false);
    rememberKeptUtc("user-1");
    expect(keptUtc("user-1")).toBe(true);
    expect(keptUtc("user-2")).toBe(false);
    rememberKeptUtc("user-1");
    expect(JSON.parse(window.localStorage.getItem("taskforge.timezone-kept") ?? "[]")).toEqual(["user-1"]);
    window.localStorage.setItem("taskforge.timezone-kept", "{garbled");
    expect(keptUtc("user-1")).toBe(false);
  });
});

describe("a new repeat's time zone", () => {
  it("is the task's, else the account's, and UTC only when someone chose it", () => {
    rememberAccountTimeZone("Asia/Tokyo", "user-1");
    expect(zoneForNewRepeat("Europe/Berlin")).toBe("Europe/Berlin");
    // A task made while the account was on UTC carries UTC: the account's zone now wins.
    expect(zoneForNewRepeat("UTC")).toBe("Asia/Tokyo");
    expect(zoneForNewRepeat(null)).toBe("Asia/Tokyo");

    // An account left on UTC without choosing it: the browser's zone, never UTC silently.
    forgetAccountTimeZone();
    rememberAccountTimeZone("UTC", "user-1");
    expect(zoneForNewRepeat("UTC")).toBe("America/New_York");
    // Its user said to keep UTC: then UTC it is.
    rememberKeptUtc("user-1");
    expect(zoneForNewRepeat("UTC")).toBe("UTC");
  });
});
