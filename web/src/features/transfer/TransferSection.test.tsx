import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { server } from "../../test/server";
import { guessFormat } from "./api";
import { TransferSection } from "./TransferSection";

function chooseFile(name: string, content: string) {
  return new File([content], name, { type: name.endsWith(".csv") ? "text/csv" : "application/json" });
}

describe("export and import in settings", () => {
  it("sends the file's text as the format its name suggests and shows what was created", async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post("/api/import", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ created: 3, skipped: 1, errors: [] }, { status: 201 });
      }),
    );
    render(<TransferSection />);
    await userEvent.upload(screen.getByLabelText("File to import"), chooseFile("todoist.csv", "TYPE,CONTENT\r\ntask,Milk\r\n"));
    expect(screen.getByLabelText("Kind of file")).toHaveValue("todoist-csv");
    await userEvent.click(screen.getByRole("button", { name: "Import" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Imported 3 tasks; 1 already there was skipped.");
    expect(bodies).toEqual([{ format: "todoist-csv", content: "TYPE,CONTENT\r\ntask,Milk\r\n" }]);
  });

  it("lists a refused file's problems by line and says nothing was imported", async () => {
    server.use(
      http.post("/api/import", () =>
        HttpResponse.json(
          {
            title: "Unprocessable Content",
            status: 422,
            detail: "the file has 2 problems; nothing was imported",
            errors: [
              { line: 3, detail: "PRIORITY '9' is not 1, 2, 3 or 4" },
              { line: 5, detail: "DATE 'next blue moon' is not a date this import reads" },
            ],
            created: 0,
            skipped: 0,
          },
          { status: 422, headers: { "Content-Type": "application/problem+json" } },
        ),
      ),
    );
    render(<TransferSection />);
    await userEvent.upload(screen.getByLabelText("File to import"), chooseFile("export.json", "{}"));
    await userEvent.click(screen.getByRole("button", { name: "Import" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Nothing was imported: the file has 2 problems.");
    expect(alert).toHaveTextContent("Line 3: PRIORITY '9' is not 1, 2, 3 or 4");
    expect(alert).toHaveTextContent("Line 5: DATE 'next blue moon'");
  });

  it("downloads the export under the server's file name", async () => {
    const asked: string[] = [];
    server.use(
      http.get("/api/export", ({ request }) => {
        asked.push(new URL(request.url).search);
        return new HttpResponse("\ufeffworkspace,title\r\n", {
          headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="taskforge-2030-01-15.csv"' },
        });
      }),
    );
    const created = vi.fn(() => "blob:export");
    URL.createObjectURL = created;
    URL.revokeObjectURL = vi.fn();
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe("taskforge-2030-01-15.csv");
    });
    render(<TransferSection />);
    await userEvent.click(screen.getByRole("button", { name: "Download CSV" }));
    await vi.waitFor(() => expect(clicked).toHaveBeenCalledOnce());
    expect(asked).toEqual(["?format=csv"]);
    clicked.mockRestore();
  });

  it("guesses the kind of file from its name", () => {
    expect(guessFormat("Project.CSV")).toBe("todoist-csv");
    expect(guessFormat("taskforge-2030-01-01.json")).toBe("taskforge-json");
  });
});
