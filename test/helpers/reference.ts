/** Independent float64 reference implementations used by the op records. */

/** erf by numerical integration of 2/√π·e^(-t²) (Simpson's rule, fine grid): independent of the kernel's series. */
export function erf(x: number): number {
  if (x === 0) return 0;
  const n = 2000;
  const h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
}
