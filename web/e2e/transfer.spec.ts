import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { apiAs, decorateTask, newUserOnTaskList, seedTasks } from "./support";

interface Exported {
  tasks: { title: string; priority: number; due_date: string | null; recurrence: string | null; tags: { name: string }[]; checklist: { text: string; done: boolean }[] }[];
}

function comparable(document: Exported) {
  return document.tasks
    .map(({ title, priority, due_date, recurrence, tags, checklist }) => ({ title, priority, due_date, recurrence, tags, checklist }))
    .sort((a, b) => a.title.localeCompare(b.title));
}

test("transfer: a workspace exported as JSON from settings and imported into another is the same", async ({ page }) => {
  const email = await newUserOnTaskList(page, "transfer");
  const [report] = await seedTasks(email, [
    { title: "Quarterly report", priority: 1, due_date: "2031-03-31T16:00:00Z" },
    { title: "Water the plants", due_date: "2031-01-06T08:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=MO", timezone: "Europe/Paris" },
    { title: "=SUM(A1:A3) looks like a formula" },
  ]);
  await decorateTask(email, report.id);
  const api = await apiAs(email);
  try {
    const personal = ((await api.call("GET", "/api/workspaces")) as { items: { id: string; personal: boolean }[] }).items.find((w) => w.personal)!;
    const copy = (await api.call("POST", "/api/workspaces", { name: "Copy" })) as { id: string };
    await page.reload();

    await page.getByRole("link", { name: "Settings" }).click();
    const section = page.getByRole("region", { name: "Export and import" });
    await expect(section).toBeVisible();
    await section.getByLabel("Tasks of").selectOption({ value: personal.id });
    const downloading = page.waitForEvent("download");
    await section.getByRole("button", { name: "Download JSON" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^taskforge-\d{4}-\d\d-\d\d\.json$/);
    const file = await download.path();
    const original = JSON.parse(await readFile(file, "utf-8")) as Exported;
    expect(original.tasks).toHaveLength(3);

    await section.getByLabel("File to import").setInputFiles(file);
    await expect(section.getByLabel("Kind of file")).toHaveValue("taskforge-json");
    await section.getByLabel("Into workspace").selectOption({ label: "Copy" });
    await section.getByRole("button", { name: "Import", exact: true }).click();
    await expect(section.getByRole("status")).toHaveText("Imported 3 tasks.");

    const copied = (await api.call("GET", `/api/export?workspace_id=${copy.id}`)) as Exported;
    expect(comparable(copied)).toEqual(comparable(original));

    // The same file again: everything is already there.
    await section.getByRole("button", { name: "Import", exact: true }).click();
    await expect(section.getByRole("status")).toHaveText("Imported 0 tasks; 3 already there were skipped.");
  } finally {
    await api.dispose();
  }
});

test("transfer: a Todoist file with a bad row imports nothing and says which line", async ({ page }) => {
  await newUserOnTaskList(page, "todoist");
  await page.getByRole("link", { name: "Settings" }).click();
  const section = page.getByRole("region", { name: "Export and import" });
  const csv = "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE\r\n" +
    "task,Buy milk @home,,4,1,,,2031-01-02,en,\r\n" +
    "task,Call the bank,,7,1,,,,en,\r\n";
  await section.getByLabel("File to import").setInputFiles({ name: "Groceries.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(section.getByLabel("Kind of file")).toHaveValue("todoist-csv");
  await section.getByRole("button", { name: "Import", exact: true }).click();
  const alert = section.getByRole("alert");
  await expect(alert).toContainText("Nothing was imported: the file has 1 problem.");
  await expect(alert).toContainText("Line 3: PRIORITY '7'");
});
