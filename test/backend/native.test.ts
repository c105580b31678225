/**
 * The native backend against the cpu reference, kernel by kernel, on random data (float32 and float64, broadcasting,
 * transposes, big inputs that take the threaded paths), with the tolerances of ../shared/DESIGN.md; its info and
 * thread setting; and, when the addon is disabled or absent, the fallback to cpu.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import * as tn from "../../src/node.js";
import type { DType, TypedArray } from "../../src/core/dtype.js";
import { allocArray } from "../../src/core/dtype.js";
import type { Kernel, KernelTensor } from "../../src/backend/backend.js";
import { cpuBackend } from "../../src/backend/cpu/index.js";
import { NATIVE_NOTICE, loadAddon, nativeLoadError } from "../../src/backend/native/addon.js";
import { nativeBackend, NATIVE_PRIMITIVES } from "../../src/backend/native/index.js";
import { setSmallThreshold } from "../../src/backend/native/kernels.js";
import type { Attrs, Primitive } from "../../src/backend/primitives.js";

const native = nativeBackend;
const skip = native === null ? `native addon not loaded (${nativeLoadError()})` : false;
// Tiny inputs normally take the cpu loop (cheaper than a Node-API call): test the native loops on them too.
setSmallThreshold(0);

// ---- data and comparison ----

let seed = 12345;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
}

function kt(shape: number[], dtype: DType, gen: () => number = () => rand() * 4 - 2): KernelTensor {
  let size = 1;
  for (const d of shape) size *= d;
  const data = allocArray(dtype, size);
  for (let i = 0; i < size; i++) data[i] = gen();
  return { shape, dtype, data };
}

const TOL: Record<string, { rtol: number; atol: number }> = {
  float64: { rtol: 1e-7, atol: 1e-7 },
  float32: { rtol: 1.3e-6, atol: 1e-5 },
  float32acc: { rtol: 1e-4, atol: 1e-5 },
};

function close(label: string, got: KernelTensor, want: KernelTensor, accumulating = false): void {
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  assert.equal(got.dtype, want.dtype, `${label}: dtype`);
  assert.equal(got.data.constructor, want.data.constructor, `${label}: array type`);
  assert.equal(got.data.length, want.data.length, `${label}: length`);
  const exact = got.dtype !== "float32" && got.dtype !== "float64";
  const { rtol, atol } = TOL[got.dtype === "float32" && accumulating ? "float32acc" : got.dtype] ?? { rtol: 0, atol: 0 };
  for (let i = 0; i < got.data.length; i++) {
    const g = got.data[i];
    const w = want.data[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : exact || !Number.isFinite(w) ? g === w : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) assert.fail(`${label}: [${i}] got ${g}, want ${w}`);
  }
}

function both<P extends Primitive>(prim: P, inputs: KernelTensor[], attrs: Attrs<P>, accumulating = false): void {
  const nk = native?.kernels[prim] as Kernel<P> | undefined;
  const ck = cpuBackend.kernels[prim] as Kernel<P>;
  assert.ok(nk !== undefined, `native has no ${prim} kernel`);
  const label = `${prim}(${inputs.map((t) => `${t.dtype}[${t.shape.join(",")}]`).join(", ")}, ${JSON.stringify(attrs)})`;
  close(label, nk(inputs, attrs) as KernelTensor, ck(inputs, attrs) as KernelTensor, accumulating);
}

const FLOATS: DType[] = ["float32", "float64"];
const NONE = {} as Record<string, never>;

// ---- kernels ----

test("unary kernels match cpu (float32, float64, int32 via fallback; small and threaded sizes)", { skip }, () => {
  const names = ["neg", "abs", "sign", "square", "sqrt", "rsqrt", "reciprocal", "exp", "expm1", "log", "log1p", "sin",
    "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "erf", "floor", "ceil", "round", "sigmoid", "relu"] as const;
  for (const name of names) {
    for (const dtype of FLOATS) {
      const small = kt([5, 7], dtype, () => (rand() - 0.5) * 6);
      small.data[0] = NaN;
      small.data[1] = 0;
      small.data[2] = 2.5; // round: half to even
      small.data[3] = -Infinity;
      both(name, [small], NONE);
      both(name, [kt([400, 400], dtype, () => (rand() - 0.5) * 6)], NONE);
    }
  }
  for (const name of ["neg", "abs", "sign", "square", "relu"] as const) both(name, [kt([4, 6], "int32", () => Math.floor(rand() * 20) - 10)], NONE);
});

test("binary kernels match cpu, with broadcasting (float32, float64, int32)", { skip }, () => {
  const names = ["add", "sub", "mul", "div", "floorDiv", "mod", "pow", "atan2", "maximum", "minimum", "equal",
    "notEqual", "less", "lessEqual", "greater", "greaterEqual"] as const;
  const shapes: [number[], number[]][] = [
    [[4, 5], [4, 5]],
    [[4, 1, 5], [3, 1]],
    [[], [6, 7]],
    [[6, 7], []],
    [[2, 3, 4], [4]],
    [[2, 1, 4], [1, 3, 1]],
    [[1], [5]],
    [[0, 3], [3]],
    // Rank 40 (size-1 dims between): more dims than the geometry scratch starts with.
    [[3, ...new Array<number>(38).fill(1), 4], [2, 1, 4]],
  ];
  // Big enough for the threaded paths (more than 2^17 elements); the loop structure is the same for every op.
  const big: [number[], number[]][] = [
    [[400, 400], [400]],
    [[400, 1], [400, 400]],
    [[400, 400], [400, 400]],
  ];
  const bigOps = new Set(["add", "mul", "pow", "maximum", "less"]);
  for (const name of names) {
    for (const dtype of [...FLOATS, "int32" as DType]) {
      const gen = dtype === "int32" ? () => Math.floor(rand() * 9) + 1 : () => Math.round((rand() - 0.5) * 8 * 4) / 4;
      for (const [sa, sb] of bigOps.has(name) ? [...shapes, ...big] : shapes) {
        const a = kt(sa, dtype, gen);
        const b = kt(sb, dtype, gen);
        if (a.data.length > 2 && dtype !== "int32") a.data[1] = NaN;
        both(name, [a, b], NONE);
      }
    }
  }
});

test("cast matches cpu", { skip }, () => {
  const pairs: [DType, DType][] = [["float32", "float64"], ["float64", "float32"], ["int32", "float32"], ["int32", "float64"],
    ["bool", "float32"], ["uint8", "float64"], ["float64", "int32"], ["float32", "bool"]];
  for (const [from, to] of pairs) {
    const gen = from === "bool" ? () => (rand() < 0.5 ? 1 : 0) : from === "uint8" ? () => Math.floor(rand() * 256) : () => (rand() - 0.5) * 1000;
    both("cast", [kt([300, 700], from, gen)], { dtype: to });
    both("cast", [kt([3], from, gen)], { dtype: to });
  }
});

test("reductions match cpu over any axes (float32, float64, int32 via fallback)", { skip }, () => {
  const cases: [number[], number[]][] = [
    [[6, 7, 8], [0]], [[6, 7, 8], [1]], [[6, 7, 8], [2]], [[6, 7, 8], [0, 2]], [[6, 7, 8], [0, 1, 2]], [[6, 7, 8], []],
    [[1, 5, 1], [0, 2]], [[], []], [[0, 3], [0]], [[3, 0], [1]],
    [[1000, 300], [0]], [[1000, 300], [1]], [[1000, 300], [0, 1]], [[200000], [0]], [[40, 50, 60], [0, 2]],
    [[3, ...new Array<number>(38).fill(1), 4, 5], [0, 40]],
  ];
  for (const name of ["sum", "prod", "max", "min"] as const) {
    for (const dtype of FLOATS) {
      for (const [shape, axes] of cases) {
        const gen = name === "prod" ? () => 1 + (rand() - 0.5) * 0.01 : () => (rand() - 0.5) * 4;
        both(name, [kt(shape, dtype, gen)], { axes }, true);
      }
      const withNaN = kt([4, 9], dtype);
      withNaN.data[13] = NaN;
      both(name, [withNaN], { axes: [1] }, true);
      both(name, [withNaN], { axes: [0, 1] }, true);
    }
    both(name, [kt([5, 6], "int32", () => Math.floor(rand() * 7) - 3)], { axes: [1] });
  }
});

test("matMul matches cpu: transposes, batches, broadcast batch dims, empty and k = 0 (float32, float64)", { skip }, () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 3, 4, 5], [2, 3, 5, 6], false, false],
    [[3, 1, 4, 5], [2, 5, 6], false, false],
    [[3, 1, 5, 4], [2, 6, 5], true, true],
    [[2, 4, 5], [5, 3], false, false],
    [[4, 5], [2, 5, 3], false, false],
    [[2, 5, 4], [3, 5], true, true],
    [[3, 0], [0, 4], false, false],
    [[0, 3], [3, 4], false, false],
    [[1, 1], [1, 1], false, false],
    [[130, 257], [257, 65], false, false],
    [[257, 130], [65, 257], true, true],
  ];
  for (const dtype of FLOATS) {
    // Values in [-0.5, 0.5): float32 rounding over k terms stays within the accumulating tolerance.
    const gen = (): number => rand() - 0.5;
    for (const [sa, sb, transposeA, transposeB] of cases) both("matMul", [kt(sa, dtype, gen), kt(sb, dtype, gen)], { transposeA, transposeB }, true);
  }
  both("matMul", [kt([3, 4], "int32", () => Math.floor(rand() * 5)), kt([4, 2], "int32", () => Math.floor(rand() * 5))], { transposeA: false, transposeB: false });
});

test("transpose matches cpu for every dtype, with size-1 dims and big 2-d blocks", { skip }, () => {
  const cases: [number[], number[]][] = [
    [[2, 3, 4], [0, 1, 2]], [[2, 3, 4], [0, 2, 1]], [[2, 3, 4], [1, 0, 2]], [[2, 3, 4], [1, 2, 0]], [[2, 3, 4], [2, 0, 1]],
    [[2, 3, 4], [2, 1, 0]], [[1, 5, 1, 3], [3, 2, 1, 0]], [[64, 65], [1, 0]], [[300, 500], [1, 0]], [[7], [0]], [[], []],
    [[0, 4], [1, 0]], [[20, 30, 40, 5], [0, 3, 1, 2]], [[3, 4, 5, 6, 7], [4, 2, 0, 3, 1]],
  ];
  for (const dtype of ["float32", "float64", "int32", "bool", "uint8"] as DType[]) {
    const gen = dtype === "bool" ? () => (rand() < 0.5 ? 1 : 0) : () => Math.floor(rand() * 100);
    for (const [shape, perm] of cases) both("transpose", [kt(shape, dtype, gen)], { perm });
  }
});

test("gather and gatherGrad match cpu (axis, batchDims, duplicate indices)", { skip }, () => {
  const cases: [number[], number[], number, number][] = [
    [[10, 4], [6], 0, 0],
    [[10, 4], [2, 3], 0, 0],
    [[3, 10], [5], 1, 0],
    [[3, 5, 4], [3, 2], 1, 1],
    [[2, 3, 5, 4], [2, 3, 2], 2, 2],
    [[1000, 64], [128, 20], 0, 0],
    [[10, 4], [0], 0, 0],
  ];
  for (const dtype of ["float32", "float64", "int32"] as DType[]) {
    for (const [xShape, iShape, axis, batchDims] of cases) {
      const n = xShape[axis];
      const x = kt(xShape, dtype, () => Math.floor(rand() * 100) / 8);
      const indices = kt(iShape, "int32", () => Math.floor(rand() * n));
      both("gather", [x, indices], { axis, batchDims });
      const outShape = [...xShape.slice(0, axis), ...iShape.slice(batchDims), ...xShape.slice(axis + 1)];
      both("gatherGrad", [kt(outShape, dtype, () => Math.floor(rand() * 100) / 8), indices], { axis, batchDims, shape: xShape });
    }
  }
});

test("where matches cpu for every dtype, with broadcasting of all three inputs", { skip }, () => {
  const cases: [number[], number[], number[]][] = [
    [[4, 5], [4, 5], [4, 5]],
    [[4, 1], [1, 5], []],
    [[], [3, 4], [3, 4]],
    [[2, 3, 4], [4], [2, 1, 4]],
    [[3, 1, 5], [3, 4, 1], [1, 5]],
    [[0, 3], [3], [3]],
    // Threaded sizes: relu's gradient where(x > 0, dy, 0), and broadcast rows.
    [[400, 400], [400, 400], []],
    [[400, 1], [400, 400], [400]],
    [[400, 400], [], [400, 400]],
  ];
  const bit = (): number => (rand() < 0.5 ? 1 : 0);
  for (const dtype of ["float32", "float64", "int32", "bool", "uint8"] as DType[]) {
    const gen = dtype === "bool" ? bit : dtype === "uint8" ? () => Math.floor(rand() * 256) : dtype === "int32" ? () => Math.floor(rand() * 200) - 100 : undefined;
    for (const [sc, sa, sb] of cases) {
      const a = kt(sa, dtype, gen);
      if (a.data.length > 1 && (dtype === "float32" || dtype === "float64")) a.data[1] = NaN;
      both("where", [kt(sc, "bool", bit), a, kt(sb, dtype, gen)], NONE);
    }
  }
});

/** Distance in float32 ulps (of the float64 value's float32 neighbourhood) between got and the float64 want. */
function ulps(got: number, want: number): number {
  if (Number.isNaN(want)) return Number.isNaN(got) ? 0 : Infinity;
  const w = Math.fround(want);
  if (Object.is(got, w)) return 0;
  if (!Number.isFinite(w) || !Number.isFinite(got)) return Infinity;
  const e = Math.max(Math.floor(Math.log2(Math.abs(w) || 2 ** -149)), -126);
  return Math.abs(got - want) / 2 ** (e - 23);
}

test("float32 exp, tanh and sigmoid are within 1 ulp of float64 over the whole range, with ±0, ±inf and NaN", { skip }, () => {
  const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
  const refs = { exp: Math.exp, tanh: Math.tanh, sigmoid } as const;
  const values = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1e-38, -1e-30, 88.72, 88.73, 89, -87.3, -103.9, -104,
    -110, 9, 9.02, -9.02, 17, -17, 20, 1e30, -1e30, 3.4e38, -3.4e38, 0.5, -0.5, 0.549, 1e-4, -1e-4, 2 ** -12];
  for (let i = 0; i < 20000; i++) values.push((rand() - 0.5) * 60); // the interesting range, densely
  for (let i = 0; i < 20000; i++) values.push((rand() < 0.5 ? -1 : 1) * 2 ** (rand() * 60 - 40)); // every scale
  const x: KernelTensor = { shape: [values.length], dtype: "float32", data: Float32Array.from(values) };
  for (const [name, ref] of Object.entries(refs) as [keyof typeof refs, (v: number) => number][]) {
    const y = (native?.kernels[name] as Kernel<typeof name>)([x], NONE) as KernelTensor;
    for (let i = 0; i < values.length; i++) {
      const xi = x.data[i];
      const want = ref(xi);
      const u = ulps(y.data[i], want);
      if (!(u <= 1)) assert.fail(`${name}(${xi}) = ${y.data[i]}, want ${want} (${u} ulp)`);
    }
    if (name === "tanh") assert.ok(Object.is(y.data[1], -0), "tanh(-0) is -0");
  }
});

test("reluGrad matches cpu and passes dy only where x > 0 (0 at 0, at NaN and below)", { skip }, () => {
  for (const dtype of FLOATS) {
    const x = kt([3, 4], dtype);
    x.data.set([0, -0, NaN, -1, 1, 2, -Infinity, Infinity, 1e-30, -1e-30, 3, 0]);
    const dy = kt([3, 4], dtype);
    dy.data[11] = NaN;
    const y = (native?.kernels.reluGrad as Kernel<"reluGrad">)([dy, x], NONE) as KernelTensor;
    for (let i = 0; i < 12; i++) assert.ok(Object.is(y.data[i], x.data[i] > 0 ? dy.data[i] : 0), `reluGrad [${i}]`);
    both("reluGrad", [dy, x], NONE);
    both("reluGrad", [kt([400, 400], dtype), kt([400, 400], dtype)], NONE);
    both("reluGrad", [kt([0, 3], dtype), kt([0, 3], dtype)], NONE);
  }
});

test("relu's gradient (reluGrad) and its own gradient agree with hand-computed values on native", { skip }, () => {
  const previous = tn.getBackend();
  try {
    tn.setBackend("native");
    const xs = [-2, -0.5, 0, 0.5, 3, 0, 1, -1];
    const x = tn.tensor(xs, [2, 4], "float64");
    const w = tn.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], "float64");
    // d/dx Σ relu(x)·w = w where x > 0
    const dx = tn.grad((t) => tn.sum(tn.mul(tn.relu(t), w)))(x).dataSync();
    assert.deepEqual(Array.from(dx), xs.map((v, i) => (v > 0 ? i + 1 : 0)));
    // The gradient's gradient in its seed: d/dc Σ (∂/∂x Σ relu(x)·c)·w = w where x > 0
    const dc = tn.grad((c) => tn.sum(tn.mul(tn.grad((t) => tn.sum(tn.mul(tn.relu(t), c)))(x), w)))(tn.onesLike(x)).dataSync();
    assert.deepEqual(Array.from(dc), xs.map((v, i) => (v > 0 ? i + 1 : 0)));
  } finally {
    tn.setBackend(previous);
  }
});

test("concat matches cpu for every dtype: first, middle and last axes, empty parts, many parts, big threaded copies", { skip }, () => {
  const cases: [number[][], number][] = [
    [[[2, 3], [4, 3]], 0],
    [[[2, 3], [2, 5], [2, 1]], 1],
    [[[2, 3, 4], [2, 0, 4], [2, 2, 4]], 1],
    [[[3, 2, 2], [3, 2, 5]], 2],
    [[[5], [0], [7]], 0],
    [[[0, 3], [0, 4]], 1],
    [Array.from({ length: 9 }, (_, i) => [4, i + 1, 3]), 1],
    [[[64, 128], [64, 128], [64, 128], [64, 128]], 1], // LSTM gates
    [[[300, 500], [300, 700]], 1],
    [[[700, 300], [500, 300]], 0],
  ];
  const bit = (): number => (rand() < 0.5 ? 1 : 0);
  for (const dtype of ["float32", "float64", "int32", "bool", "uint8"] as DType[]) {
    const gen = dtype === "bool" ? bit : dtype === "uint8" ? () => Math.floor(rand() * 256) : dtype === "int32" ? () => Math.floor(rand() * 200) - 100 : undefined;
    for (const [shapes, axis] of cases) {
      const parts = shapes.map((s) => kt(s, dtype, gen));
      both("concat", parts, { axis });
      // Against a reference built here: row r of the result is row r of each part in turn.
      const got = (native?.kernels.concat as Kernel<"concat">)(parts, { axis }) as KernelTensor;
      const outer = shapes[0].slice(0, axis).reduce((a, b) => a * b, 1);
      const want: number[] = [];
      for (let r = 0; r < outer; r++) {
        for (const p of parts) {
          const n = p.data.length / Math.max(outer, 1);
          for (let k = 0; k < n; k++) want.push(p.data[r * n + k]);
        }
      }
      assert.deepEqual(Array.from(got.data), want, `concat ${dtype} ${JSON.stringify(shapes)} axis ${axis}`);
    }
  }
});

test("argMax and argMin match cpu: any axis, ties go to the first, NaN wins (float32, float64, int32 via fallback)", { skip }, () => {
  const cases: [number[], number][] = [
    [[6, 7, 8], 0], [[6, 7, 8], 1], [[6, 7, 8], 2], [[9], 0], [[1, 5, 1], 1], [[128, 10], 1], [[1000, 300], 0], [[1000, 300], 1],
  ];
  for (const name of ["argMax", "argMin"] as const) {
    for (const dtype of FLOATS) {
      // Few distinct values: many ties.
      for (const [shape, axis] of cases) both(name, [kt(shape, dtype, () => Math.floor(rand() * 5))], { axis });
      const withNaN = kt([5, 9], dtype, () => Math.floor(rand() * 5));
      withNaN.data[13] = NaN;
      withNaN.data[15] = NaN;
      withNaN.data[40] = NaN;
      both(name, [withNaN], { axis: 1 });
      both(name, [withNaN], { axis: 0 });
    }
    both(name, [kt([6, 7], "int32", () => Math.floor(rand() * 5))], { axis: 1 });
  }
});

test("broadcastTo matches cpu for every dtype (size-1 and missing leading dims, big threaded copies)", { skip }, () => {
  const cases: [number[], number[]][] = [
    [[3], [4, 3]], [[4, 1], [4, 5]], [[], [6, 7]], [[2, 1, 3], [2, 4, 3]], [[1, 3, 1], [5, 3, 2]], [[3], [0, 3]], [[2, 3], [2, 3]],
    [[400], [400, 400]], [[400, 1], [400, 400]], [[1, 400, 1], [3, 400, 200]],
  ];
  for (const dtype of ["float32", "float64", "int32", "bool"] as DType[]) {
    const gen = dtype === "bool" ? () => (rand() < 0.5 ? 1 : 0) : () => Math.floor(rand() * 100);
    for (const [from, to] of cases) both("broadcastTo", [kt(from, dtype, gen)], { shape: to });
  }
});

test("strided slices match cpu: steps, reversed axes, contiguous views (every dtype)", { skip }, () => {
  const cases: [number[], number[], number[], number[]][] = [
    [[10, 12], [1, 2], [9, 11], [2, 3]],
    [[10, 12], [9, 11], [-1, -1], [-1, -2]],
    [[10, 12], [2, 0], [5, 12], [1, 1]], // contiguous: a view
    [[4, 5, 6], [0, 4, 0], [4, -1, 6], [1, -1, 1]],
    [[4, 5, 6], [3, 0, 5], [0, 5, 0], [-2, 2, -3]],
    [[400, 400], [0, 0], [400, 400], [1, 2]],
    [[400, 400], [399, 0], [-1, 400], [-1, 1]],
    [[5, 6], [2, 0], [2, 6], [1, 1]], // empty
  ];
  for (const dtype of ["float32", "float64", "int32", "uint8"] as DType[]) {
    for (const [shape, begin, end, strides] of cases) both("stridedSlice", [kt(shape, dtype, () => Math.floor(rand() * 100))], { begin, end, strides });
  }
});

test("a bad index is an error, never a read out of bounds", { skip }, () => {
  const gather = native?.kernels.gather as Kernel<"gather">;
  const x = kt([10, 4], "float32");
  for (const bad of [10, -1]) {
    const indices: KernelTensor = { shape: [2], dtype: "int32", data: Int32Array.from([1, bad]) };
    assert.throws(() => gather([x, indices], { axis: 0, batchDims: 0 }), /out of range/);
  }
});

test("the public ops run on native when it is active, and agree with cpu", { skip }, () => {
  const previous = tn.getBackend();
  try {
    const a = tn.randomUniform([64, 48], -1, 1, "float32", 1);
    const b = tn.randomUniform([48, 32], -1, 1, "float32", 2);
    const f = (): TypedArray => tn.sum(tn.relu(tn.matMul(a, b).add(0.5)), { axis: 1 }).exp().dataSync() as TypedArray;
    tn.setBackend("native");
    const viaNative = f();
    tn.setBackend("cpu");
    const viaCpu = f();
    close("composite", { shape: [64], dtype: "float32", data: viaNative }, { shape: [64], dtype: "float32", data: viaCpu }, true);
  } finally {
    tn.setBackend(previous);
  }
});

// ---- info, threads, fallback ----

test("backendInfo names the BLAS, threads, compiler flags and the native kernels", { skip }, () => {
  const info = tn.backendInfo("native");
  assert.equal(info.name, "native");
  assert.equal(typeof info.blas, "string");
  assert.ok((info.blas as string).length > 0);
  if (info.blasSwitch === "openblas") {
    assert.equal(info.blas, "OpenBLAS");
    assert.match(info.blasConfig as string, /OpenBLAS/);
  }
  assert.ok(Number.isInteger(info.threads) && (info.threads as number) >= 1);
  assert.match(info.cflags as string, /-O3/);
  assert.match(info.compiler as string, /\w/);
  assert.match(info.implementation as string, /Node-API/);
  for (const p of ["matMul", "add", "exp", "sum", "transpose", "gather"]) assert.ok(info.kernels.includes(p), `missing ${p}`);
  assert.deepEqual(info.kernels, [...NATIVE_PRIMITIVES].filter((p) => info.kernels.includes(p)));
  assert.equal(tn.backends()[0], "native", "native is the preferred backend when its addon is built");
});

test("setThreads sets the threads of the own loops and the BLAS; results do not change", { skip }, () => {
  const before = tn.getThreads();
  const x = kt([600, 600], "float32", () => rand() - 0.5);
  const reference = cpuBackend.kernels.matMul?.([x, x], { transposeA: false, transposeB: false }) as KernelTensor;
  try {
    for (const n of [1, 2]) {
      tn.setThreads(n);
      assert.equal(tn.getThreads(), n);
      assert.equal(tn.backendInfo("native").threads, n);
      const addon = loadAddon();
      if (addon?.info().blas === "OpenBLAS") assert.equal(addon.info().blasThreads, n);
      close(`matMul with ${n} threads`, native?.kernels.matMul?.([x, x], { transposeA: false, transposeB: false }) as KernelTensor, reference, true);
      both("exp", [kt([400, 1000], "float32")], NONE);
      both("sum", [kt([1000, 400], "float64")], { axes: [0] }, true);
    }
    assert.throws(() => tn.setThreads(0), RangeError);
    assert.throws(() => tn.setThreads(1.5), RangeError);
  } finally {
    tn.setThreads(before);
  }
});

test("the install notice says how to get the native backend, in one line", () => {
  const r = spawnSync(process.execPath, ["scripts/build-native.mjs", "--notice"], { encoding: "utf8" });
  assert.equal(r.status, 0);
  const line = r.stdout.trim();
  assert.equal(line.split("\n").length, 1);
  assert.match(line, /apt-get install libopenblas-dev/);
  assert.match(line, /brew install openblas/);
  assert.match(line, /npm run build:native/);
  assert.equal(line, NATIVE_NOTICE, "scripts/build-native.mjs and src/backend/native/addon.ts say the same");
});

test("without the addon (TENSILE_NATIVE=0 or not built), native is absent and everything runs on cpu", { skip: native !== null ? "the addon is loaded" : false }, () => {
  assert.ok(!tn.backends().includes("native"), `backends(): ${tn.backends().join(", ")}`);
  assert.equal(tn.getBackend(), "cpu");
  assert.throws(() => tn.setBackend("native"), /unknown backend "native"/);
  if (process.env.TENSILE_NATIVE === "0") assert.match(nativeLoadError(), /TENSILE_NATIVE=0/);
  assert.equal(tn.getThreads(), 1);
  tn.setThreads(2); // a no-op without the addon
  const y = tn.matMul(tn.tensor([[1, 2], [3, 4]]), tn.tensor([[5], [6]])).add(1).exp().log();
  assert.deepEqual(Array.from(y.dataSync()), [18, 40]);
  // The kernel table still lists native (docs/KERNELS.md does not depend on the machine).
  assert.ok(NATIVE_PRIMITIVES.includes("matMul"));
});
