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

/** Right-aligned NumPy broadcast of `t` (values in row-major order) to `shape`, as plain values. */
export function broadcastValues(t: { shape: readonly number[]; values: readonly number[] }, shape: readonly number[]): number[] {
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
