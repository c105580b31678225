/**
 * `npm run test:unit [-- paths...]`: runs every `*.test.ts` under test/ (or under the given files and folders) with
 * node's test runner and tsx. Node 20's `--test` does not expand glob patterns itself, and `sh` has no `**`, so
 * the files are listed here.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

function testFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts") && !f.split(/[\\/]/).includes("node_modules"))
    .map((f) => join(path, f));
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith("--"));
const roots = args.filter((a) => !a.startsWith("--"));
const files = (roots.length > 0 ? roots : ["test"])
  .flatMap((r) => testFiles(resolve(r)))
  .map((f) => relative(process.cwd(), f))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${roots.join(", ") || "test"}`);
  process.exit(1);
}
const child = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...flags, ...files], { stdio: "inherit" });
process.exit(child.status ?? 1);
