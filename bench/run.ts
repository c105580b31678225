/**
 * `npm run bench`: Tensile's backends (`native` when its addon is built, and `cpu`) next to TF.js `cpu` and TF.js
 * `wasm` (SIMD, 1 thread), in one process, and OpenBLAS's sgemm called from C (bench/sgemm-limit.c, compiled here
 * with gcc against pkg-config's openblas) as the limit for matMul.
 *
 *   - matMul float32, square n×n·n×n, GFLOP/s (2n³ flops), n = 128 … 2048 (the op call; the result is not read back)
 *   - elementwise add and exp over 1M float32 elements: ms and GB/s (bytes read + written)
 *   - dispatch overhead: µs per `add` of two [2] tensors (dataSync once at the end)
 *
 * Each figure is the median of several timed runs after a warm-up. Writes bench/RESULTS.md.
 * Options: --backend=<name> (only this Tensile backend), --sizes=128,256 (matMul sizes), --quick (fewer runs).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tn from "../src/index.js";
import { measure as timed, type Timing } from "./timing.js";

const HERE = dirname(fileURLToPath(import.meta.url));
// Node-only backends (not registered by the browser-safe src/index.ts), loaded when they exist.
for (const file of ["../src/backend/native/index.ts"]) {
  const path = resolve(HERE, file);
  if (existsSync(path)) await import(pathToFileURL(path).href);
}
const args = process.argv.slice(2);
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes("--quick");
const sizes = (option("sizes") ?? "128,256,512,1024,2048").split(",").map(Number);
/** Contenders slower than this many GFLOP/s skip sizes above 1024 (a 2048³ product would take 20 s and more). */
const SLOW_GFLOPS = 10;
const started = performance.now();

// ---------------------------------------------------------------------------------------------------------------
// Timing

/** Warm-up, then timed calls (bench/timing.ts) with this script's budget. */
function measure(fn: () => void, budgetMs = quick ? 400 : 1200, minRuns = quick ? 3 : 5, maxRuns = 30): Timing {
  return timed(fn, { budgetMs, minRuns, maxRuns });
}

function randomValues(n: number, seed: number): Float32Array {
  // A small LCG: the same inputs every run, for every library.
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.5;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// The contenders: one small interface each library is adapted to.

interface Contender {
  label: string;
  /** Tensile's, TF.js's, or the C limit (matMul only). */
  kind: "tensile" | "tfjs" | "limit";
  /** Why this contender cannot run an item, when it cannot (e.g. tn.matMul not written yet). */
  missing(item: "matMul" | "add" | "exp"): string | null;
  matMulRun(a: Float32Array, b: Float32Array, n: number): () => void;
  unaryRun(op: "exp", x: Float32Array): () => void;
  binaryRun(op: "add", a: Float32Array, b: Float32Array): () => void;
  /** µs per add of two [2] tensors over `iterations`, with one dataSync at the end. */
  dispatchRun(iterations: number): () => void;
}

type TnMatMul = (a: tn.Tensor, b: tn.Tensor) => tn.Tensor;

function tensileContender(backendName: string): Contender {
  const exported = tn as unknown as Record<string, unknown>;
  const matMul = typeof exported.matMul === "function" ? (exported.matMul as TnMatMul) : null;
  const use = (): void => tn.setBackend(backendName);
  return {
    label: `Tensile \`${backendName}\``,
    kind: "tensile",
    missing: (item) => (item === "matMul" && matMul === null ? "tn.matMul is not exported yet (src/ops/linalg.ts)" : null),
    matMulRun(av, bv, n) {
      use();
      const a = tn.tensor(av, [n, n]);
      const b = tn.tensor(bv, [n, n]);
      return () => {
        use();
        (matMul as TnMatMul)(a, b).dispose();
      };
    },
    unaryRun(_op, xv) {
      use();
      const x = tn.tensor(xv);
      return () => {
        use();
        tn.exp(x).dispose();
      };
    },
    binaryRun(_op, av, bv) {
      use();
      const a = tn.tensor(av);
      const b = tn.tensor(bv);
      return () => {
        use();
        tn.add(a, b).dispose();
      };
    },
    dispatchRun(iterations) {
      use();
      const a = tn.tensor([1, 2]);
      const b = tn.tensor([3, 4]);
      return () => {
        use();
        let c = tn.add(a, b);
        for (let i = 1; i < iterations; i++) {
          c.dispose();
          c = tn.add(a, b);
        }
        c.dataSync();
        c.dispose();
      };
    },
  };
}

type TF = typeof import("@tensorflow/tfjs");

function tfjsContender(tf: TF, backend: "cpu" | "wasm", label: string): Contender {
  const use = (): void => {
    if (tf.getBackend() !== backend) {
      // Both backends are registered and initialized before the benchmark, so this switch is synchronous.
      void tf.setBackend(backend);
      if (tf.getBackend() !== backend) throw new Error(`could not switch TF.js to ${backend}`);
    }
  };
  return {
    label,
    kind: "tfjs",
    missing: () => null,
    matMulRun(av, bv, n) {
      use();
      const a = tf.tensor2d(av, [n, n]);
      const b = tf.tensor2d(bv, [n, n]);
      return () => {
        use();
        // Both TF.js backends compute synchronously inside the call, as Tensile does: no read-back is timed.
        tf.matMul(a, b).dispose();
      };
    },
    unaryRun(_op, xv) {
      use();
      const x = tf.tensor1d(xv);
      return () => {
        use();
        tf.exp(x).dispose();
      };
    },
    binaryRun(_op, av, bv) {
      use();
      const a = tf.tensor1d(av);
      const b = tf.tensor1d(bv);
      return () => {
        use();
        tf.add(a, b).dispose();
      };
    },
    dispatchRun(iterations) {
      use();
      const a = tf.tensor1d([1, 2]);
      const b = tf.tensor1d([3, 4]);
      return () => {
        use();
        let c = tf.add(a, b);
        for (let i = 1; i < iterations; i++) {
          c.dispose();
          c = tf.add(a, b);
        }
        c.dataSync();
        c.dispose();
      };
    },
  };
}

async function loadTfjs(): Promise<{ tf: TF; wasmNote: string }> {
  // TF.js greets Node users on import (and suggests tfjs-node, which cannot be installed offline): keep it quiet.
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(`${wasmDir}/`);
    await tf.setBackend("wasm");
    await tf.ready();
    const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
    const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
    await tf.setBackend("cpu");
    await tf.ready();
    tf.tensor1d([1]).dispose(); // the cpu backend's Node greeting comes on its first write
    return { tf, wasmNote: `SIMD ${simd ? "on" : "off"}, ${threads ? "threads on" : "1 thread (TF.js disables wasm threads under Node)"}` };
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

/** OpenBLAS sgemm timed from C (bench/sgemm-limit.c), built here with gcc and pkg-config's openblas flags. */
interface Limit {
  ms: Map<number, number>;
  runs: Map<number, number>;
  note: string;
}

function sgemmLimit(ns: number[]): Limit {
  const result: Limit = { ms: new Map(), runs: new Map(), note: "OpenBLAS sgemm from C" };
  const outDir = resolve(HERE, "build");
  const exe = resolve(outDir, "sgemm-limit");
  mkdirSync(outDir, { recursive: true });
  const pc = spawnSync("pkg-config", ["--cflags", "--libs", "openblas"], { encoding: "utf8" });
  const flags = pc.status === 0 ? pc.stdout.trim().split(/\s+/).filter(Boolean) : ["-lopenblas"];
  const cc = spawnSync("gcc", ["-O2", resolve(HERE, "sgemm-limit.c"), "-o", exe, ...flags], { encoding: "utf8" });
  if (cc.status !== 0) {
    result.note = `the C limit did not build (gcc -O2 bench/sgemm-limit.c ${flags.join(" ")}): ${(cc.stderr || cc.error?.message || "").split("\n")[0]}`;
    return result;
  }
  const run = spawnSync(exe, ns.map(String), { encoding: "utf8" });
  for (const line of run.stdout.split("\n")) {
    const [n, ms, runs] = line.trim().split(/\s+/).map(Number);
    if (Number.isFinite(n) && Number.isFinite(ms)) {
      result.ms.set(n, ms);
      result.runs.set(n, runs);
    }
  }
  return result;
}

function limitContender(limit: Limit): Contender {
  const notMeasured = (): never => {
    throw new Error("the C limit is measured by sgemmLimit()");
  };
  return {
    label: "OpenBLAS sgemm (C)",
    kind: "limit",
    missing: (item) => (item === "matMul" ? (limit.ms.size > 0 ? null : limit.note) : "the C limit times sgemm only"),
    matMulRun: notMeasured,
    unaryRun: notMeasured,
    binaryRun: notMeasured,
    dispatchRun: notMeasured,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

interface Row {
  workload: string;
  unit: string;
  /** One cell per contender: the figure, or a reason it is missing. */
  cells: (number | string)[];
  /** Which way is better. */
  higherIsBetter: boolean;
  detail?: string[];
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

async function main(): Promise<void> {
  const { tf, wasmNote } = await loadTfjs();
  const only = option("backend");
  const tensileBackends = only !== undefined ? [only] : tn.backends().filter((b) => b === "native" || b === "cpu");
  const limit = sgemmLimit(sizes);
  const contenders = [
    ...tensileBackends.map(tensileContender),
    tfjsContender(tf, "cpu", "TF.js `cpu`"),
    tfjsContender(tf, "wasm", "TF.js `wasm`"),
    limitContender(limit),
  ];
  const rows: Row[] = [];
  const log = (s: string): void => void process.stderr.write(s);

  log(`Tensile backends: ${tensileBackends.join(", ")} · TF.js ${tf.version.tfjs} · wasm: ${wasmNote} · limit: ${limit.note}\n`);
  const lastGflops = new Map<Contender, number>();

  for (const n of sizes) {
    const a = randomValues(n * n, 1);
    const b = randomValues(n * n, 2);
    const flops = 2 * n * n * n;
    const row: Row = { workload: `matMul ${n}×${n}·${n}×${n} f32`, unit: "GFLOP/s", cells: [], higherIsBetter: true, detail: [] };
    for (const c of contenders) {
      const why = c.missing("matMul");
      if (why !== null) {
        row.cells.push(why);
        continue;
      }
      if (c.kind === "limit") {
        const ms = limit.ms.get(n);
        row.cells.push(ms === undefined ? limit.note : flops / (ms * 1e6));
        if (ms !== undefined) row.detail?.push(`${c.label}: ${ms.toFixed(2)} ms × ${limit.runs.get(n) ?? "?"}`);
        continue;
      }
      if (n > 1024 && (lastGflops.get(c) ?? Infinity) < SLOW_GFLOPS) {
        row.cells.push(`skipped above 1024 (under ${SLOW_GFLOPS} GFLOP/s: tens of seconds per product)`);
        continue;
      }
      // Fewer runs at the largest sizes: TF.js cpu needs ~2.5 s per 1024³ product.
      const t = measure(c.matMulRun(a, b, n), n >= 1024 ? 1 : undefined, n >= 1024 ? 3 : undefined);
      lastGflops.set(c, flops / (t.ms * 1e6));
      row.cells.push(flops / (t.ms * 1e6));
      row.detail?.push(`${c.label}: ${t.ms.toFixed(2)} ms × ${t.runs}`);
    }
    rows.push(row);
    log(`matMul ${n}: ${row.cells.map((v) => (typeof v === "number" ? fmt(v) : "n/a")).join(" | ")} GFLOP/s\n`);
  }

  const N = 1 << 20;
  const ea = randomValues(N, 3);
  const eb = randomValues(N, 4);
  for (const [name, bytes, make] of [
    ["add", 3 * 4 * N, (c: Contender) => c.binaryRun("add", ea, eb)],
    ["exp", 2 * 4 * N, (c: Contender) => c.unaryRun("exp", ea)],
  ] as const) {
    const msRow: Row = { workload: `${name} 1M f32`, unit: "ms", cells: [], higherIsBetter: false };
    const bwRow: Row = { workload: `${name} 1M f32`, unit: "GB/s", cells: [], higherIsBetter: true };
    for (const c of contenders) {
      if (c.kind === "limit") {
        msRow.cells.push(c.missing(name) ?? "");
        bwRow.cells.push(c.missing(name) ?? "");
        continue;
      }
      const t = measure(make(c));
      msRow.cells.push(t.ms);
      bwRow.cells.push(bytes / (t.ms * 1e6));
    }
    rows.push(msRow, bwRow);
    log(`${name} 1M: ${msRow.cells.map((v) => (typeof v === "number" ? fmt(v) : "n/a")).join(" | ")} ms\n`);
  }

  const iterations = quick ? 2000 : 10000;
  const dRow: Row = { workload: "add of two [2] tensors (dispatch)", unit: "µs/op", cells: [], higherIsBetter: false };
  for (const c of contenders) {
    if (c.kind === "limit") {
      dRow.cells.push(c.missing("add") ?? "");
      continue;
    }
    const t = measure(c.dispatchRun(iterations));
    dRow.cells.push((t.ms * 1000) / iterations);
  }
  rows.push(dRow);
  log(`dispatch: ${dRow.cells.map((v) => (typeof v === "number" ? fmt(v) : "n/a")).join(" | ")} µs/op\n`);

  const seconds = (performance.now() - started) / 1000;
  const md = render(rows, contenders, { wasmNote, tfVersion: tf.version.tfjs, seconds });
  // Sections written by other bench scripts (`## …` headings after this one's body, e.g. bench/mlp.ts) are kept.
  const path = resolve(HERE, "RESULTS.md");
  const previous = existsSync(path) ? readFileSync(path, "utf8") : "";
  const kept = previous.indexOf("\n## ");
  writeFileSync(path, kept >= 0 ? `${md.trimEnd()}\n${previous.slice(kept)}` : md);
  process.stdout.write(md);
  log(`\nwrote bench/RESULTS.md in ${seconds.toFixed(0)} s\n`);
}

function render(rows: Row[], contenders: Contender[], meta: { wasmNote: string; tfVersion: string; seconds: number }): string {
  const cpus = os.cpus();
  const tensile = contenders.filter((c) => c.kind === "tensile");
  const backendLines = tensile.map((c) => {
    const name = c.label.replace(/^Tensile `(.*)`$/, "$1");
    const info = tn.backendInfo(name);
    const extra = info.blasConfig !== undefined ? `, ${String(info.blasConfig)}, ${String(info.cflags ?? "")}` : "";
    return `- Tensile backend \`${name}\`: ${String(info.implementation ?? "")}, threads ${String(info.threads ?? "?")}${extra}`;
  });
  const lines = [
    "# Benchmarks",
    "",
    "Tensile's backends next to TF.js in the same Node process, same inputs, and OpenBLAS's sgemm timed from C",
    "(bench/sgemm-limit.c) as the matMul limit. Median of several runs after a warm-up; shared machines are noisy, so",
    "treat differences under ~15% as noise. The ratio columns compare Tensile's best backend with the best TF.js",
    "figure and with the C limit (above 1 = Tensile is better).",
    "",
    `- command: \`npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}\` (bench/run.ts), ${meta.seconds.toFixed(0)} s in all`,
    `- date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `- machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}`,
    `- Node ${process.version}; TF.js ${meta.tfVersion}; TF.js wasm: ${meta.wasmNote}`,
    ...backendLines,
    "",
    `| workload | unit | ${contenders.map((c) => c.label).join(" | ")} | Tensile vs best TF.js | Tensile vs C limit |`,
    `|---|---|${contenders.map(() => "--:").join("|")}|--:|--:|`,
  ];
  const notes: string[] = [];
  const ratio = (ours: number[], theirs: number[], higherIsBetter: boolean): string => {
    if (ours.length === 0 || theirs.length === 0) return "–";
    const us = higherIsBetter ? Math.max(...ours) : Math.min(...ours);
    const them = higherIsBetter ? Math.max(...theirs) : Math.min(...theirs);
    return `${(higherIsBetter ? us / them : them / us).toFixed(2)}×`;
  };
  for (const r of rows) {
    const cells = r.cells.map((v) => {
      if (typeof v === "number") return fmt(v);
      if (!notes.includes(v)) notes.push(v);
      return `n/a [${notes.indexOf(v) + 1}]`;
    });
    const of = (kind: Contender["kind"]): number[] =>
      r.cells.filter((v, i): v is number => typeof v === "number" && contenders[i].kind === kind);
    const vsTf = ratio(of("tensile"), of("tfjs"), r.higherIsBetter);
    const vsLimit = ratio(of("tensile"), of("limit"), r.higherIsBetter);
    lines.push(`| ${r.workload} | ${r.unit} | ${cells.join(" | ")} | ${vsTf} | ${vsLimit} |`);
  }
  if (notes.length > 0) lines.push("", ...notes.map((n, i) => `[${i + 1}] ${n}`));
  const details = rows.flatMap((r) => (r.detail !== undefined && r.detail.length > 0 ? [`- ${r.workload}: ${r.detail.join("; ")}`] : []));
  if (details.length > 0) lines.push("", "Median time per matMul and number of timed runs:", "", ...details);
  lines.push(
    "",
    "Elementwise GB/s counts bytes read plus written (add: 12 MiB, exp: 8 MiB per call); at 1M elements the arrays fit in",
    "this class of machine's L3 cache, so a library that reuses its buffers (TF.js wasm's heap) can exceed DRAM bandwidth,",
    "while one that allocates a fresh output each call pays for page faults and zeroing. Dispatch: a loop of `add` on two",
    "[2] tensors, disposing each result, with one `dataSync` at the end; the figure is the loop's time per op.",
    "matMul times the op call (every contender computes synchronously in it) and the disposal of its result, not a",
    "read-back; Tensile allocates a fresh zeroed output each call, the C limit reuses one (its first-touch page faults",
    "are most of the gap at 512–1024). OpenBLAS and Tensile `native` use all cores; TF.js wasm runs on one thread under",
    "Node (ANCHORS.md: ≈ 59 GFLOP/s at 1024 with 2 threads patched in).",
    "Reference figures for this machine class (TF.js, BLAS, the FMA peak) are in ../shared/ANCHORS.md.",
  );
  return lines.join("\n") + "\n";
}

await main();
