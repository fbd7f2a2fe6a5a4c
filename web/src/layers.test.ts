/**
 * The layer rules of eslint.config.js, run through ESLint on files that exist only in memory,
 * placed where a real file would be: what they forbid is reported, what they allow is not.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const web = path.resolve(import.meta.dirname, "..");
const eslint = new ESLint({ cwd: web });

/** The import-x problems ESLint finds in `code`, as if it were the file `file` (relative to web/). */
async function importProblems(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(web, file) });
  return result.messages
    .filter((message) => message.ruleId?.startsWith("import-x/"))
    .map((message) => ({ rule: message.ruleId, line: message.line, message: message.message }));
}

describe("the layers of src/", { timeout: 60_000 }, () => {
  it("forbids a feature to import another feature, and says where the combination belongs", async () => {
    const problems = await importProblems(
      "src/features/tags/Probe.tsx",
      'import { listTags } from "./api";\nimport { getTask } from "../tasks/api";\nexport const probe = [listTags, getTask];\n',
    );
    expect(problems).toEqual([
      {
        rule: "import-x/no-restricted-paths",
        line: 2,
        message: expect.stringMatching(/"\.\.\/tasks\/api".*put the page that combines them together in src\/app\//),
      },
    ]);
  });

  it("lets a feature import its own files and shared code", async () => {
    const problems = await importProblems(
      "src/features/tags/Probe.tsx",
      [
        'import { listTags } from "./api";',
        'import { api } from "../../api/client";',
        'import { TagBadge } from "../../components/TagBadge";',
        'import { formatFull } from "../../lib/dates";',
        'import { useAuth } from "../../lib/session/AuthProvider";',
        'import type { Task } from "../../types/task";',
        "export const probe = [listTags, api, TagBadge, formatFull, useAuth] as unknown as Task;",
      ].join("\n"),
    );
    expect(problems).toEqual([]);
  });

  it("forbids a feature to import the app, lazily or not", async () => {
    const problems = await importProblems(
      "src/features/stats/Probe.ts",
      'import { routes } from "../../app/router";\nexport const later = () => import("../../app/pages/TasksPage");\nexport { routes };\n',
    );
    expect(problems.map(({ rule, line }) => ({ rule, line }))).toEqual([
      { rule: "import-x/no-restricted-paths", line: 1 },
      { rule: "import-x/no-restricted-paths", line: 2 },
    ]);
  });

  it("forbids shared code to import a feature or the app", async () => {
    const problems = await importProblems(
      "src/lib/Probe.ts",
      'import { getTask } from "../features/tasks/api";\nimport { routes } from "../app/router";\nexport const probe = [getTask, routes];\n',
    );
    expect(problems).toEqual([
      { rule: "import-x/no-restricted-paths", line: 1, message: expect.stringContaining("Shared code imports no feature") },
      { rule: "import-x/no-restricted-paths", line: 2, message: expect.stringContaining("Shared code imports no feature") },
    ]);
  });

  it("lets a page of the app combine features", async () => {
    const problems = await importProblems(
      "src/app/pages/Probe.tsx",
      'import { TaskTags } from "../../features/tags/TaskTags";\nimport { TaskDetailView } from "../../features/tasks/TaskDetailView";\nexport const probe = [TaskTags, TaskDetailView];\n',
    );
    expect(problems).toEqual([]);
  });

  it("finds an import cycle", async () => {
    // tasks/useTaskList.ts imports tasks/api.ts: api.ts importing it back closes a cycle.
    const file = "src/features/tasks/api.ts";
    const code = `${readFileSync(path.join(web, file), "utf8")}\nexport { useTaskList } from "./useTaskList";\n`;
    const problems = await importProblems(file, code);
    expect(problems).toEqual([{ rule: "import-x/no-cycle", line: code.split("\n").length - 1, message: expect.any(String) }]);
  });
});
