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
