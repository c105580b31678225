/**
 * cpu kernels: the fused recurrent cell steps. The forward pass rounds every intermediate to the dtype (`Math.fround`
 * for float32) as the op composition it replaces does, so a fused step gives the unfused one's bits; the
 * gradients recompute the gates from the inputs (nothing else is saved for backward) and work in float64.
 */
import { isFloatDType, type FloatDType } from "../../core/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.js";
import { formatShape } from "../../core/shape.js";
import type { Kernel, KernelTensor } from "../backend.js";
import type { RnnPrimitives } from "../primitives.js";
import { alloc, out } from "./util.js";

type Data = Float32Array | Float64Array;

/** The geometry every fused cell kernel works on: `batch` rows of `units` per gate. */
export interface CellGeometry {
  dtype: FloatDType;
  batch: number;
  units: number;
}

/**
 * Checks the inputs of lstmCell (z, c) or lstmCellGrad (z, c, dh, dc): the count, one float dtype, z [B, 4u] and
 * every other input [B, u]. Shared with the native kernels, which must never read out of bounds.
 */
export function checkLstmInputs(op: keyof RnnPrimitives, inputs: readonly KernelTensor[]): CellGeometry {
  const names = op === "lstmCell" ? ["z", "c"] : ["z", "c", "dh", "dc"];
  if (inputs.length !== names.length) throw new ValueError(`${op}: expected ${names.length} inputs (${names.join(", ")}), got ${inputs.length}`);
  const [z] = inputs;
  if (!isFloatDType(z.dtype)) {
    throw new DTypeError(`${op}: z must be float32 or float64, got ${z.dtype}`);
  }
  if (z.shape.length !== 2 || z.shape[1] % 4 !== 0) {
    throw new ShapeError(`${op}: z must be [batch, 4·units], got ${formatShape(z.shape)}`);
  }
  const [batch, width] = z.shape;
  const units = width / 4;
  inputs.forEach((t, k) => {
    if (k === 0) return;
    if (t.dtype !== z.dtype) throw new DTypeError(`${op}: ${names[k]} must have z's dtype ${z.dtype}, got ${t.dtype}`);
    if (t.shape.length !== 2 || t.shape[0] !== batch || t.shape[1] !== units) {
      throw new ShapeError(`${op}: ${names[k]} must be ${formatShape([batch, units])} (z is ${formatShape(z.shape)}), got ${formatShape(t.shape)}`);
    }
  });
  return { dtype: z.dtype, batch, units };
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const identity = (x: number): number => x;
type Round = (x: number) => number;

/**
 * Unit j's LSTM step as the forward pass rounds it, into `s`: [i, f, g, o, c', tanh(c')]. `at` indexes gate i of
 * the unit in z (the others follow `units` apart), `cPrev` is its c.
 */
function lstmStep(z: Data, at: number, units: number, cPrev: number, r: Round, s: Float64Array): void {
  const i = r(sigmoid(z[at]));
  const f = r(sigmoid(z[at + units]));
  const g = r(Math.tanh(z[at + 2 * units]));
  const cNew = r(r(f * cPrev) + r(i * g));
  s[0] = i;
  s[1] = f;
  s[2] = g;
  s[3] = r(sigmoid(z[at + 3 * units]));
  s[4] = cNew;
  s[5] = r(Math.tanh(cNew));
}

const lstmCell: Kernel<"lstmCell"> = (inputs) => {
  const { dtype, batch, units } = checkLstmInputs("lstmCell", inputs);
  const r = dtype === "float32" ? Math.fround : identity;
  const z = inputs[0].data as Data;
  const c = inputs[1].data as Data;
  const h = alloc(dtype, batch * units) as Data;
  const c2 = alloc(dtype, batch * units) as Data;
  const s = new Float64Array(6);
  for (let b = 0; b < batch; b++) {
    const zi = b * 4 * units;
    const row = b * units;
    for (let j = 0; j < units; j++) {
      lstmStep(z, zi + j, units, c[row + j], r, s);
      c2[row + j] = s[4];
      h[row + j] = s[3] * s[5];
    }
  }
  return [out([batch, units], dtype, h), out([batch, units], dtype, c2)];
};

const lstmCellGrad: Kernel<"lstmCellGrad"> = (inputs) => {
  const { dtype, batch, units } = checkLstmInputs("lstmCellGrad", inputs);
  const r = dtype === "float32" ? Math.fround : identity;
  const [z, c, dh, dc] = inputs.map((t) => t.data as Data);
  const dz = alloc(dtype, batch * 4 * units) as Data;
  const dcPrev = alloc(dtype, batch * units) as Data;
  const s = new Float64Array(6);
  for (let b = 0; b < batch; b++) {
    const zi = b * 4 * units;
    const row = b * units;
    for (let j = 0; j < units; j++) {
      // The gates and tanh(c') as the forward pass rounded them; the rest in float64.
      const cp = c[row + j];
      lstmStep(z, zi + j, units, cp, r, s);
      const i = s[0], f = s[1], g = s[2], o = s[3], t = s[5];
      const dhj = dh[row + j];
      const dct = dc[row + j] + dhj * o * (1 - t * t);
      dz[zi + j] = dct * g * i * (1 - i);
      dz[zi + units + j] = dct * cp * f * (1 - f);
      dz[zi + 2 * units + j] = dct * i * (1 - g * g);
      dz[zi + 3 * units + j] = dhj * t * o * (1 - o);
      dcPrev[row + j] = dct * f;
    }
  }
  return [out([batch, 4 * units], dtype, dz), out([batch, units], dtype, dcPrev)];
};

/**
 * Checks the inputs of gruCell (xp, hp, h, bh) or gruCellGrad (xp, hp, h, bh, dh): the count, one float dtype,
 * xp and hp [B, 3u], h and dh [B, u], bh [u]. Shared with the native kernels.
 */
export function checkGruInputs(op: keyof RnnPrimitives, inputs: readonly KernelTensor[]): CellGeometry {
  const names = op === "gruCell" ? ["xp", "hp", "h", "bh"] : ["xp", "hp", "h", "bh", "dh"];
  if (inputs.length !== names.length) throw new ValueError(`${op}: expected ${names.length} inputs (${names.join(", ")}), got ${inputs.length}`);
  const [xp] = inputs;
  if (!isFloatDType(xp.dtype)) throw new DTypeError(`${op}: xp must be float32 or float64, got ${xp.dtype}`);
  if (xp.shape.length !== 2 || xp.shape[1] % 3 !== 0) throw new ShapeError(`${op}: xp must be [batch, 3·units], got ${formatShape(xp.shape)}`);
  const [batch, width] = xp.shape;
  const units = width / 3;
  inputs.forEach((t, k) => {
    if (k === 0) return;
    if (t.dtype !== xp.dtype) throw new DTypeError(`${op}: ${names[k]} must have xp's dtype ${xp.dtype}, got ${t.dtype}`);
    const want = k === 1 ? [batch, width] : k === 3 ? [units] : [batch, units];
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new ShapeError(`${op}: ${names[k]} must be ${formatShape(want)} (xp is ${formatShape(xp.shape)}), got ${formatShape(t.shape)}`);
    }
  });
  return { dtype: xp.dtype, batch, units };
}

/**
 * Unit j's GRU gates as the forward pass rounds them, into `s`: [z, r, hp_h + bh, candidate]. `p` indexes gate z of
 * the unit in xp and hp (the others follow `units` apart), `j` the unit in bh.
 */
function gruStep(xp: Data, hp: Data, bh: Data, p: number, j: number, units: number, r: Round, s: Float64Array): void {
  const rg = r(sigmoid(r(xp[p + units] + hp[p + units])));
  const a = r(hp[p + 2 * units] + bh[j]);
  s[0] = r(sigmoid(r(xp[p] + hp[p])));
  s[1] = rg;
  s[2] = a;
  s[3] = r(Math.tanh(r(xp[p + 2 * units] + r(rg * a))));
}

const gruCell: Kernel<"gruCell"> = (inputs) => {
  const { dtype, batch, units } = checkGruInputs("gruCell", inputs);
  const r = dtype === "float32" ? Math.fround : identity;
  const [xp, hp, h, bh] = inputs.map((t) => t.data as Data);
  const h2 = alloc(dtype, batch * units) as Data;
  const s = new Float64Array(4);
  for (let b = 0; b < batch; b++) {
    const p = b * 3 * units;
    const row = b * units;
    for (let j = 0; j < units; j++) {
      gruStep(xp, hp, bh, p + j, j, units, r, s);
      const z = s[0], cand = s[3];
      h2[row + j] = cand + r(z * r(h[row + j] - cand));
    }
  }
  return out([batch, units], dtype, h2);
};

const gruCellGrad: Kernel<"gruCellGrad"> = (inputs) => {
  const { dtype, batch, units } = checkGruInputs("gruCellGrad", inputs);
  const r = dtype === "float32" ? Math.fround : identity;
  const [xp, hp, h, bh, dh2] = inputs.map((t) => t.data as Data);
  const dxp = alloc(dtype, batch * 3 * units) as Data;
  const dhp = alloc(dtype, batch * 3 * units) as Data;
  const dh = alloc(dtype, batch * units) as Data;
  const dbh = new Float64Array(units);
  const s = new Float64Array(4);
  for (let b = 0; b < batch; b++) {
    const p = b * 3 * units;
    const row = b * units;
    for (let j = 0; j < units; j++) {
      // The gates and candidate as the forward pass rounded them; the rest in float64.
      gruStep(xp, hp, bh, p + j, j, units, r, s);
      const z = s[0], rg = s[1], a = s[2], cand = s[3];
      const g = dh2[row + j];
      const dPre = g * (1 - z) * (1 - cand * cand);
      const dz = g * (h[row + j] - cand) * z * (1 - z);
      const dr = dPre * a * rg * (1 - rg);
      const da = dPre * rg;
      dxp[p + j] = dz;
      dxp[p + units + j] = dr;
      dxp[p + 2 * units + j] = dPre;
      dhp[p + j] = dz;
      dhp[p + units + j] = dr;
      dhp[p + 2 * units + j] = da;
      dh[row + j] = g * z;
      dbh[j] += da;
    }
  }
  return [
    out([batch, 3 * units], dtype, dxp),
    out([batch, 3 * units], dtype, dhp),
    out([batch, units], dtype, dh),
    out([units], dtype, dtype === "float32" ? Float32Array.from(dbh) : dbh),
  ];
};

export const rnnKernels: { [P in keyof RnnPrimitives]: Kernel<P> } = { lstmCell, lstmCellGrad, gruCell, gruCellGrad };
