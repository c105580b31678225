/**
 * matMul GFLOP/s of the cpu backend's blocked kernel (called directly) vs TF.js's cpu backend (float32, square sizes, and the
 * transposed variants a dense layer's backward pass uses). Run: npx tsx bench/matmul-cpu.ts [sizes...]
 */
import { linalgKernels } from "../src/backend/cpu/linalg.js";
import type { KernelTensor } from "../src/backend/backend.js";
import { measure } from "./timing.js";

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(128, 256, 512, 1024);

function random(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

function time(fn: () => void, flops: number): number {
  return flops / (measure(fn, { budgetMs: 1500, minRuns: 1, maxRuns: 20 }).ms * 1e6);
}

const warn = console.warn;
console.warn = () => {};
const tf = await import("@tensorflow/tfjs");
await tf.setBackend("cpu");
console.warn = warn;

console.log("size  variant   tensile GFLOP/s  tfjs-cpu GFLOP/s  ratio");
for (const s of sizes) {
  const av = random(s * s);
  const bv = random(s * s);
  const a: KernelTensor = { shape: [s, s], dtype: "float32", data: av };
  const b: KernelTensor = { shape: [s, s], dtype: "float32", data: bv };
  const ta = tf.tensor2d(av, [s, s]);
  const tb = tf.tensor2d(bv, [s, s]);
  for (const [ta_, tb_] of [[false, false], [true, false], [false, true]] as const) {
    const flops = 2 * s * s * s;
    const ours = time(() => void linalgKernels.matMul([a, b], { transposeA: ta_, transposeB: tb_ }), flops);
    const theirs = s <= 1024 ? time(() => tf.tidy(() => void tf.matMul(ta, tb, ta_, tb_).dataSync()), flops) : NaN;
    const v = ta_ ? "A^T B" : tb_ ? "A B^T" : "A B";
    console.log(`${String(s).padEnd(5)} ${v.padEnd(9)} ${ours.toFixed(2).padStart(15)} ${theirs.toFixed(2).padStart(17)} ${(ours / theirs).toFixed(1).padStart(6)}`);
  }
}

// A dense layer's forward and backward products (MNIST MLP 784-512, batch 128).
console.log("\ndense 784-512, batch 128     tensile GFLOP/s  tfjs-cpu GFLOP/s  ratio");
{
  const [bs, inp, outp] = [128, 784, 512];
  const x = random(bs * inp);
  const w = random(inp * outp);
  const dy = random(bs * outp);
  const cases: [string, Float32Array, number[], Float32Array, number[], boolean, boolean, number][] = [
    ["x·W        ", x, [bs, inp], w, [inp, outp], false, false, 2 * bs * inp * outp],
    ["dW = xᵀ·dy ", x, [bs, inp], dy, [bs, outp], true, false, 2 * bs * inp * outp],
    ["dx = dy·Wᵀ ", dy, [bs, outp], w, [inp, outp], false, true, 2 * bs * inp * outp],
  ];
  for (const [name, av, as, bv, bs_, ta_, tb_, flops] of cases) {
    const a: KernelTensor = { shape: as, dtype: "float32", data: av };
    const b: KernelTensor = { shape: bs_, dtype: "float32", data: bv };
    const ta = tf.tensor2d(av, as as [number, number]);
    const tb = tf.tensor2d(bv, bs_ as [number, number]);
    const ours = time(() => void linalgKernels.matMul([a, b], { transposeA: ta_, transposeB: tb_ }), flops);
    const theirs = time(() => tf.tidy(() => void tf.matMul(ta, tb, ta_, tb_).dataSync()), flops);
    console.log(`${name}                 ${ours.toFixed(2).padStart(15)} ${theirs.toFixed(2).padStart(17)} ${(ours / theirs).toFixed(1).padStart(6)}`);
  }
}
