// The initial JavaScript: what dist/index.html loads before the first page renders
// (the entry module and the modules it preloads), gzipped. Fails above the budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 150 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const files = new Set();
for (const match of html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g)) files.add(match[1]);
for (const match of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)) files.add(match[1]);
if (files.size === 0) {
  console.error("no module scripts found in dist/index.html; run `npm run build` first");
  process.exit(1);
}
let total = 0;
for (const file of files) {
  const size = gzipSync(readFileSync(join(dist, file))).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${file}`);
}
const verdict = total <= BUDGET_BYTES ? "within" : "OVER";
console.log(`initial JS: ${(total / 1024).toFixed(1)} KB gzipped, ${verdict} the ${BUDGET_BYTES / 1024} KB budget`);
process.exit(total <= BUDGET_BYTES ? 0 : 1);
