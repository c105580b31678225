/**
 * The native conv/pool kernels (native/src/conv.cc through src/backend/native/conv.ts) against the cpu kernels on
 * random inputs: conv forward and both gradients against the cpu kernel run in float64 (float32 within rtol 1e-4 of
 * Σ|terms| plus atol 1e-5, float64 within 1e-7), pooling and its gradients exactly (same visiting order and
 * arithmetic). Skipped, saying so, only when the addon is not built.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DType } from "../../src/core/dtype.js";
import type { KernelTensor } from "../../src/backend/backend.js";
import { nnKernels as cpu } from "../../src/backend/cpu/nn.js";
import type { ConvAttrs, PoolAttrs } from "../../src/backend/primitives.js";
import { loadAddon, nativeLoadError } from "../../src/backend/native/addon.js";
import { hasConvFunctions, makeNativeConvKernels, nativeConvKernels } from "../../src/backend/native/conv.js";

const addon = loadAddon();
const skip = addon === null ? `native conv kernels untested: ${nativeLoadError()}` : false;
const native = hasConvFunctions(addon) ? makeNativeConvKernels(addon) : null;

/** The loaded kernels; fails (never skips) when the addon is built without conv.cc. */
function kernels(): NonNullable<typeof native> {
  assert.ok(native !== null, "the native addon is built but lacks the conv functions: is native/src/conv.cc in binding.gyp and InitConv called?");
  return native;
}

let seed = 12345;
/** Values in [-1, 1); `levels` > 0 rounds them to that many steps (ties for the pooling tests). */
function random(shape: number[], dtype: DType = "float32", levels = 0): KernelTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const v = (seed / 2 ** 32) * 2 - 1;
    data[i] = levels > 0 ? Math.round(v * levels) / levels : v;
  }
  return { shape, dtype, data };
}

/** t's values in float64, optionally their absolute values. */
function f64(t: KernelTensor, abs = false): KernelTensor {
  const data = Float64Array.from(t.data);
  if (abs) for (let i = 0; i < data.length; i++) data[i] = Math.abs(data[i]);
  return { shape: t.shape, dtype: "float64", data };
}

interface Reference {
  /** The cpu kernel on float64 copies of the inputs. */
  value: KernelTensor;
  /** The cpu kernel on their absolute values: per element Σ|terms|, the scale of a sum's rounding error. */
  magnitude: KernelTensor;
}

/**
 * The reference for a conv result: float32 sums of thousands of terms differ from each other (cpu vs BLAS order) by
 * rounding alone, so both are compared with the float64 sum, within rtol of Σ|terms| (the textbook bound on a
 * sum's rounding error) plus atol.
 */
function reference(run: (inputs: KernelTensor[]) => KernelTensor, inputs: KernelTensor[]): Reference {
  const value = run(inputs.map((t) => f64(t)));
  const magnitude = run(inputs.map((t) => f64(t, true)));
  return { value: { ...value, dtype: inputs[0].dtype }, magnitude };
}

function assertClose(actual: KernelTensor, expected: Reference, label: string): void {
  const { value, magnitude } = expected;
  assert.deepEqual(actual.shape, value.shape, `${label}: shape`);
  assert.equal(actual.dtype, value.dtype, `${label}: dtype`);
  assert.equal(actual.data.length, value.data.length, `${label}: length`);
  const [rtol, atol] = actual.dtype === "float64" ? [1e-7, 1e-7] : [1e-4, 1e-5];
  for (let i = 0; i < actual.data.length; i++) {
    const a = actual.data[i];
    const e = value.data[i];
    if (!(Math.abs(a - e) <= atol + rtol * magnitude.data[i])) {
      assert.fail(`${label}: element ${i} is ${a}, cpu (float64) gives ${e}, Σ|terms| ${magnitude.data[i]} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

function assertSame(actual: KernelTensor, expected: KernelTensor, label: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${label}: dtype`);
  assert.deepEqual(Array.from(actual.data), Array.from(expected.data), `${label}: values`);
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
  { label: "3x3 valid, batch 2", x: [2, 7, 8, 3], w: [3, 3, 3, 4] },
  // C <= 4 takes the direct loop: outC 40 is a full block of 32 (16 in float64) sums and a tail.
  { label: "direct: 1 channel in, 40 out, padded, stride 2", x: [2, 10, 9, 1], w: [3, 3, 1, 40], strides: [2, 2], padding: [[1, 1], [1, 1]] },
  { label: "direct: 4 channels in, 64 out", x: [2, 6, 7, 4], w: [3, 2, 4, 64] },
  // Rows of 13 and 26 outputs: whole blocks of pixels plus a last block shifted left (recomputing a few pixels).
  { label: "direct: the small CNN's first conv (batch 3)", x: [3, 28, 28, 1], w: [3, 3, 1, 32] },
  { label: "direct: 3 channels, 7x7 stride 2, padding 3 (an image net's first layer)", x: [2, 23, 21, 3], w: [7, 7, 3, 20], strides: [2, 2], padding: [[3, 3], [3, 3]] },
  { label: "direct: 2 channels, dilation 2, asymmetric padding, rows of 13", x: [2, 15, 15, 2], w: [3, 3, 2, 17], padding: [[2, 1], [0, 2]], dilations: [2, 2] },
  { label: "direct: rows shorter than a block of pixels", x: [2, 5, 4, 1], w: [2, 2, 1, 3] },
  { label: "direct conv1d, stride 3", x: [2, 30, 2], w: [4, 2, 33], strides: [3], padding: [[2, 1]] },
  { label: "3x3 stride 2, asymmetric padding", x: [3, 9, 8, 3], w: [3, 3, 3, 5], strides: [2, 2], padding: [[1, 1], [1, 0]] },
  { label: "stride [2,1]", x: [2, 7, 6, 2], w: [3, 2, 2, 3], strides: [2, 1] },
  { label: "stride > kernel, padded", x: [2, 7, 5, 2], w: [2, 2, 2, 3], strides: [3, 3], padding: [[1, 1], [0, 1]] },
  { label: "dilation 2, padding 2", x: [2, 9, 9, 3], w: [3, 3, 3, 4], padding: [[2, 2], [2, 2]], dilations: [2, 2] },
  { label: "dilation [1,3], stride 2", x: [2, 10, 11, 2], w: [2, 3, 2, 3], strides: [2, 2], dilations: [1, 3] },
  { label: "groups 3", x: [2, 6, 7, 6], w: [3, 3, 2, 9], padding: [[1, 1], [1, 1]], groups: 3 },
  { label: "depthwise (multiplier 2)", x: [2, 8, 8, 4], w: [3, 3, 1, 8], padding: [[1, 1], [1, 1]], groups: 4 },
  { label: "depthwise, stride 2", x: [3, 9, 9, 5], w: [3, 3, 1, 5], strides: [2, 2], groups: 5 },
  { label: "1x1 (pointwise GEMM)", x: [3, 5, 6, 7], w: [1, 1, 7, 4] },
  { label: "1x1 grouped", x: [2, 5, 5, 6], w: [1, 1, 3, 4], groups: 2 },
  { label: "1x1 stride 2", x: [2, 6, 7, 3], w: [1, 1, 3, 4], strides: [2, 2] },
  { label: "1x1 padded", x: [2, 4, 4, 3], w: [1, 1, 3, 2], padding: [[1, 0], [0, 1]] },
  { label: "kernel larger than input (empty output)", x: [2, 2, 2, 3], w: [3, 3, 3, 2] },
  { label: "blocks cross image boundaries (48x48x16, batch 4)", x: [4, 48, 48, 16], w: [3, 3, 16, 8] },
  { label: "the small CNN's second conv (batch 8)", x: [8, 13, 13, 32], w: [3, 3, 32, 64] },
  { label: "conv1d, stride 2, padding", x: [3, 10, 4], w: [3, 4, 5], strides: [2], padding: [[1, 2]] },
  { label: "conv1d, dilation 2, groups 2", x: [2, 12, 4], w: [3, 2, 6], dilations: [2], groups: 2 },
  {
    label: "conv3d, strides, padding, dilation",
    x: [2, 4, 5, 6, 2], w: [2, 3, 2, 2, 3], strides: [1, 2, 1], padding: [[1, 0], [1, 1], [0, 1]], dilations: [1, 1, 2],
  },
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
    test(`native conv ${dtype}: ${c.label}`, { skip }, () => {
      const k = kernels();
      const attrs = convAttrs(c);
      const x = random(c.x, dtype);
      const w = random(c.w, dtype);
      const y = reference((i) => cpu.conv(i, attrs), [x, w]);
      assertClose(k.conv!([x, w], attrs), y, "conv");
      const dy = random([...y.value.shape], dtype);
      const inputShape = [...c.x];
      const filterShape = [...c.w];
      assertClose(
        k.convBackpropInput!([dy, w], { ...attrs, inputShape }),
        reference((i) => cpu.convBackpropInput(i, { ...attrs, inputShape }), [dy, w]),
        "convBackpropInput",
      );
      assertClose(
        k.convBackpropFilter!([x, dy], { ...attrs, filterShape }),
        reference((i) => cpu.convBackpropFilter(i, { ...attrs, filterShape }), [x, dy]),
        "convBackpropFilter",
      );
    });
  }
}

interface PoolCase {
  label: string;
  x: number[];
  window: number[];
  strides: number[];
  padding?: [number, number][];
}

const poolCases: PoolCase[] = [
  { label: "2x2 stride 2", x: [2, 8, 8, 3], window: [2, 2], strides: [2, 2] },
  { label: "2x2 stride 2, odd size (floor)", x: [3, 7, 9, 2], window: [2, 2], strides: [2, 2] },
  { label: "3x3 stride 2, padding 1", x: [2, 9, 9, 4], window: [3, 3], strides: [2, 2], padding: [[1, 1], [1, 1]] },
  { label: "3x3 stride 1, same padding", x: [2, 6, 5, 3], window: [3, 3], strides: [1, 1], padding: [[1, 1], [1, 1]] },
  { label: "windows wholly in padding", x: [1, 3, 3, 2], window: [2, 2], strides: [1, 1], padding: [[2, 0], [0, 2]] },
  { label: "3x2 window, stride [1,2]", x: [2, 7, 8, 3], window: [3, 2], strides: [1, 2] },
  { label: "threaded (batch 8, 32x32x16)", x: [8, 32, 32, 16], window: [2, 2], strides: [2, 2] },
  // Disjoint windows: each input position written once; covering ones need no zeroing first.
  { label: "the small CNN's pooling (covering, batch 4, 26x26x32)", x: [4, 26, 26, 32], window: [2, 2], strides: [2, 2] },
  { label: "disjoint, last row and column uncovered (11x11x64)", x: [3, 11, 11, 64], window: [2, 2], strides: [2, 2] },
  { label: "disjoint with gaps (stride 3 > window 2)", x: [2, 9, 10, 5], window: [2, 2], strides: [3, 3] },
  { label: "disjoint, padded", x: [2, 7, 7, 3], window: [2, 2], strides: [2, 2], padding: [[1, 0], [0, 1]] },
  { label: "threaded, overlapping windows", x: [8, 26, 26, 32], window: [3, 3], strides: [2, 2], padding: [[1, 1], [1, 1]] },
  { label: "1-d", x: [3, 11, 4], window: [3], strides: [2], padding: [[1, 1]] },
  { label: "3-d", x: [2, 4, 5, 6, 3], window: [2, 2, 3], strides: [2, 1, 2], padding: [[0, 1], [1, 0], [1, 1]] },
];

function poolAttrs(c: PoolCase): PoolAttrs {
  return { windowShape: c.window, strides: c.strides, padding: c.padding ?? c.window.map((): [number, number] => [0, 0]) };
}

for (const dtype of ["float32", "float64"] as const) {
  for (const c of poolCases) {
    test(`native pooling ${dtype}: ${c.label}`, { skip }, () => {
      const k = kernels();
      const attrs = poolAttrs(c);
      // Few levels: many ties, so "the first maximum wins" is exercised.
      const x = random(c.x, dtype, 4);
      const y = cpu.maxPool([x], attrs);
      assertSame(k.maxPool!([x], attrs), y, "maxPool");
      const dy = random([...y.shape], dtype);
      assertSame(k.maxPoolGrad!([x, dy], attrs), cpu.maxPoolGrad([x, dy], attrs), "maxPoolGrad");
      assertSame(k.avgPool!([x], attrs), cpu.avgPool([x], attrs), "avgPool");
      const inputShape = [...c.x];
      assertSame(k.avgPoolGrad!([dy], { ...attrs, inputShape }), cpu.avgPoolGrad([dy], { ...attrs, inputShape }), "avgPoolGrad");
    });
  }
}

test("native maxPool: NaN wins as the cpu kernel says (the first NaN, and it stays)", { skip }, () => {
  const k = kernels();
  const x = random([2, 4, 4, 2], "float32");
  const d = x.data as Float32Array;
  d[0] = NaN;
  d[5 * 2 + 1] = NaN;
  d[2 * 16 + 3] = NaN;
  const attrs: PoolAttrs = { windowShape: [2, 2], strides: [1, 1], padding: [[1, 0], [0, 1]] };
  assertSame(k.maxPool!([x], attrs), cpu.maxPool([x], attrs), "maxPool");
  const dy = random([2, 4, 4, 2], "float32");
  assertSame(k.maxPoolGrad!([x, dy], attrs), cpu.maxPoolGrad([x, dy], attrs), "maxPoolGrad");
});

test("native maxPool with disjoint windows: NaN and ties route as the cpu kernel says", { skip }, () => {
  const k = kernels();
  for (const dtype of ["float32", "float64"] as const) {
    const x = random([2, 6, 6, 3], dtype, 2);
    const d = x.data;
    d[0] = NaN; // a window whose first position is NaN
    d[4 * 3 + 1] = NaN; // a NaN after other values
    d[(6 + 5) * 3 + 2] = NaN;
    d[(6 * 6 + 7) * 3] = NaN;
    d[(6 * 6 + 8) * 3] = NaN; // two NaNs in one window: the first takes dy
    const attrs: PoolAttrs = { windowShape: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]] };
    const y = cpu.maxPool([x], attrs);
    assertSame(k.maxPool!([x], attrs), y, `${dtype} maxPool`);
    const dy = random([...y.shape], dtype);
    assertSame(k.maxPoolGrad!([x, dy], attrs), cpu.maxPoolGrad([x, dy], attrs), `${dtype} maxPoolGrad`);
  }
});

test("native conv kernels: other dtypes fall back to cpu; subarray inputs work", { skip }, () => {
  const k = kernels();
  const attrs: ConvAttrs = { strides: [1, 1], padding: [[1, 1], [1, 1]], dilations: [1, 1], groups: 1 };
  const xi: KernelTensor = { shape: [1, 4, 4, 2], dtype: "int32", data: Int32Array.from({ length: 32 }, (_, i) => (i % 7) - 3) };
  const wi: KernelTensor = { shape: [3, 3, 2, 2], dtype: "int32", data: Int32Array.from({ length: 36 }, (_, i) => (i % 5) - 2) };
  assertSame(k.conv!([xi, wi], attrs), cpu.conv([xi, wi], attrs), "int32 conv");
  const big = random([100], "float32");
  const x: KernelTensor = { shape: [1, 4, 4, 2], dtype: "float32", data: (big.data as Float32Array).subarray(7, 39) };
  const w = random([3, 3, 2, 2], "float32");
  assertClose(k.conv!([x, w], attrs), reference((i) => cpu.conv(i, attrs), [x, w]), "conv on a subarray");
  const pa: PoolAttrs = { windowShape: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]] };
  const xb: KernelTensor = { shape: [1, 4, 4, 2], dtype: "bool", data: Uint8Array.from({ length: 32 }, (_, i) => i % 2) };
  assertSame(k.maxPool!([xb], pa), cpu.maxPool([xb], pa), "bool maxPool");
});

test("native conv addon: inconsistent arrays are a thrown error, not a crash", { skip }, () => {
  assert.ok(hasConvFunctions(addon));
  const geometry = Int32Array.from([1, 1, 4, 4, 2, 1, 2, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 2]);
  assert.throws(() => addon.convForward(new Float32Array(31), new Float32Array(36), new Float32Array(8), geometry), /convForward: .*elements/);
  assert.throws(() => addon.convForward(new Float32Array(32), new Float64Array(36), new Float32Array(8), geometry), /convForward: /);
  assert.throws(() => addon.maxPool(new Float32Array(32), new Float32Array(8), new Int32Array(3)), /maxPool: /);
});

test("nativeConvKernels is populated when the addon is built", { skip }, () => {
  kernels();
  for (const name of ["conv", "fusedConv", "convBackpropInput", "convBackpropFilter", "maxPool", "maxPoolGrad", "avgPool", "avgPoolGrad"] as const) {
    assert.equal(typeof nativeConvKernels[name], "function", name);
  }
});
