/** Independent float64 reference implementations used by the op records. */

/** Row-major strides of `shape`, in elements (written here, not taken from src/core/shape.ts). */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** A tensor as plain values in row-major order. */
export interface Values {
  shape: readonly number[];
  values: readonly number[];
}

/** Right-aligned NumPy broadcast of `t` (values in row-major order) to `shape`, as plain values. */
export function broadcastValues(t: Values, shape: readonly number[]): number[] {
  const rank = shape.length;
  const ts = [...new Array<number>(rank - t.shape.length).fill(1), ...t.shape];
  const size = shape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    let rem = flat;
    let index = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      index += (ts[d] === 1 ? 0 : i) * stride;
      stride *= ts[d];
    }
    out.push(t.values[index]);
  }
  return out;
}

/** Naive float64 batched matmul with NumPy batch broadcasting and transposes read by index. */
export function matMulValues(a: Values, b: Values, ta = false, tb = false): { shape: number[]; values: number[] } {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = ta ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const pa = [...Array(rank - ba.length).fill(1), ...ba];
  const pb = [...Array(rank - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const total = batch.reduce((p, d) => p * d, 1);
  const sa = strides(pa);
  const sb = strides(pb);
  const out: number[] = [];
  for (let t = 0; t < total; t++) {
    let rem = t;
    let ia = 0;
    let ib = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
      if (pa[d] !== 1) ia += idx * sa[d];
      if (pb[d] !== 1) ib += idx * sb[d];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a.values[ia * m * k + (ta ? p * m + i : i * k + p)];
          const bv = b.values[ib * k * n + (tb ? j * k + p : p * n + j)];
          s += av * bv;
        }
        out.push(s);
      }
    }
  }
  return { shape: [...batch, m, n], values: out };
}

/**
 * Deterministic pseudo-random numbers in [-0.5, 0.5) from a 32-bit LCG (for test data and cotangents; the
 * library's own PRNG is under test elsewhere).
 */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** erf by numerical integration of 2/√π·e^(-t²) (Simpson's rule, fine grid): independent of the kernel's series. */
export function erf(x: number): number {
  if (x === 0) return 0;
  const n = 2000;
  const h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
}
