/**
 * The native fused kernels (fusedConv: native/src/conv.cc with its epilogue per output block; fusedMatMul: GEMM then
 * native/src/gemm.cc's biasActivation) against the cpu kernels (src/backend/cpu/fused.ts) run in float64, for every
 * activation, with and without a bias, on the conv paths (direct, im2col + GEMM, pointwise, grouped) and batched
 * products. float32 within rtol 1e-4 of Σ|terms| plus atol 1e-5 (every fused activation is 1-Lipschitz or flatter,
 * so the conv's bound carries over), float64 within 1e-7. Skipped, saying so, only when the addon is not built.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DType } from "../../src/core/dtype.js";
import type { KernelTensor } from "../../src/backend/backend.js";
import { nnKernels as cpu } from "../../src/backend/cpu/nn.js";
import type { ConvAttrs, FusedActivation } from "../../src/backend/primitives.js";
import { loadAddon, nativeLoadError } from "../../src/backend/native/addon.js";
import { hasConvFunctions, makeNativeConvKernels } from "../../src/backend/native/conv.js";
import { nativeCoreKernels } from "../../src/backend/native/kernels.js";

const addon = loadAddon();
const skip = addon === null ? `native fused kernels untested: ${nativeLoadError()}` : false;
const native = hasConvFunctions(addon) ? makeNativeConvKernels(addon) : null;

const ACTIVATIONS: FusedActivation[] = ["linear", "relu", "relu6", "elu", "sigmoid", "tanh", "leakyrelu"];

let seed = 777;
/** Values in [-scale, scale). */
function random(shape: number[], dtype: DType, scale = 1): KernelTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    data[i] = ((seed / 2 ** 32) * 2 - 1) * scale;
  }
  return { shape, dtype, data };
}

function f64(t: KernelTensor, abs = false): KernelTensor {
  const data = Float64Array.from(t.data, (v) => (abs ? Math.abs(v) : v));
  return { shape: t.shape, dtype: "float64", data };
}

/**
 * Compares with the cpu kernel on float64 copies; `magnitude` (the linear kernel on absolute values: Σ|terms| + |b|)
 * scales the tolerance.
 */
function assertClose(actual: KernelTensor, expected: KernelTensor, magnitude: KernelTensor, label: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  const [rtol, atol] = actual.dtype === "float64" ? [1e-7, 1e-7] : [1e-4, 1e-5];
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * magnitude.data[i])) {
      assert.fail(`${label}: element ${i} is ${a}, cpu (float64) gives ${e}, Σ|terms| ${magnitude.data[i]} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

interface ConvCase {
  label: string;
  x: number[];
  w: number[];
  strides?: number[];
  padding?: [number, number][];
  dilations?: number[];
  groups?: number;
}

const convCases: ConvCase[] = [
  { label: "direct (1 channel in, rows of 26)", x: [2, 28, 28, 1], w: [3, 3, 1, 32] },
  { label: "direct, 3 channels, 20 out, stride 2, padding", x: [2, 11, 10, 3], w: [3, 3, 3, 20], strides: [2, 2], padding: [[1, 1], [1, 1]] },
  { label: "im2col + GEMM (the CNN's second conv, batch 4)", x: [4, 13, 13, 32], w: [3, 3, 32, 64] },
  { label: "im2col + GEMM, dilation 2, padding", x: [2, 9, 9, 6], w: [3, 3, 6, 5], dilations: [2, 2], padding: [[2, 2], [2, 2]] },
  { label: "pointwise", x: [3, 5, 6, 7], w: [1, 1, 7, 9] },
  { label: "grouped", x: [2, 6, 7, 6], w: [3, 3, 2, 9], padding: [[1, 1], [1, 1]], groups: 3 },
  { label: "conv1d", x: [3, 10, 5], w: [3, 5, 6], strides: [2], padding: [[1, 2]] },
  { label: "conv3d", x: [2, 4, 5, 6, 2], w: [2, 3, 2, 2, 3], padding: [[1, 0], [1, 1], [0, 1]] },
  { label: "empty output", x: [2, 2, 2, 3], w: [3, 3, 3, 2] },
];

function convAttrs(c: ConvCase): ConvAttrs {
  const r = c.x.length - 2;
  return {
    strides: c.strides ?? new Array<number>(r).fill(1),
    padding: c.padding ?? Array.from({ length: r }, (): [number, number] => [0, 0]),
    dilations: c.dilations ?? new Array<number>(r).fill(1),
    groups: c.groups ?? 1,
  };
}

for (const dtype of ["float32", "float64"] as const) {
  for (const c of convCases) {
    test(`native fusedConv ${dtype}: ${c.label}, every activation, with and without bias`, { skip }, () => {
      const kernel = native?.fusedConv;
      assert.ok(kernel !== undefined, "the addon is built but has no fused conv (convEpilogue)");
      const attrs = convAttrs(c);
      // Scaled so the sums reach relu6's clip at 6 and sigmoid's / tanh's flat parts.
      const x = random(c.x, dtype, 2);
      const w = random(c.w, dtype, 2);
      const outC = c.w[c.w.length - 1];
      const bias = random([outC], dtype, 3);
      for (const withBias of [true, false]) {
        const inputs = withBias ? [x, w, bias] : [x, w];
        const magnitude = cpu.fusedConv(inputs.map((t) => f64(t, true)), { ...attrs, activation: "linear", alpha: 0 });
        for (const activation of ACTIVATIONS) {
          const fusedAttrs = { ...attrs, activation, alpha: 0.1 };
          const expected = cpu.fusedConv(inputs.map((t) => f64(t)), fusedAttrs);
          const actual: KernelTensor = kernel(inputs, fusedAttrs);
          assert.equal(actual.dtype, dtype);
          assertClose(actual, expected, magnitude, `${activation}${withBias ? " with bias" : ""}`);
        }
      }
    });
  }
}

test("native fusedConv propagates NaN through every activation, as cpu", { skip }, () => {
  const kernel = native?.fusedConv;
  assert.ok(kernel !== undefined);
  for (const c of [convCases[0], convCases[2]]) {
    const attrs = convAttrs(c);
    const x = random(c.x, "float32");
    x.data[5] = NaN;
    const w = random(c.w, "float32");
    const bias = random([c.w[c.w.length - 1]], "float32");
    for (const activation of ACTIVATIONS) {
      const fusedAttrs = { ...attrs, activation, alpha: 0.2 };
      const expected = cpu.fusedConv([x, w, bias], fusedAttrs);
      const actual: KernelTensor = kernel([x, w, bias], fusedAttrs);
      const nans = (t: KernelTensor) => Array.from(t.data, (v) => Number.isNaN(v));
      assert.deepEqual(nans(actual), nans(expected), `${c.label} ${activation}: NaN positions`);
      assert.ok(nans(actual).some((v) => v), `${c.label} ${activation}: the NaN reached the output`);
    }
  }
});

interface MatMulCase {
  label: string;
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
}

const matMulCases: MatMulCase[] = [
  { label: "the CNN's dense layer", a: [64, 1600], b: [1600, 128] },
  { label: "transposes", a: [30, 20], b: [17, 30], transposeA: true, transposeB: true },
  { label: "batched A, shared B", a: [3, 5, 8], b: [8, 7] },
  { label: "batched both, broadcast", a: [2, 1, 4, 6], b: [3, 6, 5] },
  { label: "k = 0 (bias and activation of zeros)", a: [4, 0], b: [0, 3] },
];

for (const dtype of ["float32", "float64"] as const) {
  for (const c of matMulCases) {
    test(`native fusedMatMul ${dtype}: ${c.label}, every activation, with and without bias`, { skip }, () => {
      const kernel = nativeCoreKernels.fusedMatMul;
      assert.ok(kernel !== undefined);
      const a = random(c.a, dtype, 2);
      const b = random(c.b, dtype, 2);
      const n = c.transposeB ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
      const bias = random([n], dtype, 3);
      const t = { transposeA: c.transposeA ?? false, transposeB: c.transposeB ?? false };
      for (const withBias of [true, false]) {
        const inputs = withBias ? [a, b, bias] : [a, b];
        const magnitude = cpu.fusedMatMul(inputs.map((x) => f64(x, true)), { ...t, activation: "linear", alpha: 0 });
        for (const activation of ACTIVATIONS) {
          const attrs = { ...t, activation, alpha: 0.3 };
          assertClose(kernel(inputs, attrs), cpu.fusedMatMul(inputs.map((x) => f64(x)), attrs), magnitude, `${activation}${withBias ? " with bias" : ""}`);
        }
      }
    });
  }
}

test("native biasActivation: inconsistent arguments are a thrown error, not a crash", { skip }, () => {
  const fn = (addon as unknown as { biasActivation?: (...args: unknown[]) => void }).biasActivation;
  assert.equal(typeof fn, "function");
  const call = fn as (...args: unknown[]) => void;
  assert.throws(() => call(new Float32Array(6), new Float32Array(2), 3, 1, 0), /biasActivation: bias must have/);
  assert.throws(() => call(new Float32Array(6), null, 4, 1, 0), /biasActivation: cols must be/);
  assert.throws(() => call(new Float32Array(6), null, 3, 99, 0), /biasActivation: unknown activation/);
  assert.throws(() => call(new Int32Array(6), null, 3, 1, 0), /biasActivation: y must be/);
  const geometry = Int32Array.from([1, 1, 4, 4, 2, 1, 2, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 2]);
  assert.ok(hasConvFunctions(addon));
  const convForward = addon.convForward as (...args: unknown[]) => void;
  assert.throws(() => convForward(new Float32Array(32), new Float32Array(36), new Float32Array(8), geometry, new Float32Array(3), 1, 0), /convForward: bias/);
  assert.throws(() => convForward(new Float32Array(32), new Float32Array(36), new Float32Array(8), geometry, null, 12, 0), /convForward: unknown activation/);
});
