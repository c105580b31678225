/**
 * `npm run bench`: Tensile's active backend next to TF.js `cpu` and TF.js `wasm` (SIMD, 1 thread), in one process.
 *
 *   - matMul float32, square n×n·n×n, GFLOP/s (2n³ flops), n = 128, 256, 512, 1024
 *   - elementwise add and exp over 1M float32 elements: ms and GB/s (bytes read + written)
 *   - dispatch overhead: µs per `add` of two [2] tensors (dataSync once at the end)
 *
 * Each figure is the median of several timed runs after a warm-up. Writes bench/RESULTS.md.
 * Options: --backend=<name> (Tensile backend to use), --sizes=128,256 (matMul sizes), --quick (fewer runs).
 */
import { existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tn from "../src/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
// Node-only backends (not registered by the browser-safe src/index.ts), loaded when they exist.
for (const file of ["../src/backend/native/index.ts"]) {
  const path = resolve(HERE, file);
  if (existsSync(path)) await import(pathToFileURL(path).href);
}
const args = process.argv.slice(2);
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes("--quick");
const sizes = (option("sizes") ?? "128,256,512,1024").split(",").map(Number);
const started = performance.now();

// ---------------------------------------------------------------------------------------------------------------
// Timing

interface Timing {
  /** Median milliseconds per call. */
  ms: number;
  runs: number;
}

/**
 * Warm-up call(s), then timed calls until at least `minRuns` and either `maxRuns` or `budgetMs` is reached.
 * A call slower than the budget is still run `minRuns` times, so the median is always of several runs.
 */
function measure(fn: () => void, budgetMs = quick ? 400 : 1200, minRuns = quick ? 3 : 5, maxRuns = 30): Timing {
  fn();
  const runs: number[] = [];
  const end = performance.now() + budgetMs;
  while (runs.length < minRuns || (runs.length < maxRuns && performance.now() < end)) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  const mid = runs.length >> 1;
  const ms = runs.length % 2 === 1 ? runs[mid] : (runs[mid - 1] + runs[mid]) / 2;
  return { ms, runs: runs.length };
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
  /** Why this contender cannot run an item, when it cannot (e.g. tn.matMul not written yet). */
  missing(item: "matMul" | "add" | "exp"): string | null;
  matMulRun(a: Float32Array, b: Float32Array, n: number): () => void;
  unaryRun(op: "exp", x: Float32Array): () => void;
  binaryRun(op: "add", a: Float32Array, b: Float32Array): () => void;
  /** µs per add of two [2] tensors over `iterations`, with one dataSync at the end. */
  dispatchRun(iterations: number): () => void;
}

type TnMatMul = (a: tn.Tensor, b: tn.Tensor) => tn.Tensor;

function tensileContender(): Contender {
  const backendName = option("backend");
  if (backendName !== undefined) tn.setBackend(backendName);
  const exported = tn as unknown as Record<string, unknown>;
  const matMul = typeof exported.matMul === "function" ? (exported.matMul as TnMatMul) : null;
  return {
    label: `Tensile \`${tn.getBackend()}\``,
    missing: (item) => (item === "matMul" && matMul === null ? "tn.matMul is not exported yet (src/ops/linalg.ts)" : null),
    matMulRun(av, bv, n) {
      const a = tn.tensor(av, [n, n]);
      const b = tn.tensor(bv, [n, n]);
      return () => {
        const c = (matMul as TnMatMul)(a, b);
        c.dataSync();
        c.dispose();
      };
    },
    unaryRun(_op, xv) {
      const x = tn.tensor(xv);
      return () => tn.exp(x).dispose();
    },
    binaryRun(_op, av, bv) {
      const a = tn.tensor(av);
      const b = tn.tensor(bv);
      return () => tn.add(a, b).dispose();
    },
    dispatchRun(iterations) {
      const a = tn.tensor([1, 2]);
      const b = tn.tensor([3, 4]);
      return () => {
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
    missing: () => null,
    matMulRun(av, bv, n) {
      use();
      const a = tf.tensor2d(av, [n, n]);
      const b = tf.tensor2d(bv, [n, n]);
      return () => {
        use();
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
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
  const contenders = [tensileContender(), tfjsContender(tf, "cpu", "TF.js `cpu`"), tfjsContender(tf, "wasm", "TF.js `wasm`")];
  const rows: Row[] = [];
  const log = (s: string): void => void process.stderr.write(s);

  log(`Tensile backend: ${tn.getBackend()} · TF.js ${tf.version.tfjs} · wasm: ${wasmNote}\n`);

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
      // Fewer runs at the largest sizes: TF.js cpu needs ~2.5 s per 1024³ product.
      const t = measure(c.matMulRun(a, b, n), n >= 1024 ? 1 : undefined, n >= 1024 ? 3 : undefined);
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
    const t = measure(c.dispatchRun(iterations));
    dRow.cells.push((t.ms * 1000) / iterations);
  }
  rows.push(dRow);
  log(`dispatch: ${dRow.cells.map((v) => (typeof v === "number" ? fmt(v) : "n/a")).join(" | ")} µs/op\n`);

  const seconds = (performance.now() - started) / 1000;
  const md = render(rows, contenders, { wasmNote, tfVersion: tf.version.tfjs, seconds });
  writeFileSync(resolve(HERE, "RESULTS.md"), md);
  process.stdout.write(md);
  log(`\nwrote bench/RESULTS.md in ${seconds.toFixed(0)} s\n`);
}

function render(rows: Row[], contenders: Contender[], meta: { wasmNote: string; tfVersion: string; seconds: number }): string {
  const cpus = os.cpus();
  const lines = [
    "# Benchmarks",
    "",
    "Tensile's active backend next to TF.js in the same Node process, same inputs. Median of several runs after a",
    "warm-up; shared machines are noisy, so treat differences under ~15% as noise. The last column is Tensile's",
    "figure relative to the best TF.js one (above 1 = Tensile is better).",
    "",
    `- command: \`npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}\` (bench/run.ts), ${meta.seconds.toFixed(0)} s in all`,
    `- date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `- machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}`,
    `- Node ${process.version}; TF.js ${meta.tfVersion}; TF.js wasm: ${meta.wasmNote}`,
    `- Tensile backend \`${tn.getBackend()}\`: ${JSON.stringify(tn.backendInfo().implementation ?? "")}, threads ${String(tn.backendInfo().threads ?? "?")}`,
    "",
    `| workload | unit | ${contenders.map((c) => c.label).join(" | ")} | Tensile vs best TF.js |`,
    `|---|---|${contenders.map(() => "--:").join("|")}|--:|`,
  ];
  const notes: string[] = [];
  for (const r of rows) {
    const cells = r.cells.map((v) => {
      if (typeof v === "number") return fmt(v);
      if (!notes.includes(v)) notes.push(v);
      return `n/a [${notes.indexOf(v) + 1}]`;
    });
    const ours = r.cells[0];
    const theirs = r.cells.slice(1).filter((v): v is number => typeof v === "number");
    let ratio = "–";
    if (typeof ours === "number" && theirs.length > 0) {
      const best = r.higherIsBetter ? Math.max(...theirs) : Math.min(...theirs);
      ratio = `${(r.higherIsBetter ? ours / best : best / ours).toFixed(2)}×`;
    }
    lines.push(`| ${r.workload} | ${r.unit} | ${cells.join(" | ")} | ${ratio} |`);
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
    "Reference figures for this machine class (TF.js, BLAS, the FMA peak) are in ../shared/ANCHORS.md.",
  );
  return lines.join("\n") + "\n";
}

await main();
