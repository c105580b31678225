/** Timing shared by the bench scripts: a warm-up call, then timed calls, reported as a median. */

export interface Timing {
  /** Median milliseconds per call. */
  ms: number;
  runs: number;
}

export interface MeasureOptions {
  /** Keep timing until this many ms have passed (once `minRuns` are done). */
  budgetMs: number;
  minRuns: number;
  maxRuns: number;
  /** When the warm-up call alone takes longer than this, report it as the figure instead of timing more runs. */
  slowWarmupMs?: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Warm-up call, then timed calls until at least `minRuns` and either `maxRuns` or `budgetMs` is reached.
 * A call slower than the budget is still run `minRuns` times, so the median is always of several runs.
 */
export function measure(fn: () => void, { budgetMs, minRuns, maxRuns, slowWarmupMs }: MeasureOptions): Timing {
  const w0 = performance.now();
  fn();
  const warm = performance.now() - w0;
  if (slowWarmupMs !== undefined && warm > slowWarmupMs) return { ms: warm, runs: 1 };
  const runs: number[] = [];
  const end = performance.now() + budgetMs;
  while (runs.length < minRuns || (runs.length < maxRuns && performance.now() < end)) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  return { ms: median(runs), runs: runs.length };
}
