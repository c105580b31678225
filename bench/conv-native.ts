/**
 * `tsx bench/conv-native.ts`: the small CNN's convolutions and poolings (28×28×1 → conv 32 3×3 → maxPool 2 →
 * conv 64 3×3 → maxPool 2, batch 64, float32, valid padding) timed kernel by kernel: Tensile `native`, Tensile
 * `cpu`, TF.js `cpu` and TF.js `wasm` (where it has the kernel), forward, forward fused with bias + relu (Tensile's
 * `fusedConv`, TF.js's `fused.conv2d`), both gradients, max pooling and its gradient, in GFLOP/s
 * (2·N·OH·OW·KH·KW·Cin·Cout per conv pass) and ms. Median of several runs after a warm-up. Not a test.
 *
 * Tensile's outputs go back to the buffer pool after each call, as a model's released tensors do, so a call writes
 * into recycled memory (not fresh pages the OS must fault in, which alone cost ~1 ms for conv1's 5.5 MB output).
 * Options: --quick (fewer runs), --no-tfjs, --threads=N (the native backend's threads; default: the machine's cores).
 */
import { createRequire } from "node:module";
import os from "node:os";
import { dirname } from "node:path";
import type { Kernel, KernelTensor, PartialKernelTable } from "../src/backend/backend.js";
import { nnKernels as cpuKernels } from "../src/backend/cpu/nn.js";
import type { ConvAttrs, PoolAttrs } from "../src/backend/primitives.js";
import { loadAddon } from "../src/backend/native/addon.js";
import { ownBuffer, releaseBuffer } from "../src/tensor/buffer-pool.js";
import { hasConvFunctions, nativeConvKernels, type NativeConvPrimitive } from "../src/backend/native/conv.js";
import { measure } from "./timing.js";

type TF = typeof import("@tensorflow/tfjs");
type Tf4 = import("@tensorflow/tfjs").Tensor4D;

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const withTfjs = !args.includes("--no-tfjs");
const threadsArg = args.find((a) => a.startsWith("--threads="));

/** Median ms per call after a warm-up call; a call slower than 2 s is timed once (the warm-up). */
function median(fn: () => void, budgetMs = quick ? 300 : 1500, minRuns = quick ? 3 : 5, maxRuns = 50): number {
  return measure(fn, { budgetMs, minRuns, maxRuns, slowWarmupMs: 2000 }).ms;
}

let seed = 7;
function values(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    a[i] = (seed / 2 ** 32) * 2 - 1;
  }
  return a;
}
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const tensor = (shape: number[]): KernelTensor => ({ shape, dtype: "float32", data: values(size(shape)) });

// ---- the workload ----

const B = 64;
interface ConvLayer {
  name: string;
  x: number[];
  w: number[];
  y: number[];
}
const convs: ConvLayer[] = [
  { name: "conv1 28×28×1→32", x: [B, 28, 28, 1], w: [3, 3, 1, 32], y: [B, 26, 26, 32] },
  { name: "conv2 13×13×32→64", x: [B, 13, 13, 32], w: [3, 3, 32, 64], y: [B, 11, 11, 64] },
];
interface PoolLayer {
  name: string;
  x: number[];
  y: number[];
}
const pools: PoolLayer[] = [
  { name: "pool1 26×26×32", x: [B, 26, 26, 32], y: [B, 13, 13, 32] },
  { name: "pool2 11×11×64", x: [B, 11, 11, 64], y: [B, 5, 5, 64] },
];
const convAttrs: ConvAttrs = { strides: [1, 1], padding: [[0, 0], [0, 0]], dilations: [1, 1], groups: 1 };
const poolAttrs: PoolAttrs = { windowShape: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]] };
const flops = (c: ConvLayer): number => 2 * size(c.y) * c.w[0] * c.w[1] * c.w[2];

type ConvPass = "forward" | "fused" | "backpropInput" | "backpropFilter";

interface Contender {
  label: string;
  /** A function running the pass once (synchronously complete), or null when the contender lacks it. */
  conv(layer: ConvLayer, pass: ConvPass): (() => void) | null;
  pool(layer: PoolLayer, pass: "maxPool" | "maxPoolGrad"): (() => void) | null;
}

/** Hands a kernel's output back to the buffer pool, as releasing its tensor would. */
function recycle(t: KernelTensor): void {
  ownBuffer(t.data, t.dtype);
  releaseBuffer(t.data, t.dtype);
}

function tensileContender(label: string, table: PartialKernelTable<NativeConvPrimitive>): Contender {
  const call = <P extends NativeConvPrimitive>(k: Kernel<P> | undefined, run: (k: Kernel<P>) => KernelTensor): (() => void) | null =>
    k ? () => recycle(run(k)) : null;
  return {
    label,
    conv(c, pass) {
      const x = tensor(c.x);
      const w = tensor(c.w);
      const dy = tensor(c.y);
      const bias = tensor([c.w[3]]);
      if (pass === "forward") return call(table.conv, (k) => k([x, w], convAttrs));
      if (pass === "fused") return call(table.fusedConv, (k) => k([x, w, bias], { ...convAttrs, activation: "relu", alpha: 0 }));
      if (pass === "backpropInput") return call(table.convBackpropInput, (k) => k([dy, w], { ...convAttrs, inputShape: c.x }));
      return call(table.convBackpropFilter, (k) => k([x, dy], { ...convAttrs, filterShape: c.w }));
    },
    pool(p, pass) {
      const x = tensor(p.x);
      const dy = tensor(p.y);
      if (pass === "maxPool") return call(table.maxPool, (k) => k([x], poolAttrs));
      return call(table.maxPoolGrad, (k) => k([x, dy], poolAttrs));
    },
  };
}

/** The cpu kernels as a table of the same primitives. */
const cpuTable: PartialKernelTable<NativeConvPrimitive> = cpuKernels;

function tfjsContender(tf: TF, backend: "cpu" | "wasm"): Contender {
  const use = (): void => {
    void tf.setBackend(backend);
    if (tf.getBackend() !== backend) throw new Error(`could not switch TF.js to ${backend}`);
  };
  /** Runs once to see whether the backend has the kernel. */
  const checked = (fn: () => void): (() => void) | null => {
    try {
      fn();
      return fn;
    } catch {
      return null;
    }
  };
  return {
    label: `TF.js \`${backend}\``,
    conv(c, pass) {
      use();
      const x = tf.tensor4d(values(size(c.x)), c.x as [number, number, number, number]);
      const w = tf.tensor4d(values(size(c.w)), c.w as [number, number, number, number]);
      const dy = tf.tensor4d(values(size(c.y)), c.y as [number, number, number, number]);
      const bias = tf.tensor1d(values(c.w[3]));
      const engine = tf.engine();
      if (pass === "forward") return checked(() => { use(); tf.tidy(() => tf.conv2d(x, w, 1, "valid").dataSync()); });
      if (pass === "fused") {
        return checked(() => {
          use();
          tf.tidy(() => tf.fused.conv2d({ x, filter: w, strides: 1, pad: "valid", bias, activation: "relu" }).dataSync());
        });
      }
      if (pass === "backpropInput") {
        return checked(() => {
          use();
          tf.tidy(() => (engine.runKernel("Conv2DBackpropInput", { dy, filter: w }, { strides: [1, 1], pad: "valid", dataFormat: "NHWC", inputShape: c.x }) as Tf4).dataSync());
        });
      }
      return checked(() => {
        use();
        tf.tidy(() => (engine.runKernel("Conv2DBackpropFilter", { x, dy }, { strides: [1, 1], pad: "valid", dataFormat: "NHWC", filterShape: c.w }) as Tf4).dataSync());
      });
    },
    pool(p, pass) {
      use();
      const x = tf.tensor4d(values(size(p.x)), p.x as [number, number, number, number]);
      const dy = tf.tensor4d(values(size(p.y)), p.y as [number, number, number, number]);
      const engine = tf.engine();
      if (pass === "maxPool") return checked(() => { use(); tf.tidy(() => tf.maxPool(x, 2, 2, "valid").dataSync()); });
      const y = tf.maxPool(x, 2, 2, "valid");
      return checked(() => {
        use();
        tf.tidy(() => (engine.runKernel("MaxPoolGrad", { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: "valid" }) as Tf4).dataSync());
      });
    },
  };
}

async function loadTfjs(): Promise<TF | null> {
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"))}/`);
    await tf.setBackend("wasm");
    await tf.ready();
    await tf.setBackend("cpu");
    await tf.ready();
    tf.tensor1d([1]).dispose();
    return tf;
  } catch {
    return null;
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

async function main(): Promise<void> {
  const addon = loadAddon();
  const contenders: Contender[] = [];
  if (hasConvFunctions(addon)) {
    if (threadsArg !== undefined) {
      const n = Number(threadsArg.slice("--threads=".length));
      if (!Number.isInteger(n) || n < 1) throw new Error(`--threads must be a positive integer, got ${threadsArg}`);
      addon.setThreads(n);
    }
    contenders.push(tensileContender("Tensile `native`", nativeConvKernels));
  } else console.log("native addon not built (or built without conv.cc): `npm run build:native`; timing the others only");
  contenders.push(tensileContender("Tensile `cpu`", cpuTable));
  const tf = withTfjs ? await loadTfjs() : null;
  if (tf) contenders.push(tfjsContender(tf, "cpu"), tfjsContender(tf, "wasm"));
  const threads = hasConvFunctions(addon) ? addon.getThreads() : 1;
  console.log(
    `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "?"} · Node ${process.version} · batch ${B}, float32` +
      (hasConvFunctions(addon) ? ` · native threads ${threads} (BLAS calls split across them), OpenBLAS core ${process.env.OPENBLAS_CORETYPE ?? "(its choice)"}` : "") +
      (tf ? ` · TF.js ${tf.version.tfjs}` : ""),
  );
  console.log("");
  console.log(`| kernel | MFLOP | ${contenders.map((c) => c.label).join(" | ")} |`);
  console.log(`|---|---|${contenders.map(() => "---").join("|")}|`);
  const totals = contenders.map(() => 0);
  const rows: { name: string; mflop: string; run: (c: Contender) => (() => void) | null; flop: number }[] = [];
  for (const c of convs) {
    for (const pass of ["forward", "fused", "backpropInput", "backpropFilter"] as const) {
      const label = pass === "fused" ? "forward + bias + relu (fused)" : pass;
      rows.push({ name: `${c.name} ${label}`, mflop: (flops(c) / 1e6).toFixed(1), flop: flops(c), run: (k) => k.conv(c, pass) });
    }
  }
  for (const p of pools) {
    for (const pass of ["maxPool", "maxPoolGrad"] as const) rows.push({ name: `${p.name} ${pass}`, mflop: "–", flop: 0, run: (k) => k.pool(p, pass) });
  }
  for (const row of rows) {
    const cells = contenders.map((k, i) => {
      const fn = row.run(k);
      if (!fn) return "n/a (no kernel)";
      const ms = median(fn);
      totals[i] += ms;
      return row.flop > 0 ? `${(row.flop / ms / 1e6).toFixed(1)} GFLOP/s (${ms.toFixed(2)} ms)` : `${ms.toFixed(2)} ms`;
    });
    console.log(`| ${row.name} | ${row.mflop} | ${cells.join(" | ")} |`);
  }
  console.log(`| total of the kernels each has | | ${totals.map((t) => `${t.toFixed(1)} ms`).join(" | ")} |`);
}

await main();
