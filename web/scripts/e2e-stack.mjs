// Runs the Playwright suite against a stack of its own: starts the local stack
// (`python -m functions.devserver`) on a free port with a throw-away embedded database
// (or DATABASE_URL when set) and 30-second access tokens, waits until it is ready,
// runs `playwright test` with any arguments given, then stops the stack.
//
//   npm run build && npm run e2e:stack [-- playwright args]
//
// PYTHON (default ../.venv/bin/python) and E2E_PORT (default 8765) can be overridden;
// the stack's log goes to test-results/stack.log. The mail the stack sends is written to
// <its data directory>/mail, which the tests read as E2E_MAIL_DIR (e2e/support.ts).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(web, "..");
const python = process.env.PYTHON ?? join(repo, ".venv", "bin", "python");
const port = process.env.E2E_PORT ?? "8765";
const baseUrl = `http://localhost:${port}`;

if (!existsSync(join(web, "dist", "index.html"))) {
  console.error("web/dist is missing: run `npm run build` first");
  process.exit(2);
}
if (!existsSync(python)) {
  console.error(`${python} not found: create the Python environment first (make dev does), or set PYTHON`);
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), "taskforge-e2e-"));
const mailDir = join(dataDir, "mail");
mkdirSync(join(web, "test-results"), { recursive: true });
const logPath = join(web, "test-results", "stack.log");
const log = openSync(logPath, "w");
const stack = spawn(python, ["-m", "functions.devserver"], {
  cwd: repo,
  detached: true, // its own process group, so the database it starts stops with it
  stdio: ["ignore", log, log],
  env: {
    ...process.env,
    PORT: port,
    HOST: "127.0.0.1",
    DEVDATA_DIR: dataDir,
    MAIL_DIRECTORY: mailDir,
    WEB_DIST_DIR: join(web, "dist"),
    ACCESS_TOKEN_TTL_SECONDS: process.env.ACCESS_TOKEN_TTL_SECONDS ?? "30",
    WORKERS: process.env.WORKERS ?? "2",
  },
});
let stackExited = false;
stack.on("exit", () => (stackExited = true));

async function waitUntilReady(deadline) {
  while (Date.now() < deadline) {
    if (stackExited) throw new Error("the stack exited before it was ready");
    try {
      const response = await fetch(`${baseUrl}/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`the stack was not ready at ${baseUrl} within the time allowed`);
}

async function stop() {
  if (stackExited) return;
  try {
    process.kill(-stack.pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + 20_000;
  while (!stackExited && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
  if (!stackExited) {
    try {
      process.kill(-stack.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

let status = 1;
try {
  await waitUntilReady(Date.now() + 120_000);
  const playwright = join(web, "node_modules", ".bin", "playwright");
  status = await new Promise((done) => {
    const run = spawn(playwright, ["test", ...process.argv.slice(2)], {
      cwd: web,
      stdio: "inherit",
      env: { ...process.env, E2E_BASE_URL: baseUrl, E2E_MAIL_DIR: mailDir },
    });
    run.on("exit", (code) => done(code ?? 1));
  });
} catch (error) {
  console.error(String(error));
  console.error(readFileSync(logPath, "utf8").split("\n").slice(-40).join("\n"));
} finally {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(status);
