/**
 * `npx tsx bench/mlp.ts`: the MNIST MLP (784 → 512 relu → 10 softmax, batch 128, RMSprop lr 0.001, rho 0.9,
 * eps 1e-7 as Keras) trained on Tensile `native` and `cpu` with raw ops (no layers or optimizers exist yet: a
 * `GradientTape`, `matMul`, `relu`, `softmaxCrossEntropy`, and the RMSprop update written with ops and
 * `Variable.assign` inside `tidy`), next to TF.js `cpu` and `wasm` running what users run there (`tf.sequential`,
 * `model.trainOnBatch` with `tf.train.rmsprop`).
 *
 * Data is SYNTHETIC: fixed-seed pseudo-random inputs in [0, 1) and random labels (8 batches of 128, cycled), with the
 * same Glorot-uniform initial weights for every framework, so the first losses can be compared across frameworks.
 *
 *   - training: samples/s over 30 steps after 5 warm-up steps (each step reads its loss back, as trainOnBatch does)
 *   - inference: samples/s of the forward pass (softmax output read back) on batches of 128
 *   - achieved GFLOP/s (≈1.64 MFLOP/sample for training, ≈0.81 for inference)
 *   - process peak RSS: each framework runs in its own child process (`--only=<name>`), since RSS is per process
 *   - Tensile `native`: total ms per primitive over the timed steps (a separate, profiled pass with
 *     setKernelObserver), top 10, and the share of step time spent outside kernels
 *
 * Options: --only=tensile-native|tensile-cpu|tfjs-cpu|tfjs-wasm (run one, in this process, print JSON);
 * --steps=30 --warmup=5; --write (append or replace the section in bench/RESULTS.md).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./timing.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const STEPS = Number(option("steps") ?? 30);
const WARMUP = Number(option("warmup") ?? 5);
const BATCH = 128;
const IN = 784;
const HIDDEN = 512;
const OUT = 10;
const NBATCHES = 8;
const LR = 0.001;
const RHO = 0.9;
const EPS = 1e-7;
/** Multiply-adds × 2: forward (2 matMuls), dW for both layers, dX for the second layer only. */
const TRAIN_FLOPS = 2 * (2 * (IN * HIDDEN + HIDDEN * OUT) + HIDDEN * OUT);
const INFER_FLOPS = 2 * (IN * HIDDEN + HIDDEN * OUT);
const NAMES = ["tensile-native", "tensile-cpu", "tfjs-cpu", "tfjs-wasm"] as const;
type Name = (typeof NAMES)[number];
const LABELS: Record<Name, string> = {
  "tensile-native": "Tensile `native`",
  "tensile-cpu": "Tensile `cpu`",
  "tfjs-cpu": "TF.js `cpu`",
  "tfjs-wasm": "TF.js `wasm`",
};
const RESULT_MARK = "@@mlp-result ";

// ---------------------------------------------------------------------------------------------------------------
// Synthetic data and initial weights, identical for every framework.

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Data {
  xs: Float32Array[]; // NBATCHES × [BATCH, IN] in [0, 1)
  ys: Float32Array[]; // NBATCHES × one-hot [BATCH, OUT]
  w1: Float32Array;
  w2: Float32Array;
}

function makeData(): Data {
  const r = lcg(12345);
  const xs: Float32Array[] = [];
  const ys: Float32Array[] = [];
  for (let b = 0; b < NBATCHES; b++) {
    const x = new Float32Array(BATCH * IN);
    for (let i = 0; i < x.length; i++) x[i] = r();
    const y = new Float32Array(BATCH * OUT);
    for (let i = 0; i < BATCH; i++) y[i * OUT + Math.min(OUT - 1, Math.floor(r() * OUT))] = 1;
    xs.push(x);
    ys.push(y);
  }
  const glorot = (fanIn: number, fanOut: number): Float32Array => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * r() - 1) * limit;
    return w;
  };
  return { xs, ys, w1: glorot(IN, HIDDEN), w2: glorot(HIDDEN, OUT) };
}

// ---------------------------------------------------------------------------------------------------------------
// One framework, run in this process.

interface Profile {
  /** Wall ms of the profiled steps. */
  wallMs: number;
  kernelMs: number;
  kernelCalls: number;
  byPrim: { prim: string; ms: number; calls: number }[];
  byMatMul: { shapes: string; ms: number; calls: number }[];
}

interface Result {
  name: Name;
  trainMsPerStep: number;
  trainSamplesPerSec: number;
  trainMedianStepMs: number;
  inferSamplesPerSec: number;
  firstLoss: number;
  lastLoss: number;
  maxRssMiB: number;
  note: string;
  profile?: Profile;
  leak?: string;
}

interface Runner {
  /** One training step on batch `i`; returns the loss. */
  step(i: number): number;
  /** Forward pass on batch `i`; reads the predictions back. */
  predict(i: number): void;
  note: string;
}

async function tensileRunner(backend: "native" | "cpu", data: Data): Promise<{ runner: Runner; tn: typeof import("../src/node.js") }> {
  const tn = await import("../src/node.js");
  if (backend === "native" && !tn.backends().includes("native")) throw new Error("the native addon is not built (npm run build:native)");
  tn.setBackend(backend);
  const xs = data.xs.map((x) => tn.keep(tn.tensor(x, [BATCH, IN])));
  const ys = data.ys.map((y) => tn.keep(tn.tensor(y, [BATCH, OUT])));
  const w1 = tn.variable(tn.tensor(data.w1, [IN, HIDDEN]), { name: "w1" });
  const b1 = tn.variable(tn.zeros([HIDDEN]), { name: "b1" });
  const w2 = tn.variable(tn.tensor(data.w2, [HIDDEN, OUT]), { name: "w2" });
  const b2 = tn.variable(tn.zeros([OUT]), { name: "b2" });
  const params = [w1, b1, w2, b2];
  const ms = params.map((p, i) => tn.variable(tn.zerosLike(p), { name: `ms${i}`, trainable: false }));
  const forward = (x: import("../src/node.js").Tensor) => tn.add(tn.matMul(tn.relu(tn.add(tn.matMul(x, w1), b1)), w2), b2);
  const info = tn.backendInfo();
  const note =
    backend === "native"
      ? `threads ${tn.getThreads()}, ${String((info as unknown as Record<string, unknown>).blas ?? "BLAS")}`
      : "TypeScript, 1 thread";
  return {
    tn,
    runner: {
      note,
      step(i) {
        return tn.tidy(() => {
          const tape = new tn.GradientTape();
          const logits = forward(xs[i % NBATCHES]);
          const loss = tn.softmaxCrossEntropy(ys[i % NBATCHES], logits); // mean over the batch
          const grads = tape.gradient(loss, params);
          for (let k = 0; k < params.length; k++) {
            const g = grads[k];
            // Keras RMSprop: ms = rho·ms + (1 - rho)·g²; p -= lr·g / (sqrt(ms) + eps)
            const m = tn.add(tn.mul(ms[k], RHO), tn.mul(tn.square(g), 1 - RHO));
            ms[k].assign(m);
            params[k].assign(tn.sub(params[k], tn.div(tn.mul(g, LR), tn.add(tn.sqrt(m), EPS))));
          }
          return loss.dataSync()[0];
        });
      },
      predict(i) {
        tn.tidy(() => {
          tn.softmax(forward(xs[i % NBATCHES])).dataSync();
        });
      },
    },
  };
}

async function loadTfjs(backend: "cpu" | "wasm") {
  // TF.js greets Node users on import (and suggests tfjs-node, which cannot be installed offline): keep it quiet.
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

async function tfjsRunner(backend: "cpu" | "wasm", data: Data): Promise<{ runner: Runner; asyncStep: (i: number) => Promise<number>; tf: typeof import("@tensorflow/tfjs") }> {
  const { tf, note } = await loadTfjs(backend);
  const xs = data.xs.map((x) => tf.tensor2d(x, [BATCH, IN]));
  const ys = data.ys.map((y) => tf.tensor2d(y, [BATCH, OUT]));
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: HIDDEN, activation: "relu", inputShape: [IN] }),
      tf.layers.dense({ units: OUT, activation: "softmax" }),
    ],
  });
  model.setWeights([tf.tensor2d(data.w1, [IN, HIDDEN]), tf.zeros([HIDDEN]), tf.tensor2d(data.w2, [HIDDEN, OUT]), tf.zeros([OUT])]);
  model.compile({ optimizer: tf.train.rmsprop(LR, RHO, 0, EPS), loss: "categoricalCrossentropy" });
  return {
    tf,
    asyncStep: async (i) => (await model.trainOnBatch(xs[i % NBATCHES], ys[i % NBATCHES])) as number,
    runner: {
      note,
      step() {
        throw new Error("use asyncStep");
      },
      predict(i) {
        const p = model.predict(xs[i % NBATCHES], { batchSize: BATCH }) as import("@tensorflow/tfjs").Tensor;
        p.dataSync();
        p.dispose();
      },
    },
  };
}


async function runOne(name: Name): Promise<Result> {
  const data = makeData();
  let step: (i: number) => Promise<number> | number;
  let runner: Runner;
  let tnMod: typeof import("../src/node.js") | null = null;
  if (name.startsWith("tensile")) {
    const t = await tensileRunner(name === "tensile-native" ? "native" : "cpu", data);
    runner = t.runner;
    tnMod = t.tn;
    step = (i) => runner.step(i);
  } else {
    const t = await tfjsRunner(name === "tfjs-wasm" ? "wasm" : "cpu", data);
    runner = t.runner;
    step = t.asyncStep;
  }
  let firstLoss = NaN;
  let lastLoss = NaN;
  let i = 0;
  for (let w = 0; w < WARMUP; w++, i++) {
    const l = await step(i);
    if (w === 0) firstLoss = l;
  }
  const memBefore = tnMod?.memory().numTensors;
  const times: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++, i++) {
    const a = performance.now();
    lastLoss = await step(i);
    times.push(performance.now() - a);
  }
  const trainMs = performance.now() - t0;
  const memAfter = tnMod?.memory().numTensors;
  const leak = memBefore !== undefined && memAfter !== memBefore ? `live tensors ${memBefore} → ${memAfter} over the timed steps` : undefined;

  // Inference: 2 warm-up batches, then as many batches as training steps (at least 30).
  runner.predict(0);
  runner.predict(1);
  const nPredict = Math.max(30, STEPS);
  const p0 = performance.now();
  for (let s = 0; s < nPredict; s++) runner.predict(s);
  const inferMs = performance.now() - p0;

  let profile: Profile | undefined;
  if (name === "tensile-native" && tnMod !== null) {
    const { setKernelObserver } = await import("../src/backend/dispatch.js");
    const byPrim = new Map<string, { ms: number; calls: number }>();
    const byMatMul = new Map<string, { ms: number; calls: number }>();
    let kernelMs = 0;
    let kernelCalls = 0;
    setKernelObserver((prim, backend, ms, inputs) => {
      kernelMs += ms;
      kernelCalls++;
      const key = backend === "native" ? prim : `${prim} (${backend})`;
      const e = byPrim.get(key) ?? { ms: 0, calls: 0 };
      e.ms += ms;
      e.calls++;
      byPrim.set(key, e);
      if (prim === "matMul") {
        const k = inputs.map((t) => `[${t.shape.join(",")}]`).join("·");
        const m = byMatMul.get(k) ?? { ms: 0, calls: 0 };
        m.ms += ms;
        m.calls++;
        byMatMul.set(k, m);
      }
    });
    const w0 = performance.now();
    for (let s = 0; s < STEPS; s++, i++) await step(i);
    const wallMs = performance.now() - w0;
    setKernelObserver(null);
    const sortDesc = <T extends { ms: number }>(a: T, b: T) => b.ms - a.ms;
    profile = {
      wallMs,
      kernelMs,
      kernelCalls,
      byPrim: [...byPrim].map(([prim, v]) => ({ prim, ...v })).sort(sortDesc),
      byMatMul: [...byMatMul].map(([shapes, v]) => ({ shapes, ...v })).sort(sortDesc),
    };
  }

  return {
    name,
    trainMsPerStep: trainMs / STEPS,
    trainSamplesPerSec: (STEPS * BATCH) / (trainMs / 1000),
    trainMedianStepMs: median(times),
    inferSamplesPerSec: (nPredict * BATCH) / (inferMs / 1000),
    firstLoss,
    lastLoss,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    note: runner.note,
    profile,
    leak,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Driver: one child process per framework, then the table.

const fmt = (v: number, digits = 3): string => {
  if (!Number.isFinite(v)) return "n/a";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return v.toPrecision(digits);
};

function render(results: Result[], failures: string[], seconds: number): string {
  const cpus = os.cpus();
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const lines: string[] = [];
  lines.push("## MNIST MLP training (raw ops, no layers yet)");
  lines.push("");
  lines.push(
    "784 → 512 relu → 10 softmax, batch 128, RMSprop (lr 0.001, rho 0.9, eps 1e-7, as Keras). **Synthetic data**: " +
      "fixed-seed pseudo-random inputs in [0, 1) and random labels (8 batches cycled), the same Glorot-uniform initial " +
      "weights everywhere. Tensile is written with raw ops (no layers or optimizers yet): `tn.variable`, " +
      "`tn.GradientTape`, `tn.matMul`, `tn.relu`, `tn.softmaxCrossEntropy`, RMSprop with ops + `Variable.assign` in " +
      "`tn.tidy`, the loss read back each step. TF.js runs `tf.sequential` + `model.trainOnBatch` with " +
      "`tf.train.rmsprop` (what users run; its rmsprop divides by sqrt(ms + eps), Keras by sqrt(ms) + eps).",
  );
  lines.push("");
  lines.push(`- command: \`npx tsx bench/mlp.ts --write\` (bench/mlp.ts), ${Math.round(seconds)} s in all`);
  lines.push(`- date: ${date} UTC`);
  lines.push(`- machine: ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}; Node ${process.version}`);
  lines.push(`- ${STEPS} timed training steps after ${WARMUP} warm-up steps; inference: ${Math.max(30, STEPS)} batches of 128 after 2 warm-up batches`);
  lines.push("- each framework in its own child process (`--only=<name>`), so peak RSS (`process.resourceUsage().maxRSS`) is its own (it includes Node, tsx and the library)");
  lines.push(`- GFLOP/s: ${(TRAIN_FLOPS / 1e6).toFixed(2)} MFLOP/sample training, ${(INFER_FLOPS / 1e6).toFixed(2)} MFLOP/sample inference`);
  lines.push("");
  lines.push("| framework | train samples/s | ms/step (mean · median) | train GFLOP/s | inference samples/s | inference GFLOP/s | peak RSS MiB | loss step 1 → last | notes |");
  lines.push("|---|--:|--:|--:|--:|--:|--:|--:|---|");
  for (const r of results) {
    lines.push(
      `| ${LABELS[r.name]} | ${fmt(r.trainSamplesPerSec)} | ${fmt(r.trainMsPerStep)} · ${fmt(r.trainMedianStepMs)} | ${fmt((r.trainSamplesPerSec * TRAIN_FLOPS) / 1e9)} | ` +
        `${fmt(r.inferSamplesPerSec)} | ${fmt((r.inferSamplesPerSec * INFER_FLOPS) / 1e9)} | ${Math.round(r.maxRssMiB)} | ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)} | ${r.note}${r.leak ? `; LEAK: ${r.leak}` : ""} |`,
    );
  }
  for (const f of failures) lines.push(`| ${f} | | | | | | | | |`);
  const native = results.find((r) => r.name === "tensile-native");
  const best = (names: Name[], key: "trainSamplesPerSec" | "inferSamplesPerSec") =>
    Math.max(...results.filter((r) => names.includes(r.name)).map((r) => r[key]));
  const tnTrain = best(["tensile-native", "tensile-cpu"], "trainSamplesPerSec");
  const tfTrain = best(["tfjs-cpu", "tfjs-wasm"], "trainSamplesPerSec");
  const tnInfer = best(["tensile-native", "tensile-cpu"], "inferSamplesPerSec");
  const tfInfer = best(["tfjs-cpu", "tfjs-wasm"], "inferSamplesPerSec");
  if (Number.isFinite(tnTrain) && Number.isFinite(tfTrain) && tfTrain > 0) {
    lines.push("");
    lines.push(
      `Best Tensile vs best TF.js: training ${(tnTrain / tfTrain).toFixed(2)}×, inference ${(tnInfer / tfInfer).toFixed(2)}×. ` +
        `The GEMM-bound ceiling on this machine class is ≈ 180k samples/s (../shared/ANCHORS.md).`,
    );
  }
  const p = native?.profile;
  if (p) {
    lines.push("");
    lines.push(
      `Tensile \`native\` per-primitive profile over ${STEPS} training steps (a separate pass with \`setKernelObserver\` from ` +
        `src/backend/dispatch.ts; wall ${p.wallMs.toFixed(1)} ms, ${p.kernelCalls} kernel calls = ${(p.kernelCalls / STEPS).toFixed(0)} per step). ` +
        `Time inside kernels: ${p.kernelMs.toFixed(1)} ms (${((100 * p.kernelMs) / p.wallMs).toFixed(1)}%); outside kernels ` +
        `(dispatch, tape, autograd, tidy, allocation wrappers): ${(p.wallMs - p.kernelMs).toFixed(1)} ms (${((100 * (p.wallMs - p.kernelMs)) / p.wallMs).toFixed(1)}%).`,
    );
    lines.push("");
    lines.push("| primitive | total ms | % of wall | calls | µs/call |");
    lines.push("|---|--:|--:|--:|--:|");
    for (const e of p.byPrim.slice(0, 10)) {
      lines.push(`| ${e.prim} | ${e.ms.toFixed(2)} | ${((100 * e.ms) / p.wallMs).toFixed(1)} | ${e.calls} | ${((1000 * e.ms) / e.calls).toFixed(1)} |`);
    }
    const rest = p.byPrim.slice(10);
    if (rest.length > 0) {
      const ms = rest.reduce((s, e) => s + e.ms, 0);
      const calls = rest.reduce((s, e) => s + e.calls, 0);
      lines.push(`| ${rest.length} others (${rest.map((e) => e.prim).join(", ")}) | ${ms.toFixed(2)} | ${((100 * ms) / p.wallMs).toFixed(1)} | ${calls} | ${((1000 * ms) / calls).toFixed(1)} |`);
    }
    lines.push(`| (outside kernels) | ${(p.wallMs - p.kernelMs).toFixed(2)} | ${((100 * (p.wallMs - p.kernelMs)) / p.wallMs).toFixed(1)} | | |`);
    lines.push("");
    lines.push("matMul by input shapes (transpose flags are not visible to the observer; the backward pass passes them to sgemm):");
    lines.push("");
    for (const e of p.byMatMul) {
      lines.push(`- ${e.shapes}: ${e.ms.toFixed(2)} ms over ${e.calls} calls (${((1000 * e.ms) / e.calls).toFixed(0)} µs/call)`);
    }
  }
  return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
  const only = option("only");
  if (only !== undefined) {
    if (!(NAMES as readonly string[]).includes(only)) throw new Error(`--only must be one of ${NAMES.join(", ")}`);
    const r = await runOne(only as Name);
    process.stdout.write(RESULT_MARK + JSON.stringify(r) + "\n");
    return;
  }
  const started = performance.now();
  const tsx = resolve(HERE, "../node_modules/.bin/tsx");
  const results: Result[] = [];
  const failures: string[] = [];
  for (const name of NAMES) {
    process.stderr.write(`${LABELS[name]} … `);
    const child = spawnSync(existsSync(tsx) ? tsx : "npx", [...(existsSync(tsx) ? [] : ["tsx"]), fileURLToPath(import.meta.url), `--only=${name}`, `--steps=${STEPS}`, `--warmup=${WARMUP}`], {
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
    });
    const line = child.stdout.split("\n").find((l) => l.startsWith(RESULT_MARK));
    if (child.status !== 0 || line === undefined) {
      const why = (child.stderr || child.stdout).trim().split("\n").slice(-3).join(" / ");
      process.stderr.write(`failed: ${why}\n`);
      failures.push(`${LABELS[name]}: failed (${why.slice(0, 200)})`);
      continue;
    }
    const r = JSON.parse(line.slice(RESULT_MARK.length)) as Result;
    results.push(r);
    process.stderr.write(`${fmt(r.trainSamplesPerSec)} samples/s training, ${fmt(r.inferSamplesPerSec)} inference\n`);
  }
  const md = render(results, failures, (performance.now() - started) / 1000);
  process.stdout.write("\n" + md);
  if (args.includes("--write")) {
    const path = resolve(HERE, "RESULTS.md");
    const current = readFileSync(path, "utf8");
    const heading = "## MNIST MLP training (raw ops, no layers yet)";
    const at = current.indexOf(heading);
    const before = at >= 0 ? current.slice(0, at) : current.endsWith("\n") ? current + "\n" : current + "\n\n";
    writeFileSync(path, before + md);
    process.stderr.write(`wrote ${path}\n`);
  }
}

await main();
