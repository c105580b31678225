// Builds the native backend's addon (native/ → native/build/Release/tensile_native.node) with node-gyp, from source,
// against the system's CBLAS (TENSILE_BLAS, see native/blas-flags.mjs). Never downloads anything: node-gyp uses the
// local Node headers (npm's `nodedir` / node-gyp's cache).
//
//   node scripts/build-native.mjs             (npm's "install" script) on failure: one line saying how to get the
//                                              fast backend, exit 0; Tensile then runs on the cpu backend
//   node scripts/build-native.mjs --required  (`npm run build:native`, CI) on failure: the build log, exit 1
//   node scripts/build-native.mjs --notice    prints the notice line and exits
// Plain JS (no TypeScript, no dependencies): it runs before anything else is installed.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NATIVE = join(ROOT, "native");
const NOTICE =
  "tensile: native backend not built, using the slower cpu backend; to get it: apt-get install libopenblas-dev " +
  "(macOS: brew install openblas), then npm run build:native";

const args = process.argv.slice(2);
const required = args.includes("--required");
if (args.includes("--notice")) {
  console.log(NOTICE);
  process.exit(0);
}

function give_up(reason, log = "") {
  if (required) {
    if (log) process.stderr.write(log + "\n");
    console.error(`build-native: ${reason}`);
    console.error(NOTICE);
    process.exit(1);
  }
  console.log(`${NOTICE} (${reason})`);
  process.exit(0);
}

function has(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  return r.status === 0;
}

/** node-gyp: the one npm points at (npm_config_node_gyp), else one on PATH, else npm's bundled copy. */
function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  if (has("node-gyp", ["--version"])) return ["node-gyp"];
  const npmDir = [
    process.env.npm_execpath ? resolve(dirname(process.env.npm_execpath), "..") : null,
    resolve(dirname(process.execPath), "../lib/node_modules/npm"),
    "/usr/lib/node_modules/npm",
    "/usr/local/lib/node_modules/npm",
  ].find((d) => d !== null && existsSync(join(d, "node_modules/node-gyp/bin/node-gyp.js")));
  return npmDir ? [process.execPath, join(npmDir, "node_modules/node-gyp/bin/node-gyp.js")] : null;
}

if (!existsSync(join(NATIVE, "binding.gyp"))) give_up("native/binding.gyp is missing");
const cxx = process.env.CXX || "c++";
if (!has(cxx, ["--version"]) && !has("g++", ["--version"]) && !has("clang++", ["--version"])) give_up("no C++ compiler");
const blas = (process.env.TENSILE_BLAS || "openblas").toLowerCase();
if (blas !== "accelerate") {
  if (!has("pkg-config", ["--version"])) give_up("no pkg-config");
  const flags = spawnSync(process.execPath, [join(NATIVE, "blas-flags.mjs"), "libs"], { cwd: NATIVE, encoding: "utf8" });
  if (flags.status !== 0) give_up(`CBLAS for TENSILE_BLAS=${blas} not found by pkg-config`, flags.stderr);
}
const gyp = nodeGyp();
if (gyp === null) give_up("node-gyp not found");
const [cmd, ...pre] = gyp;

/**
 * Node's headers, without downloading: npm's `nodedir` setting, else the headers installed next to this Node
 * (<prefix>/include/node, as Debian's and the official tarballs ship them), else node-gyp's cache of a previous
 * download. With none of these, node-gyp would go to the network: give up instead.
 */
function nodeDir() {
  const configured = process.env.npm_config_nodedir;
  if (configured && existsSync(configured)) return configured;
  const prefix = resolve(dirname(process.execPath), "..");
  if (existsSync(join(prefix, "include/node/common.gypi"))) return prefix;
  return null;
}
const cacheHome = process.env.XDG_CACHE_HOME || join(process.env.HOME || "", ".cache");
const cached = existsSync(join(cacheHome, "node-gyp", process.versions.node, "include/node/common.gypi"));
const dir = nodeDir();
if (dir === null && !cached) give_up("no local Node headers (set npm's nodedir, or install Node's headers)");
const started = Date.now();
const build = spawnSync(cmd, [...pre, "rebuild", "--jobs=max", ...(dir !== null ? [`--nodedir=${dir}`] : [])], {
  cwd: NATIVE,
  encoding: "utf8",
  env: process.env,
});
if (build.status !== 0) give_up("the build failed", `${build.stdout ?? ""}${build.stderr ?? ""}`);
if (!existsSync(join(NATIVE, "build/Release/tensile_native.node"))) give_up("the build produced no tensile_native.node");
console.log(`tensile: native backend built (${((Date.now() - started) / 1000).toFixed(0)} s)`);
