import { afterEach, describe, expect, it } from "vitest";
import { announceSessionEnding } from "../session/sessionEnd";
import { keepOpenForms, registerOpenForm } from "./openForms";
import { draftKeys, forgetAllDrafts, hasDraft, readDraft, removeDraft, saveDraft } from "./store";

afterEach(() => forgetAllDrafts());

describe("the drafts store", () => {
  it("keeps drafts per user, in sessionStorage only", () => {
    saveDraft("alice", "task:new:personal", { title: "Alice's" });
    saveDraft("bob", "task:new:personal", { title: "Bob's" });

    expect(readDraft("alice", "task:new:personal")?.value).toEqual({ title: "Alice's" });
    expect(readDraft("bob", "task:new:personal")?.value).toEqual({ title: "Bob's" });
    expect(hasDraft("carol", "task:new:personal")).toBe(false);
    expect(hasDraft(null, "task:new:personal")).toBe(false);
    expect(Object.keys(localStorage)).toEqual([]);
    expect(Object.keys(sessionStorage).sort()).toEqual(["taskforge.drafts.alice", "taskforge.drafts.bob"]);
  });

  it("lists a user's drafts by prefix, oldest first, and leaves nothing behind once they are gone", () => {
    saveDraft("alice", "task:edit:2", { n: 2 }, new Date("2030-01-01T10:00:02Z"));
    saveDraft("alice", "task:edit:1", { n: 1 }, new Date("2030-01-01T10:00:01Z"));
    saveDraft("alice", "reminder:1", { n: 3 });
    expect(draftKeys("alice", "task:edit:")).toEqual(["task:edit:1", "task:edit:2"]);
    expect(draftKeys(null, "")).toEqual([]);

    for (const key of draftKeys("alice")) removeDraft("alice", key);
    expect(sessionStorage.getItem("taskforge.drafts.alice")).toBeNull();
  });

  it("treats garbled storage as no drafts", () => {
    sessionStorage.setItem("taskforge.drafts.alice", "{not json");
    expect(readDraft("alice", "task:new:personal")).toBeNull();
    saveDraft("alice", "task:new:personal", { ok: true });
    expect(readDraft("alice", "task:new:personal")?.value).toEqual({ ok: true });
  });
});

describe("open forms when the session ends", () => {
  it("keeps what each open form holds, for the user whose session ends, and nothing from untouched forms", () => {
    let typed: { title: string } | null = { title: "Half written" };
    const closeTyped = registerOpenForm("task:new:personal", () => typed);
    const closeUntouched = registerOpenForm("reminder:t1", () => null);

    expect(announceSessionEnding("alice")).toBe(true);
    expect(readDraft("alice", "task:new:personal")?.value).toEqual({ title: "Half written" });
    expect(hasDraft("alice", "reminder:t1")).toBe(false);

    typed = null;
    expect(keepOpenForms("bob")).toBe(false);
    closeTyped();
    closeUntouched();
    typed = { title: "Closed form" };
    expect(keepOpenForms("bob")).toBe(false);
    expect(draftKeys("bob")).toEqual([]);
  });
});
