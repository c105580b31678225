/**
 * The native fused LSTM and GRU kernels (native/src/rnn.cc) against the cpu ones on random data: float32 and float64, one
 * unit to threaded sizes, saturating and non-finite inputs; the same errors for bad inputs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DType } from "../../src/core/dtype.js";
import { allocArray } from "../../src/core/dtype.js";
import type { Kernel, KernelTensor } from "../../src/backend/backend.js";
import { cpuBackend } from "../../src/backend/cpu/index.js";
import { nativeLoadError } from "../../src/backend/native/addon.js";
import { nativeBackend, NATIVE_PRIMITIVES } from "../../src/backend/native/index.js";
import type { RnnPrimitives } from "../../src/backend/primitives.js";
import { lcg } from "../helpers/reference.js";

const skip = nativeBackend === null ? `native addon not loaded (${nativeLoadError()})` : false;
const rand = lcg(2024);

function kt(shape: number[], dtype: DType, scale: number): KernelTensor {
  const data = allocArray(dtype, shape[0] * shape[1]);
  for (let i = 0; i < data.length; i++) data[i] = rand() * 2 * scale;
  return { shape, dtype, data };
}

const TOL = { float32: { rtol: 1.3e-6, atol: 1e-5 }, float64: { rtol: 1e-7, atol: 1e-7 } } as const;

function close(label: string, got: KernelTensor, want: KernelTensor): void {
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  assert.equal(got.data.constructor, want.data.constructor, `${label}: array type`);
  const { rtol, atol } = TOL[got.dtype as "float32" | "float64"];
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i];
    const w = want.data[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(w) ? g === w : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) assert.fail(`${label}: [${i}] got ${g}, want ${w}`);
  }
}

type AnyKernel = (inputs: readonly KernelTensor[], attrs: Record<string, never>) => KernelTensor | KernelTensor[];

function both(prim: keyof RnnPrimitives, inputs: KernelTensor[]): void {
  const nk = nativeBackend?.kernels[prim] as AnyKernel | undefined;
  const ck = cpuBackend.kernels[prim] as AnyKernel;
  assert.ok(nk !== undefined, `native has no ${prim} kernel`);
  const got = [nk(inputs, {})].flat();
  const want = [ck(inputs, {})].flat();
  assert.equal(got.length, want.length);
  got.forEach((g, k) => close(`${prim} output ${k} (${inputs[0].dtype} [${inputs[0].shape}])`, g, want[k]));
}

test("the fused LSTM and GRU steps and their gradients are native kernels", { skip }, () => {
  for (const prim of ["lstmCell", "lstmCellGrad", "gruCell", "gruCellGrad"]) assert.ok(NATIVE_PRIMITIVES.includes(prim), prim);
});

test("lstmCell and lstmCellGrad match cpu: float32 and float64, one unit to threaded sizes, saturated gates", { skip }, () => {
  const sizes: [number, number][] = [[1, 1], [3, 5], [2, 17], [64, 128], [130, 33]];
  for (const dtype of ["float32", "float64"] as const) {
    for (const [batch, units] of sizes) {
      for (const scale of [3, 40]) {
        const z = kt([batch, 4 * units], dtype, scale);
        const c = kt([batch, units], dtype, 2);
        both("lstmCell", [z, c]);
        both("lstmCellGrad", [z, c, kt([batch, units], dtype, 1), kt([batch, units], dtype, 1)]);
      }
    }
  }
});

test("gruCell and gruCellGrad match cpu: float32 and float64, one unit to threaded sizes, saturated gates", { skip }, () => {
  const sizes: [number, number][] = [[1, 1], [3, 5], [2, 17], [64, 128], [130, 33]];
  for (const dtype of ["float32", "float64"] as const) {
    for (const [batch, units] of sizes) {
      for (const scale of [3, 40]) {
        const xp = kt([batch, 3 * units], dtype, scale);
        const hp = kt([batch, 3 * units], dtype, scale);
        const h = kt([batch, units], dtype, 1);
        const bh = kt([1, units], dtype, 1);
        const bias = { ...bh, shape: [units] };
        both("gruCell", [xp, hp, h, bias]);
        both("gruCellGrad", [xp, hp, h, bias, kt([batch, units], dtype, 1)]);
      }
    }
  }
});

test("lstmCell and lstmCellGrad propagate NaN and handle ±inf as cpu does", { skip }, () => {
  for (const dtype of ["float32", "float64"] as const) {
    const z = kt([2, 8], dtype, 1);
    z.data.set([NaN, Infinity, -Infinity, 0, 1e30, -1e30, 5, -5]);
    const c = kt([2, 2], dtype, 1);
    c.data[3] = NaN;
    both("lstmCell", [z, c]);
    both("lstmCellGrad", [z, c, kt([2, 2], dtype, 1), kt([2, 2], dtype, 1)]);
  }
});

test("native lstmCell refuses bad inputs with the cpu kernel's messages", { skip }, () => {
  const nk = nativeBackend?.kernels.lstmCellGrad as Kernel<"lstmCellGrad">;
  const z = kt([2, 8], "float32", 1);
  const c = kt([2, 2], "float32", 1);
  assert.throws(() => nk([z, c, c], {}), /^ValueError: lstmCellGrad: expected 4 inputs \(z, c, dh, dc\), got 3/);
  assert.throws(() => nk([z, c, kt([2, 3], "float32", 1), c], {}), /lstmCellGrad: dh must be \[2,2\] \(z is \[2,8\]\), got \[2,3\]/);
  assert.throws(() => nk([z, c, kt([2, 2], "float64", 1), c], {}), /lstmCellGrad: dh must have z's dtype float32, got float64/);
  assert.throws(() => nk([kt([2, 6], "float32", 1), c, c, c], {}), /lstmCellGrad: z must be \[batch, 4·units\], got \[2,6\]/);
});

test("native gruCell refuses bad inputs with the cpu kernel's messages", { skip }, () => {
  const nk = nativeBackend?.kernels.gruCell as Kernel<"gruCell">;
  const xp = kt([2, 6], "float32", 1);
  const h = kt([2, 2], "float32", 1);
  const bh = { ...kt([1, 2], "float32", 1), shape: [2] };
  assert.throws(() => nk([xp, xp, h], {}), /^ValueError: gruCell: expected 4 inputs \(xp, hp, h, bh\), got 3/);
  assert.throws(() => nk([xp, kt([2, 3], "float32", 1), h, bh], {}), /gruCell: hp must be \[2,6\] \(xp is \[2,6\]\), got \[2,3\]/);
  assert.throws(() => nk([xp, xp, h, h], {}), /gruCell: bh must be \[2\] \(xp is \[2,6\]\), got \[2,2\]/);
  assert.throws(() => nk([kt([2, 4], "float32", 1), xp, h, bh], {}), /gruCell: xp must be \[batch, 3·units\], got \[2,4\]/);
});
