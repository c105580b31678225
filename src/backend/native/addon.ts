/**
 * Loading the `tensile_native` addon (native/, built by `npm install` or `npm run build:native`).
 *
 * Node only, but written so the browser build's type check (DOM libs, no Node types) accepts it: Node modules are
 * imported through a variable specifier and typed here by the few members used. `loadAddon()` returns null when
 * the addon is absent or `TENSILE_NATIVE=0` is set, so callers fall back to `cpu`.
 */

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;

/** The addon's functions (native/src/*.cc). Every function works on the arrays in place and writes into `y`/`C`. */
export interface NativeAddon {
  info(): {
    blas: string;
    blasConfig: string;
    blasSwitch: string;
    blasThreads: number;
    threads: number;
    compiler: string;
    cflags: string;
  };
  setThreads(n: number): void;
  getThreads(): number;
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    A: Float32Array | Float64Array,
    aOffset: number,
    lda: number,
    B: Float32Array | Float64Array,
    bOffset: number,
    ldb: number,
    beta: number,
    C: Float32Array | Float64Array,
    cOffset: number,
    ldc: number,
  ): void;
  /** geom = [rank, batchShape…, aBatchStrides…, bBatchStrides…]; C zeroed. */
  matMulBatched(transA: boolean, transB: boolean, m: number, n: number, k: number, A: Arr, B: Arr, C: Arr, geom: Int32Array): void;
  unary(op: number, x: Arr, y: Arr): void;
  /** geom = [rank, outShape…, aStrides…, bStrides…]. False when the op/dtype pair is not native. */
  binary(op: number, a: Arr, b: Arr, y: Arr, geom: Int32Array): boolean;
  /** False when the conversion is not native (float → int). */
  cast(x: Arr, y: Arr): boolean;
  unaryOps: Record<string, number>;
  binaryOps: Record<string, number>;
  binaryIntOps: Record<string, boolean>;
  /** geom = [rank, shape…, reducedFlags…]. */
  reduce(op: number, x: Arr, y: Arr, geom: Int32Array): void;
  reduceOps: Record<string, number>;
  /** geom = [rank, outShape…, xStrides…]. */
  transpose(x: Arr, y: Arr, geom: Int32Array): void;
  gather(x: Arr, indices: Int32Array, y: Arr, batch: number, outer: number, n: number, inner: number, count: number): void;
  gatherGrad(dy: Arr, indices: Int32Array, dx: Arr, batch: number, outer: number, n: number, inner: number, count: number): void;
  // The functions below came later: optional, so that an addon built from older sources still loads (the kernels
  // that need them then run on cpu).
  /** geom = [rank, outShape…, cStrides…, aStrides…, bStrides…]; c a Uint8Array. */
  where?(c: Uint8Array, a: Arr, b: Arr, y: Arr, geom: Int32Array): void;
  /** y[i…] = x[start + Σ i_a·strides[a]]; geom = [rank, outShape…, strides…] (strides may be 0 or negative). */
  stridedCopy?(x: Arr, y: Arr, start: number, geom: Int32Array): void;
  /** x seen as [outer, n, inner]; y (Int32Array) [outer, inner]. */
  argReduce?(isMax: boolean, x: Float32Array | Float64Array, y: Int32Array, outer: number, n: number, inner: number): void;
  /** arrays = [w, g, m | null, wOut, mOut | null]. */
  sgdUpdate?(arrays: (Float32Array | Float64Array | null)[], lr: number, momentum: number, nesterov: boolean): void;
  /** arrays = [w, g, velocity, m | null, average | null, wOut, velocityOut, mOut | null, averageOut | null]. */
  rmspropUpdate?(arrays: (Float32Array | Float64Array | null)[], lr: number, rho: number, epsilon: number, momentum: number): void;
  /** arrays = [w, g, m, v, vHat | null, wOut, mOut, vOut, vHatOut | null]. */
  adamUpdate?(
    arrays: (Float32Array | Float64Array | null)[],
    lr: number,
    biasCorrection: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ): void;
  /** y = x > 0 ? dy : 0; dy, x, y of one float type and length. */
  reluGrad?(dy: Float32Array | Float64Array, x: Float32Array | Float64Array, y: Float32Array | Float64Array): void;
  /** xs each seen as [outer, chunk_i] (all of y's type); y [outer, Σ chunk_i], row by row. */
  concat?(xs: Arr[], y: Arr, outer: number): void;
}

/** The one-line notice shown when the addon is not built (scripts/build-native.mjs prints the same line). */
export const NATIVE_NOTICE =
  "tensile: native backend not built, using the slower cpu backend; to get it: apt-get install libopenblas-dev " +
  "(macOS: brew install openblas), then npm run build:native";

interface NodeProcess {
  env: Record<string, string | undefined>;
}
type Require = (id: string) => unknown;
interface NodeModuleModule {
  createRequire(url: string): Require;
}
interface NodeFsModule {
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: "utf8"): string;
}
interface NodeUrlModule {
  fileURLToPath(url: string | URL): string;
}

const nodeProcess = (globalThis as { process?: NodeProcess }).process;
let addon: NativeAddon | null = null;
let loadError = "not loaded";
let loadedFrom = "";

/** Candidate locations: from src/backend/native (tsx) and from dist/src/backend/native (the built package). */
const CANDIDATES = ["../../../native/build/Release/tensile_native.node", "../../../../native/build/Release/tensile_native.node"];

/**
 * OpenBLAS (0.3.21, Debian 12's) does not know AMD Zen 4/5 and runs its AVX2 Haswell kernels there, although these
 * CPUs have AVX-512: its SkylakeX kernels run sgemm 1.6–1.9× faster on them (measured: 1024³ 10.5 → 6.3 ms; the
 * MLP's 128×784·784×512 0.47 → 0.29 ms). OpenBLAS reads OPENBLAS_CORETYPE when the addon loads it, so set it first,
 * only for AMD CPUs with the AVX-512 subsets those kernels use, and never over a value the user set.
 * Exported for tests; returns the core chosen, or "" when it leaves the choice to OpenBLAS.
 */
export function chooseOpenBlasCore(env: Record<string, string | undefined>, cpuInfo: () => string): string {
  if (env.OPENBLAS_CORETYPE !== undefined) return "";
  const text = cpuInfo();
  if (!/^vendor_id\s*:\s*AuthenticAMD/m.test(text)) return "";
  const flags = new Set((/^flags\s*:(.*)$/m.exec(text)?.[1] ?? "").trim().split(/\s+/));
  if (!["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].every((flag) => flags.has(flag))) return "";
  env.OPENBLAS_CORETYPE = "SKYLAKEX";
  return "SKYLAKEX";
}

/**
 * Runs `load` (the addon's `require`) with OPENBLAS_NUM_THREADS=1 unless the user set it, then deletes the key again
 * so child processes see the user's environment. OpenBLAS starts a worker thread per core when it is loaded (it
 * reads the variable then), but the addon keeps it single-threaded and splits BLAS calls on its own pool, so those
 * threads would only idle. Exported for tests.
 */
export function withSingleThreadedOpenBlas<T>(env: Record<string, string | undefined>, load: () => T): T {
  if (env.OPENBLAS_NUM_THREADS !== undefined) return load();
  env.OPENBLAS_NUM_THREADS = "1";
  try {
    return load();
  } finally {
    delete env.OPENBLAS_NUM_THREADS;
  }
}

async function load(): Promise<void> {
  if (nodeProcess === undefined) {
    loadError = "not running on Node";
    return;
  }
  if (nodeProcess.env.TENSILE_NATIVE === "0") {
    loadError = "disabled by TENSILE_NATIVE=0";
    return;
  }
  const nodeModule = "node:module";
  const nodeFs = "node:fs";
  const nodeUrl = "node:url";
  const { createRequire } = (await import(nodeModule)) as NodeModuleModule;
  const { existsSync, readFileSync } = (await import(nodeFs)) as NodeFsModule;
  const { fileURLToPath } = (await import(nodeUrl)) as NodeUrlModule;
  const require = createRequire(import.meta.url);
  chooseOpenBlasCore(nodeProcess.env, () => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  });
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (!existsSync(path)) continue;
    try {
      addon = withSingleThreadedOpenBlas(nodeProcess.env, () => require(path) as NativeAddon);
      loadedFrom = path;
      return;
    } catch (error) {
      loadError = `cannot load ${path}: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
  }
  loadError = "the addon is not built (native/build/Release/tensile_native.node is missing)";
}

await load();

/** The addon, or null when it is absent or disabled (see `nativeLoadError()`). */
export function loadAddon(): NativeAddon | null {
  return addon;
}

/** Why the addon is not loaded ("" when it is). */
export function nativeLoadError(): string {
  return addon === null ? loadError : "";
}

/** The .node file loaded ("" when none). */
export function nativeAddonPath(): string {
  return loadedFrom;
}
