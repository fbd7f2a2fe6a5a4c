import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { SelectionBar } from "./SelectionBar";

describe("the selection bar", () => {
  it("moves to the chosen workspace only once one is chosen, and offers nothing it cannot do", async () => {
    const onMove = vi.fn();
    render(
      <SelectionBar count={2} destinations={[{ id: "ws-team", name: "Team" }]} tags={[]} working={false}
        onComplete={vi.fn()} onMove={onMove} onTag={vi.fn()} onDelete={vi.fn()} onClear={vi.fn()} />,
    );
    expect(screen.getByRole("status")).toHaveTextContent("2 tasks selected");
    expect(screen.queryByLabelText("Tag with")).toBeNull(); // no tags in the workspace
    const move = screen.getByRole("button", { name: "Move" });
    expect(move).toBeDisabled();
    await userEvent.selectOptions(screen.getByLabelText("Move to workspace"), "Team");
    await userEvent.click(move);
    expect(onMove).toHaveBeenCalledWith("ws-team");
  });

  it("holds its buttons while a batch is on its way", () => {
    render(
      <SelectionBar count={1} destinations={[]} tags={[]} working
        onComplete={vi.fn()} onMove={vi.fn()} onTag={vi.fn()} onDelete={vi.fn()} onClear={vi.fn()} />,
    );
    expect(screen.getByRole("status")).toHaveTextContent("1 task selected");
    expect(screen.queryByLabelText("Move to workspace")).toBeNull();
    expect(screen.getByRole("button", { name: "Complete" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Delete" })).toBeDisabled();
  });
});
