/**
 * `npm run test:unit [-- paths...]`: runs every `*.test.ts` under test/ (or under the given files and folders) with
 * node's test runner and tsx. Node 20's `--test` does not expand glob patterns itself, and `sh` has no `**`, so
 * the files are listed here.
 *
 * The suite runs once per backend, each test process preloading test/setup.ts (which activates TENSILE_BACKEND):
 *   1. `cpu` with the native addon disabled (TENSILE_NATIVE=0): the reference backend, and the proof that Tensile
 *      works without the addon (test/backend/native.test.ts checks `native` is then absent);
 *   2. `native`, when native/build/Release/tensile_native.node exists. Under CI (CI set) a missing addon is a
 *      failure: CI must exercise the native backend.
 * A `cpu` run with the addon present adds nothing the two do not cover (the native run's tests switch to cpu and
 * compare), so it is not repeated. Set TENSILE_BACKEND to run on one backend only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ADDON = join(ROOT, "native/build/Release/tensile_native.node");
const SETUP = pathToFileURL(join(ROOT, "test/setup.ts")).href;

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

interface Run {
  label: string;
  env: Record<string, string>;
}

const runs: Run[] = [];
const only = process.env.TENSILE_BACKEND;
if (only !== undefined) {
  runs.push({ label: only, env: { TENSILE_BACKEND: only } });
} else {
  runs.push({ label: "cpu, native addon disabled (the fallback)", env: { TENSILE_BACKEND: "cpu", TENSILE_NATIVE: "0" } });
  if (existsSync(ADDON)) {
    runs.push({ label: "native", env: { TENSILE_BACKEND: "native" } });
  } else if (process.env.CI) {
    console.error(`run-tests: CI must test the native backend, but ${relative(ROOT, ADDON)} is missing: run \`npm run build:native\``);
    process.exit(1);
  } else {
    console.error("run-tests: the native addon is not built, so only cpu is tested (`npm run build:native` to add native)");
  }
}

let status = 0;
for (const run of runs) {
  console.log(`\nrun-tests: backend ${run.label}`);
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--import", "tsx", "--import", SETUP, "--test", "--test-reporter=spec", ...flags, ...files], {
    stdio: "inherit",
    env: { ...process.env, ...run.env },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`run-tests: backend ${run.label}: ${child.status === 0 ? "passed" : "FAILED"} in ${seconds} s`);
  if (child.status !== 0) status = child.status ?? 1;
}
process.exit(status);
