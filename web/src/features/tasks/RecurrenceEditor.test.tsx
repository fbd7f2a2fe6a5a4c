import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { forgetAccountTimeZone, rememberAccountTimeZone } from "../../lib/accountTimeZone";
import { RecurrenceEditor } from "./RecurrenceEditor";
import { parseRule } from "./rrule";

// The tests run in America/New_York (vite.config.ts).
afterEach(() => {
  forgetAccountTimeZone();
  window.localStorage.clear();
});

/** The editor as a form holds it: the task's zone to start with. */
function Editor({ taskZone, rule = null }: { taskZone: string; rule?: string | null }) {
  const [value, setValue] = useState(parseRule(rule));
  const [timezone, setTimezone] = useState(taskZone);
  return <RecurrenceEditor value={value} onChange={setValue} timezone={timezone} onTimezoneChange={setTimezone} anchorDay={15} />;
}

describe("a repeat added to an existing task", () => {
  it("starts in the account's zone when the task only carries the UTC of an account that never chose it", async () => {
    rememberAccountTimeZone("Europe/Berlin", "u1");
    render(<Editor taskZone="UTC" />);
    await userEvent.selectOptions(screen.getByLabelText("Repeat"), "Daily");
    expect(screen.getByLabelText("Time zone of the repeats")).toHaveValue("Europe/Berlin");
  });

  it("starts in the browser's zone when the account is on UTC nobody chose, and in UTC when it was kept", async () => {
    rememberAccountTimeZone("UTC", "u1");
    const { unmount } = render(<Editor taskZone="UTC" />);
    await userEvent.selectOptions(screen.getByLabelText("Repeat"), "Daily");
    expect(screen.getByLabelText("Time zone of the repeats")).toHaveValue("America/New_York");
    unmount();

    window.localStorage.setItem("taskforge.timezone-kept", JSON.stringify(["u1"]));
    render(<Editor taskZone="UTC" />);
    await userEvent.selectOptions(screen.getByLabelText("Repeat"), "Daily");
    expect(screen.getByLabelText("Time zone of the repeats")).toHaveValue("UTC");
  });

  it("keeps the task's own zone, and a repeat's zone once chosen", async () => {
    rememberAccountTimeZone("Europe/Berlin", "u1");
    const { unmount } = render(<Editor taskZone="Asia/Tokyo" />);
    await userEvent.selectOptions(screen.getByLabelText("Repeat"), "Yearly");
    expect(screen.getByLabelText("Time zone of the repeats")).toHaveValue("Asia/Tokyo");
    unmount();

    // A task that already repeats in UTC keeps it when its rule changes.
    render(<Editor taskZone="UTC" rule="FREQ=DAILY" />);
    await userEvent.selectOptions(screen.getByLabelText("Repeat"), "Yearly");
    expect(screen.getByLabelText("Time zone of the repeats")).toHaveValue("UTC");
  });
});
