/**
 * The driver shared by the model benchmarks (bench/mlp.ts, bench/cnn.ts, bench/lstm.ts): one Keras-style model,
 * trained and run the way users run it, on Tensile (`native`, `native` with 1 thread, `cpu`) and TF.js (`cpu`,
 * `wasm` with its 1 thread under Node), each framework in its own child process (so peak RSS is its own), with the
 * same synthetic fixed-seed data and initial weights.
 *
 * In a child (`--only=<framework>`), after warm-up steps:
 *   - `trainOnBatch`: rounds of steps (each step reads its loss back, as trainOnBatch does), samples/s per round;
 *   - `fit`: rounds of `model.fit(x, y, {epochs, batchSize, shuffle: true, verbose: 0})` over 8 batches of samples;
 *   - `predict`: rounds of `model.predict(batch, {batchSize})` with the output read back;
 *   - Tensile `native` only: a profiled pass (`setKernelObserver`) of training steps and of predict batches.
 * Each phase runs rounds of about ROUND_MS until its time budget is spent (at least 2 rounds), so a slow framework
 * (TF.js `cpu` on the CNN: tens of seconds a step) times a few steps only. The driver runs the children `--repeats`
 * times, interleaved, and reports the median of all rounds (the machine may be shared: medians, and the spread),
 * the best round, and samples per CPU-second of the process (`process.cpuUsage`), which load distorts less.
 * OpenBLAS sgemm 1024³ timed from C (bench/sgemm-limit.c) in the same run is the GEMM limit for the efficiency column.
 *
 * Options: --only=<framework> (child mode: print one JSON line), --frameworks=a,b, --repeats=N, --quick (short
 * budgets), --write (replace this workload's section of bench/RESULTS.md, keeping the others).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chooseOpenBlasCore } from "../src/backend/native/addon.js";
import { median } from "./timing.js";

export type TN = typeof import("../src/node.js");
export type TF = typeof import("@tensorflow/tfjs");
type TnModel = ReturnType<TN["sequential"]>;
type TfModel = ReturnType<TF["sequential"]>;

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const QUICK = args.includes("--quick");
/** Child mode: time predict only, so the peak RSS is that of inference (compared with a TF.js that cannot train). */
const PREDICT_ONLY = args.includes("--predict-only");
/** Target length of one timed round. */
const ROUND_MS = QUICK ? 300 : 700;
/** Batches of distinct synthetic data, cycled by trainOnBatch and predict, concatenated for fit. */
const NBATCHES = 8;
/** Above this many ms per training step, fit is not timed (an epoch of 8 batches would take too long). */
const FIT_MAX_STEP_MS = 2500;

export const FRAMEWORKS = ["tensile-native", "tensile-native-1t", "tensile-cpu", "tfjs-cpu", "tfjs-wasm"] as const;
export type Framework = (typeof FRAMEWORKS)[number];
export const LABELS: Record<Framework, string> = {
  "tensile-native": "Tensile `native`",
  "tensile-native-1t": "Tensile `native`, 1 thread",
  "tensile-cpu": "Tensile `cpu`",
  "tfjs-cpu": "TF.js `cpu`",
  "tfjs-wasm": "TF.js `wasm`",
};

/** A target of issue 3: Tensile `native` at least `factor` × the other framework on a phase. */
export interface Target {
  phase: "train" | "predict";
  vs: Framework;
  factor: number;
}

export interface Workload {
  /** The script, relative to the repository root (bench/mlp.ts). */
  script: string;
  /** The RESULTS.md heading of this workload's section (without "## "). */
  heading: string;
  /** Older headings this section replaces. */
  legacyHeadings?: string[];
  /** The paragraph under the heading: the model, optimizer, loss, how each framework is driven. */
  description: string;
  batch: number;
  /** One sample's shape. */
  sampleShape: number[];
  classes: number;
  /** FLOPs per sample (multiply-adds × 2) of a training step and of inference, and how they were counted. */
  trainFlops: number;
  inferFlops: number;
  flopsNote: string;
  /** A compiled Tensile model (the weights are then overwritten with the shared initial weights). */
  buildTensile(tn: TN): TnModel;
  /** A compiled TF.js model with the same weights, in the same order. */
  buildTfjs(tf: TF): TfModel;
  targets: Target[];
  /** Fewer repeats for some frameworks (TF.js `cpu` on the CNN: about a minute per child). */
  maxRepeats?: Partial<Record<Framework, number>>;
  /** Time budget per phase, ms (default 6000 train, 5000 fit, 3000 predict). */
  budgets?: Partial<Record<"train" | "fit" | "predict", number>>;
}

// ---------------------------------------------------------------------------------------------------------------
// Synthetic data and weights, identical for every framework.

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Data {
  /** NBATCHES × one batch of inputs in [0, 1), flattened. */
  xs: Float32Array[];
  /** NBATCHES × one-hot labels [batch, classes]. */
  ys: Float32Array[];
}

function makeData(w: Workload): Data {
  const r = lcg(12345);
  const size = w.sampleShape.reduce((a, b) => a * b, 1);
  const xs: Float32Array[] = [];
  const ys: Float32Array[] = [];
  for (let b = 0; b < NBATCHES; b++) {
    const x = new Float32Array(w.batch * size);
    for (let i = 0; i < x.length; i++) x[i] = r();
    const y = new Float32Array(w.batch * w.classes);
    for (let i = 0; i < w.batch; i++) y[i * w.classes + Math.min(w.classes - 1, Math.floor(r() * w.classes))] = 1;
    xs.push(x);
    ys.push(y);
  }
  return { xs, ys };
}

/** Glorot-uniform values for each weight of rank ≥ 2 (fans as Keras counts them), zeros for biases. */
function makeWeights(shapes: number[][]): Float32Array[] {
  const r = lcg(777);
  return shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(n);
    if (shape.length < 2) return w;
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / (shape[shape.length - 2] * receptive + shape[shape.length - 1] * receptive));
    for (let i = 0; i < n; i++) w[i] = (2 * r() - 1) * limit;
    return w;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// One framework, in this process.

interface Runner {
  note: string;
  weightShapes: number[][];
  /** trainOnBatch on batch i; the loss. */
  train(i: number): number | Promise<number>;
  /** fit over the NBATCHES batches (shuffled), `epochs` epochs. */
  fit(epochs: number): Promise<void>;
  /** predict on batch i, read back. */
  predict(i: number): void;
  liveTensors(): number;
}

async function tensileRunner(w: Workload, backend: "native" | "cpu", threads: number | null, data: Data): Promise<{ runner: Runner; tn: TN }> {
  const tn = await import("../src/node.js");
  if (backend === "native" && !tn.backends().includes("native")) throw new Error("the native addon is not built (npm run build:native)");
  tn.setBackend(backend);
  if (threads !== null) tn.setThreads(threads);
  const shape = (rows: number) => [rows, ...w.sampleShape];
  const xs = data.xs.map((x) => tn.keep(tn.tensor(x, shape(w.batch))));
  const ys = data.ys.map((y) => tn.keep(tn.tensor(y, [w.batch, w.classes])));
  const xAll = tn.keep(tn.concat(xs, 0));
  const yAll = tn.keep(tn.concat(ys, 0));
  const model = w.buildTensile(tn);
  const weights = makeWeights(model.weights.map((v) => [...v.shape]));
  model.setWeights(weights.map((v, i) => tn.tensor(v, [...model.weights[i].shape])));
  const info = tn.backendInfo() as unknown as Record<string, unknown>;
  const note = backend === "native" ? `threads ${tn.getThreads()}, ${String(info.blas ?? "BLAS")}` : "TypeScript, 1 thread";
  return {
    tn,
    runner: {
      note,
      weightShapes: model.weights.map((v) => [...v.shape]),
      train: (i) => model.trainOnBatch(xs[i % NBATCHES], ys[i % NBATCHES]) as number,
      fit: async (epochs) => {
        await model.fit(xAll, yAll, { epochs, batchSize: w.batch, shuffle: true, verbose: 0 });
      },
      predict(i) {
        const p = model.predict(xs[i % NBATCHES], { batchSize: w.batch }) as import("../src/node.js").Tensor;
        p.dataSync();
        p.dispose();
      },
      liveTensors: () => tn.memory().numTensors,
    },
  };
}

/** TF.js with a backend, its Node greeting silenced (it suggests tfjs-node, which cannot be installed offline). */
export async function loadTfjs(backend: "cpu" | "wasm"): Promise<{ tf: TF; note: string }> {
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    const tf = await import("@tensorflow/tfjs");
    let note = `TF.js ${tf.version.tfjs}`;
    if (backend === "wasm") {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      const require = createRequire(import.meta.url);
      wasm.setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"))}/`);
    }
    await tf.setBackend(backend);
    await tf.ready();
    if (backend === "wasm") {
      const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
      const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
      note += `, SIMD ${simd ? "on" : "off"}, ${threads ? "threads on" : "1 thread"}`;
    }
    tf.tensor1d([1]).dispose();
    return { tf, note };
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

async function tfjsRunner(w: Workload, backend: "cpu" | "wasm", data: Data): Promise<Runner> {
  const { tf, note } = await loadTfjs(backend);
  const shape = (rows: number) => [rows, ...w.sampleShape];
  const xs = data.xs.map((x) => tf.tensor(x, shape(w.batch)));
  const ys = data.ys.map((y) => tf.tensor2d(y, [w.batch, w.classes]));
  const xAll = tf.concat(xs, 0);
  const yAll = tf.concat(ys, 0);
  const model = w.buildTfjs(tf);
  const shapes = model.weights.map((v) => v.shape.map((d) => d ?? 0));
  const weights = makeWeights(shapes);
  model.setWeights(weights.map((v, i) => tf.tensor(v, shapes[i])));
  return {
    note,
    weightShapes: shapes,
    train: async (i) => (await model.trainOnBatch(xs[i % NBATCHES], ys[i % NBATCHES])) as number,
    fit: async (epochs) => {
      await model.fit(xAll, yAll, { epochs, batchSize: w.batch, shuffle: true, verbose: 0 });
    },
    predict(i) {
      const p = model.predict(xs[i % NBATCHES], { batchSize: w.batch }) as import("@tensorflow/tfjs").Tensor;
      p.dataSync();
      p.dispose();
    },
    liveTensors: () => tf.memory().numTensors,
  };
}

/** Per-round samples/s, or why the phase did not run. */
/**
 * Per-round samples/s by the wall clock, and per CPU-second of this process (user + system, all its threads): on a
 * shared machine the wall figure mostly measures the scheduler's share, the CPU figure the work done.
 */
type Timed = { rounds: number[]; cpuRounds: number[]; unitsPerRound: number };
type Phase = Timed | { error: string } | { skipped: string };

export interface ProfileEntry {
  key: string;
  ms: number;
  calls: number;
}

export interface Profile {
  /** What was profiled (e.g. "10 trainOnBatch steps"). */
  what: string;
  steps: number;
  wallMs: number;
  kernelMs: number;
  kernelCalls: number;
  byPrim: ProfileEntry[];
  /** By primitive and input shapes, the heaviest first. */
  byShape: ProfileEntry[];
}

interface ChildResult {
  name: Framework;
  note: string;
  /** The weights' shapes, in order: the same initial values need the same list in every framework. */
  weightShapes: string;
  train: Phase;
  fit: Phase;
  predict: Phase;
  stepMsMedian: number;
  /** The losses of the first LOSS_STEPS training steps (the same batches in every framework). */
  losses: number[];
  maxRssMiB: number;
  leak?: string;
  profiles?: Profile[];
}

/** Losses of this many first steps are kept, to compare frameworks (the same weights and batches). */
const LOSS_STEPS = 5;

class PredictOnly extends Error {
  constructor() {
    super("predict-only run");
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 240);

/** Rounds of `perRound` calls of `fn` until `budgetMs` is spent (at least 2 rounds); samples/s per round. */
async function rounds(fn: (k: number) => unknown, perRound: number, samplesPerUnit: number, budgetMs: number): Promise<Timed> {
  const out: Timed = { rounds: [], cpuRounds: [], unitsPerRound: perRound };
  const end = performance.now() + budgetMs;
  let k = 0;
  while (out.rounds.length < 2 || performance.now() < end) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let j = 0; j < perRound; j++) await fn(k++);
    const cpu = process.cpuUsage(c0);
    const samples = perRound * samplesPerUnit;
    out.rounds.push(samples / ((performance.now() - t0) / 1000));
    out.cpuRounds.push(samples / ((cpu.user + cpu.system) / 1e6));
    if (out.rounds.length >= 50) break;
  }
  return out;
}

/** Profiles `calls` calls of `fn`; `steps` is how many steps (batches) they make, for the per-step figures. */
async function profile(what: string, calls: number, steps: number, fn: (k: number) => unknown): Promise<Profile> {
  const { setKernelObserver } = await import("../src/backend/dispatch.js");
  const byPrim = new Map<string, ProfileEntry>();
  const byShape = new Map<string, ProfileEntry>();
  let kernelMs = 0;
  let kernelCalls = 0;
  const bump = (m: Map<string, ProfileEntry>, key: string, ms: number): void => {
    const e = m.get(key) ?? { key, ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    m.set(key, e);
  };
  setKernelObserver((prim, backend, ms, inputs) => {
    kernelMs += ms;
    kernelCalls++;
    const key = backend === "native" ? prim : `${prim} (${backend})`;
    bump(byPrim, key, ms);
    bump(byShape, `${key} ${inputs.map((t) => `[${t.shape.join(",")}]`).join("·")}`, ms);
  });
  const t0 = performance.now();
  try {
    for (let k = 0; k < calls; k++) await fn(k);
  } finally {
    setKernelObserver(null);
  }
  const wallMs = performance.now() - t0;
  const desc = (a: ProfileEntry, b: ProfileEntry) => b.ms - a.ms;
  return { what, steps, wallMs, kernelMs, kernelCalls, byPrim: [...byPrim.values()].sort(desc), byShape: [...byShape.values()].sort(desc).slice(0, 12) };
}

async function runChild(w: Workload, name: Framework): Promise<ChildResult> {
  const data = makeData(w);
  let runner: Runner;
  let tn: TN | null = null;
  if (name.startsWith("tensile")) {
    const t = await tensileRunner(w, name === "tensile-cpu" ? "cpu" : "native", name === "tensile-native-1t" ? 1 : null, data);
    runner = t.runner;
    tn = t.tn;
  } else {
    runner = await tfjsRunner(w, name === "tfjs-wasm" ? "wasm" : "cpu", data);
  }
  const budget = { train: 6000, fit: 5000, predict: 3000, ...w.budgets };
  const scale = QUICK ? 0.3 : 1;
  const result: ChildResult = {
    name,
    note: runner.note,
    weightShapes: runner.weightShapes.map((s) => `[${s.join(",")}]`).join(" "),
    train: { skipped: "" },
    fit: { skipped: "" },
    predict: { skipped: "" },
    stepMsMedian: NaN,
    losses: [],
    maxRssMiB: 0,
  };
  const record = (step: number, loss: number): void => {
    if (step < LOSS_STEPS) result.losses[step] = loss;
  };
  const leaks: string[] = [];
  const checkLeak = async (phase: string, fn: () => Promise<void>): Promise<void> => {
    const before = runner.liveTensors();
    await fn();
    const after = runner.liveTensors();
    if (after !== before) leaks.push(`${phase}: live tensors ${before} → ${after}`);
  };

  // Training: warm-up steps (1 when a step is slow), then rounds of trainOnBatch.
  let stepMs = NaN;
  let trained = false;
  try {
    if (PREDICT_ONLY) throw new PredictOnly();
    let step = 0;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      record(step, await runner.train(step));
      step++;
      stepMs = performance.now() - t0;
      if (stepMs > 2000) break;
    }
    const perRound = Math.max(1, Math.round(ROUND_MS / stepMs));
    const times: number[] = [];
    await checkLeak("trainOnBatch", async () => {
      result.train = await rounds(
        async () => {
          const t0 = performance.now();
          const k = step++;
          record(k, await runner.train(k));
          times.push(performance.now() - t0);
        },
        perRound,
        w.batch,
        budget.train * scale,
      );
    });
    result.stepMsMedian = median(times);
    stepMs = result.stepMsMedian;
    trained = true;
  } catch (e) {
    result.train = e instanceof PredictOnly ? { skipped: e.message } : { error: errorText(e) };
  }

  // fit: one warm-up epoch, then rounds of fit calls of `epochs` epochs each.
  if (PREDICT_ONLY) result.fit = { skipped: "predict-only run" };
  else if (!trained) result.fit = { skipped: "cannot train" };
  else if (stepMs > FIT_MAX_STEP_MS) result.fit = { skipped: `not timed: ${(stepMs / 1000).toFixed(1)} s per step (trainOnBatch only)` };
  else {
    try {
      await runner.fit(1);
      const epochs = Math.max(1, Math.round(ROUND_MS / (stepMs * NBATCHES)));
      await checkLeak("fit", async () => {
        result.fit = await rounds(() => runner.fit(epochs), 1, epochs * NBATCHES * w.batch, budget.fit * scale);
        result.fit.unitsPerRound = epochs;
      });
    } catch (e) {
      result.fit = { error: errorText(e) };
    }
  }

  // predict: two warm-up batches, then rounds.
  try {
    runner.predict(0);
    const t0 = performance.now();
    runner.predict(1);
    const perRound = Math.max(1, Math.round(ROUND_MS / (performance.now() - t0)));
    await checkLeak("predict", async () => {
      result.predict = await rounds((k) => runner.predict(k), perRound, w.batch, budget.predict * scale);
    });
  } catch (e) {
    result.predict = { error: errorText(e) };
  }

  // Peak RSS of the timed workload, read before the profiled passes that only Tensile `native` makes (their records
  // of every kernel call would be charged to it otherwise).
  result.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  if (name === "tensile-native" && tn !== null && !PREDICT_ONLY) {
    result.profiles = [];
    if (trained) {
      const steps = Math.max(10, Math.min(50, Math.round(1500 / stepMs)));
      result.profiles.push(await profile(`${steps} trainOnBatch steps`, steps, steps, (k) => runner.train(k)));
    }
    if ("rounds" in result.fit) {
      const epochs = result.fit.unitsPerRound;
      result.profiles.push(await profile(`one fit call of ${epochs} epoch${epochs > 1 ? "s" : ""} (${epochs * NBATCHES} batches)`, 1, epochs * NBATCHES, () => runner.fit(epochs)));
    }
    if ("rounds" in result.predict) {
      const n = Math.max(10, Math.min(100, result.predict.unitsPerRound * 2));
      result.profiles.push(await profile(`${n} predict batches`, n, n, (k) => runner.predict(k)));
    }
  }
  if (leaks.length > 0) result.leak = leaks.join("; ");
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// The GEMM limit: OpenBLAS sgemm 1024³ from C, built as bench/run.ts builds it.

interface Limit {
  gflops: number[];
  note: string;
}

function buildLimit(): string | { error: string } {
  const outDir = resolve(HERE, "build");
  const exe = resolve(outDir, "sgemm-limit");
  mkdirSync(outDir, { recursive: true });
  const pc = spawnSync("pkg-config", ["--cflags", "--libs", "openblas"], { encoding: "utf8" });
  const flags = pc.status === 0 ? pc.stdout.trim().split(/\s+/).filter(Boolean) : ["-lopenblas"];
  const cc = spawnSync("gcc", ["-O2", resolve(HERE, "sgemm-limit.c"), "-o", exe, ...flags], { encoding: "utf8" });
  if (cc.status !== 0) return { error: `gcc -O2 bench/sgemm-limit.c ${flags.join(" ")} failed: ${(cc.stderr || cc.error?.message || "").split("\n")[0]}` };
  return exe;
}

/** The C limit runs OpenBLAS with the kernels Tensile `native` picks (chooseOpenBlasCore), so they compare like with like. */
function limitEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  chooseOpenBlasCore(env, () => (existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : ""));
  return env;
}

function runLimit(exe: string, n: number): number | null {
  const run = spawnSync(exe, [String(n)], { encoding: "utf8", env: limitEnv() });
  const [size, ms] = run.stdout.trim().split(/\s+/).map(Number);
  return size === n && Number.isFinite(ms) && ms > 0 ? (2 * n ** 3) / (ms * 1e6) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Driver.

interface Aggregate {
  name: Framework;
  note: string;
  weightShapes: string;
  runs: number;
  train: PhaseSummary;
  fit: PhaseSummary;
  predict: PhaseSummary;
  stepMsMedian: number;
  losses: number[];
  maxRssMiB: number;
  leak?: string;
  profiles?: Profile[];
}

/** The median of all rounds over all runs (wall clock and per CPU-second), with the spread; or why there is none. */
type PhaseSummary = { median: number; min: number; max: number; cpuMedian: number; rounds: number; runs: number } | { why: string };

function summarize(phases: Phase[]): PhaseSummary {
  const ok = phases.filter((p): p is Timed => "rounds" in p);
  if (ok.length === 0) {
    const p = phases[0];
    return { why: p === undefined ? "not run" : "error" in p ? p.error : "skipped" in p ? p.skipped : "not run" };
  }
  const all = ok.flatMap((p) => p.rounds);
  const cpu = ok.flatMap((p) => p.cpuRounds);
  return { median: median(all), min: Math.min(...all), max: Math.max(...all), cpuMedian: median(cpu), rounds: all.length, runs: ok.length };
}

const fmt = (v: number, digits = 3): string => {
  if (!Number.isFinite(v)) return "n/a";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return v.toPrecision(digits);
};
type Stat = "median" | "max" | "cpuMedian";
const valueOf = (p: PhaseSummary, stat: Stat = "median"): number => ("median" in p ? p[stat] : NaN);
const ratioText = (r: number): string => (r >= 100 ? r.toFixed(0) : r.toFixed(2)) + "×";

function cell(p: PhaseSummary, notes: string[], stat: Stat = "median"): string {
  if ("median" in p) return fmt(p[stat]);
  if (!notes.includes(p.why)) notes.push(p.why);
  return `n/a [${notes.indexOf(p.why) + 1}]`;
}

function render(
  w: Workload,
  results: Aggregate[],
  failures: string[],
  limit: Limit,
  meta: { seconds: number; repeats: number; load: [number, number]; predictOnlyRss: number[] },
): string {
  const cpus = os.cpus();
  const notes: string[] = [];
  const lines: string[] = [];
  const limitGflops = limit.gflops.length > 0 ? median(limit.gflops) : NaN;
  const tfVersion = results.find((r) => r.note.startsWith("TF.js"))?.note.split(",")[0] ?? "TF.js";
  const options = args.filter((a) => a !== "--write");
  lines.push(`## ${w.heading}`, "", w.description, "");
  lines.push(`- command: \`npx tsx ${w.script} --write${options.length > 0 ? ` ${options.join(" ")}` : ""}\` (${w.script} with bench/models-common.ts), ${Math.round(meta.seconds)} s in all`);
  lines.push(`- date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`);
  lines.push(`- machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}; Node ${process.version}; ${tfVersion}`);
  lines.push(
    `- **shared, noisy machine** (load average ${meta.load[0].toFixed(1)} at the start, ${meta.load[1].toFixed(1)} at the end, on ${cpus.length} cores): each framework ran in up to ${meta.repeats} child processes ` +
      `(interleaved with the others), each timing rounds of ≈ ${ROUND_MS} ms until its budget was spent; figures are the **median of all rounds**. ` +
      "Under load the wall-clock figure mostly measures the scheduler's share, so two more figures are given: the best round (closest to an idle machine), " +
      "and samples per CPU-second of the process (user + system time of all its threads: for one-thread runs it approximates idle-machine throughput; " +
      "for multi-thread runs it is lower than wall throughput on an idle machine, and counts time spent spinning)",
  );
  lines.push(`- each framework in its own child process (\`--only=<name>\`), so peak RSS (\`process.resourceUsage().maxRSS\` after the timed phases, before Tensile \`native\`'s profiled passes; median over its runs) is its own (it includes Node, tsx and the library)`);
  if (meta.predictOnlyRss.length > 0) {
    lines.push(
      `- a TF.js backend that cannot train runs inference only, so its peak RSS is compared with Tensile \`native\` running inference only (\`--only=tensile-native --predict-only\`, ${meta.predictOnlyRss.length} runs: ${meta.predictOnlyRss.map((r) => Math.round(r)).join(", ")} MiB)`,
    );
  }
  lines.push(`- FLOPs per sample: ${(w.trainFlops / 1e6).toFixed(2)} M training, ${(w.inferFlops / 1e6).toFixed(2)} M inference (${w.flopsNote})`);
  lines.push(
    Number.isFinite(limitGflops)
      ? `- GEMM limit: OpenBLAS sgemm 1024³ from C (bench/sgemm-limit.c, all cores) in this run: ${fmt(limitGflops)} GFLOP/s (median of ${limit.gflops.length}: ${limit.gflops.map((g) => fmt(g)).join(", ")}; OpenBLAS kernels: ${limitEnv().OPENBLAS_CORETYPE ?? "OpenBLAS's own choice"}, as Tensile \`native\` uses)`
      : `- GEMM limit: not measured (${limit.note})`,
  );
  const shapeLists = [...new Set(results.map((r) => r.weightShapes))];
  lines.push(
    shapeLists.length === 1
      ? `- initial weights: the same values in every framework (weights ${shapeLists[0]})`
      : `- **initial weights differ**: the frameworks' weight lists differ (${results.map((r) => `${LABELS[r.name]}: ${r.weightShapes}`).join("; ")})`,
  );
  lines.push("");
  lines.push(
    "| framework | fit samples/s | trainOnBatch samples/s | best round | per CPU-s | ms/step | train GFLOP/s | vs GEMM limit | predict samples/s | best round | per CPU-s | predict GFLOP/s | vs GEMM limit | peak RSS MiB | loss, steps 1 → 5 | notes |",
  );
  lines.push("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
  for (const r of results) {
    const bestTrain = Math.max(valueOf(r.fit), valueOf(r.train));
    const trainG = Number.isFinite(bestTrain) ? (bestTrain * w.trainFlops) / 1e9 : NaN;
    const predG = (valueOf(r.predict) * w.inferFlops) / 1e9;
    const pct = (g: number) => (Number.isFinite(g) && Number.isFinite(limitGflops) ? `${((100 * g) / limitGflops).toFixed(1)}%` : "–");
    const l = r.losses.filter((v) => typeof v === "number");
    const loss = l.length > 0 ? `${l[0].toFixed(4)} → ${l[l.length - 1].toFixed(4)} (step ${l.length})` : "–";
    lines.push(
      `| ${LABELS[r.name]} | ${cell(r.fit, notes)} | ${cell(r.train, notes)} | ${cell(r.train, notes, "max")} | ${cell(r.train, notes, "cpuMedian")} | ${fmt(r.stepMsMedian)} | ${fmt(trainG)} | ${pct(trainG)} | ` +
        `${cell(r.predict, notes)} | ${cell(r.predict, notes, "max")} | ${cell(r.predict, notes, "cpuMedian")} | ${fmt(predG)} | ${pct(predG)} | ` +
        `${Math.round(r.maxRssMiB)} | ${loss} | ${r.runs} run${r.runs > 1 ? "s" : ""}; ${r.note}${r.leak ? `; LEAK: ${r.leak}` : ""} |`,
    );
  }
  if (notes.length > 0) lines.push("", ...notes.map((n, i) => `[${i + 1}] ${n}`));
  if (failures.length > 0) lines.push("", "Child runs that failed (not in the figures):", "", ...failures.map((f) => `- ${f}`));
  lines.push(
    "",
    "samples/s columns are medians of the wall-clock rounds; \"best round\" and \"per CPU-s\" are for trainOnBatch and predict. " +
      "train GFLOP/s uses the better median of fit and trainOnBatch. The loss column shows the first steps' losses, " +
      "the same batches and weights everywhere: equal first losses show the frameworks compute the same model.",
  );

  // Targets.
  const native = results.find((r) => r.name === "tensile-native");
  if (native !== undefined && w.targets.length > 0) {
    lines.push(
      "",
      "Targets of issue 3: Tensile `native` / the other framework on the medians, fit with fit and trainOnBatch with trainOnBatch " +
        "(met when every available comparison reaches the factor); then the same on the best rounds and per CPU-second (trainOnBatch, predict), " +
        "as an estimate of an idle machine. The per-CPU-second ratio charges Tensile `native` for both of its threads.",
      "",
    );
    lines.push("| target | medians | met? | best rounds | per CPU-second | Tensile `native`, 1 thread, per CPU-second |", "|---|--:|---|--:|--:|--:|");
    const oneThread = results.find((r) => r.name === "tensile-native-1t");
    for (const t of w.targets) {
      const other = results.find((r) => r.name === t.vs);
      const label = `${t.phase === "train" ? "training" : "inference"} ≥ ${t.factor}× ${LABELS[t.vs]}`;
      if (other === undefined) {
        lines.push(`| ${label} | not measured | | | | |`);
        continue;
      }
      const key = t.phase === "train" ? "train" : "predict";
      if (t.phase === "train" && "why" in other.train) {
        lines.push(`| ${label} | n/a: ${LABELS[t.vs]} cannot train it (${other.train.why}) | met trivially | | | |`);
        continue;
      }
      const pairs: [string, number, number][] =
        t.phase === "predict"
          ? [["predict", valueOf(native.predict), valueOf(other.predict)]]
          : [
              ["fit", valueOf(native.fit), valueOf(other.fit)],
              ["trainOnBatch", valueOf(native.train), valueOf(other.train)],
            ];
      const ok = pairs.filter(([, a, b]) => Number.isFinite(a) && Number.isFinite(b) && b > 0);
      let measured = "n/a (a figure is missing)";
      let met = "not measured";
      if (ok.length > 0) {
        const ratios = ok.map(([, a, b]) => a / b);
        measured = ok.map(([how, a, b], k) => `${how} ${ratioText(ratios[k])} (${fmt(a)} vs ${fmt(b)})`).join("; ");
        const low = Math.min(...ratios);
        met = low >= t.factor ? "**yes**" : Math.max(...ratios) >= t.factor ? "**partly**" : low >= t.factor * 0.85 ? "**no** (within the ~15% noise band)" : "**no**";
      }
      const ratioOf = (a: Aggregate | undefined, stat: Stat): string => {
        const x = a === undefined ? NaN : valueOf(a[key], stat);
        const y = valueOf(other[key], stat);
        return Number.isFinite(x) && Number.isFinite(y) && y > 0 ? `${ratioText(x / y)} (${fmt(x)} vs ${fmt(y)})` : "n/a";
      };
      lines.push(`| ${label} | ${measured} | ${met} | ${ratioOf(native, "max")} | ${ratioOf(native, "cpuMedian")} | ${ratioOf(oneThread, "cpuMedian")} |`);
    }
    const tf = results.filter((r) => r.name.startsWith("tfjs"));
    if (tf.length > 0) {
      // Each TF.js run against Tensile `native` on the same workload: a TF.js that cannot train ran inference only.
      const inferenceRss = meta.predictOnlyRss.length > 0 ? median(meta.predictOnlyRss) : NaN;
      const pairs = tf.map((r) => {
        const trains = !("why" in r.train);
        const ours = trains ? native.maxRssMiB : inferenceRss;
        return { ok: ours <= r.maxRssMiB, text: `${trains ? "training run" : "inference only"}: ${Number.isFinite(ours) ? Math.round(ours) : "n/a"} vs ${LABELS[r.name]} ${Math.round(r.maxRssMiB)}` };
      });
      const met = pairs.every((p) => p.ok) ? "**yes**" : pairs.some((p) => p.ok) ? "**partly**" : "**no**";
      lines.push(`| peak RSS ≤ TF.js's, same workload | ${pairs.map((p) => p.text).join("; ")} MiB | ${met} | | | |`);
    }
  }

  // Spread.
  lines.push("", "Spread (min–max over all timed wall-clock rounds, samples/s; rounds, child runs):", "");
  for (const r of results) {
    const parts = (["fit", "train", "predict"] as const).flatMap((k) => {
      const p = r[k];
      return "median" in p ? [`${k === "train" ? "trainOnBatch" : k} ${fmt(p.min)}–${fmt(p.max)} (${p.rounds} rounds, ${p.runs} run${p.runs > 1 ? "s" : ""})`] : [];
    });
    lines.push(`- ${LABELS[r.name]}: ${parts.join("; ") || "–"}`);
  }

  // Profiles.
  for (const p of native?.profiles ?? []) {
    const outside = p.wallMs - p.kernelMs;
    lines.push(
      "",
      `Tensile \`native\` per-primitive profile, ${p.what} (a separate pass with \`setKernelObserver\` from src/backend/dispatch.ts; wall ${p.wallMs.toFixed(1)} ms = ${(p.wallMs / p.steps).toFixed(2)} ms per batch, ` +
        `${p.kernelCalls} kernel calls = ${(p.kernelCalls / p.steps).toFixed(0)} per batch). Inside kernels: ${p.kernelMs.toFixed(1)} ms (${((100 * p.kernelMs) / p.wallMs).toFixed(1)}%); ` +
        `outside kernels (dispatch, tape, autograd, tidy, model and optimizer code): ${outside.toFixed(1)} ms (${((100 * outside) / p.wallMs).toFixed(1)}%).`,
      "",
      "| primitive | total ms | % of wall | calls | µs/call |",
      "|---|--:|--:|--:|--:|",
    );
    for (const e of p.byPrim.slice(0, 12)) lines.push(`| ${e.key} | ${e.ms.toFixed(2)} | ${((100 * e.ms) / p.wallMs).toFixed(1)} | ${e.calls} | ${((1000 * e.ms) / e.calls).toFixed(1)} |`);
    const rest = p.byPrim.slice(12);
    if (rest.length > 0) {
      const ms = rest.reduce((s, e) => s + e.ms, 0);
      const calls = rest.reduce((s, e) => s + e.calls, 0);
      lines.push(`| ${rest.length} others (${rest.map((e) => e.key).join(", ")}) | ${ms.toFixed(2)} | ${((100 * ms) / p.wallMs).toFixed(1)} | ${calls} | ${((1000 * ms) / calls).toFixed(1)} |`);
    }
    lines.push(`| (outside kernels) | ${outside.toFixed(2)} | ${((100 * outside) / p.wallMs).toFixed(1)} | | |`);
    lines.push("", "Heaviest kernel calls by primitive and input shapes (transpose flags are not visible to the observer):", "");
    for (const e of p.byShape.slice(0, 8)) lines.push(`- ${e.key}: ${e.ms.toFixed(2)} ms over ${e.calls} calls (${((1000 * e.ms) / e.calls).toFixed(0)} µs/call)`);
  }
  return lines.join("\n") + "\n";
}

/** Replaces the section under `heading` (or a legacy heading) in bench/RESULTS.md, or appends it. */
function writeSection(w: Workload, md: string): string {
  const path = resolve(HERE, "RESULTS.md");
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n";
  for (const h of [w.heading, ...(w.legacyHeadings ?? [])]) {
    const at = current.indexOf(`\n## ${h}\n`);
    if (at < 0) continue;
    const next = current.indexOf("\n## ", at + 1);
    const rest = next < 0 ? "" : current.slice(next);
    writeFileSync(path, `${current.slice(0, at + 1)}${md}${rest}`);
    return path;
  }
  writeFileSync(path, `${current.trimEnd()}\n\n${md}`);
  return path;
}

const RESULT_MARK = "@@model-bench-result ";

/** Runs the benchmark of `w`: a child (`--only=`) or the driver. */
export async function runWorkload(w: Workload): Promise<void> {
  const only = option("only");
  if (only !== undefined) {
    if (!(FRAMEWORKS as readonly string[]).includes(only)) throw new Error(`--only must be one of ${FRAMEWORKS.join(", ")}`);
    const r = await runChild(w, only as Framework);
    process.stdout.write(RESULT_MARK + JSON.stringify(r) + "\n");
    return;
  }
  const started = performance.now();
  const load0 = os.loadavg()[0];
  const repeats = Number(option("repeats") ?? 3);
  const names = (option("frameworks")?.split(",") ?? [...FRAMEWORKS]) as Framework[];
  for (const n of names) if (!(FRAMEWORKS as readonly string[]).includes(n)) throw new Error(`--frameworks: unknown ${n} (one of ${FRAMEWORKS.join(", ")})`);
  const tsx = resolve(HERE, "../node_modules/.bin/tsx");
  const script = resolve(HERE, "..", w.script);
  const exe = buildLimit();
  const limit: Limit = { gflops: [], note: typeof exe === "string" ? "" : exe.error };
  const byName = new Map<Framework, ChildResult[]>();
  const failures: string[] = [];
  const runChildProcess = (name: Framework, rep: number, extra: string[]): ChildResult | null => {
    const t0 = performance.now();
    const child = spawnSync(
      existsSync(tsx) ? tsx : "npx",
      [...(existsSync(tsx) ? [] : ["tsx"]), script, `--only=${name}`, ...(QUICK ? ["--quick"] : []), ...extra],
      { encoding: "utf8", maxBuffer: 64 * 2 ** 20, timeout: 600_000 },
    );
    const line = child.stdout?.split("\n").find((l) => l.startsWith(RESULT_MARK));
    if (child.status !== 0 || line === undefined) {
      const out = (child.stderr || child.stdout || child.error?.message || "").trim().split("\n");
      const why = out.find((l) => /\b\w*Error\b/.test(l))?.trim() ?? out.slice(-3).join(" / ");
      process.stderr.write(`failed: ${why}\n`);
      failures.push(`${LABELS[name]}${extra.length > 0 ? ` ${extra.join(" ")}` : ""}, run ${rep + 1}: ${why.slice(0, 200)}`);
      return null;
    }
    const r = JSON.parse(line.slice(RESULT_MARK.length)) as ChildResult;
    const show = (p: Phase) => ("rounds" in p ? fmt(median(p.rounds)) : "n/a");
    process.stderr.write(
      `fit ${show(r.fit)}, trainOnBatch ${show(r.train)}, predict ${show(r.predict)} samples/s, RSS ${Math.round(r.maxRssMiB)} MiB (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
    );
    return r;
  };
  for (let rep = 0; rep < repeats; rep++) {
    if (typeof exe === "string") {
      const g = runLimit(exe, 1024);
      if (g !== null) limit.gflops.push(g);
      process.stderr.write(`[run ${rep + 1}/${repeats}] sgemm 1024³ limit: ${g === null ? "failed" : `${fmt(g)} GFLOP/s`}\n`);
    }
    for (const name of names) {
      if (rep >= (w.maxRepeats?.[name] ?? repeats)) continue;
      process.stderr.write(`[run ${rep + 1}/${repeats}] ${LABELS[name]} … `);
      const r = runChildProcess(name, rep, []);
      if (r !== null) byName.set(name, [...(byName.get(name) ?? []), r]);
    }
  }
  // A TF.js backend that cannot train ran inference only: its peak RSS is compared with Tensile `native` running
  // inference only, the same workload.
  const inferenceOnly = names.filter((n) => n.startsWith("tfjs") && (byName.get(n) ?? []).some((r) => "error" in r.train));
  const predictOnlyRss: number[] = [];
  if (inferenceOnly.length > 0 && names.includes("tensile-native")) {
    const runs = Math.max(...inferenceOnly.map((n) => byName.get(n)?.length ?? 0));
    for (let rep = 0; rep < runs; rep++) {
      process.stderr.write(`[run ${rep + 1}/${runs}] ${LABELS["tensile-native"]}, predict only … `);
      const r = runChildProcess("tensile-native", rep, ["--predict-only"]);
      if (r !== null) predictOnlyRss.push(r.maxRssMiB);
    }
  }
  const results: Aggregate[] = [];
  for (const name of names) {
    const rs = byName.get(name);
    if (rs === undefined) continue;
    results.push({
      name,
      note: rs[0].note,
      weightShapes: rs[0].weightShapes,
      runs: rs.length,
      train: summarize(rs.map((r) => r.train)),
      fit: summarize(rs.map((r) => r.fit)),
      predict: summarize(rs.map((r) => r.predict)),
      stepMsMedian: median(rs.map((r) => r.stepMsMedian)),
      losses: rs[0].losses,
      maxRssMiB: median(rs.map((r) => r.maxRssMiB)),
      leak: rs.map((r) => r.leak).find((l) => l !== undefined),
      profiles: rs.find((r) => r.profiles !== undefined)?.profiles,
    });
  }
  const md = render(w, results, failures, limit, { seconds: (performance.now() - started) / 1000, repeats, load: [load0, os.loadavg()[0]], predictOnlyRss });
  process.stdout.write("\n" + md);
  if (args.includes("--write")) process.stderr.write(`wrote ${relative(process.cwd(), writeSection(w, md))}\n`);
}
