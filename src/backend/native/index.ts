/**
 * The `native` backend (Node only): C++ kernels over CBLAS in the `tensile_native` addon (native/), working in place
 * on the same JS typed arrays as `cpu` (a host backend: no copies between them). Registered above `cpu`, so it is
 * the default on Node, only when the addon loaded; everything it lacks falls back to `cpu` per kernel.
 *
 * Importing this module is what src/node.ts does; src/index.ts (browser-safe) never imports it.
 */
import type { TypedArray } from "../../core/dtype.js";
import type { Backend, PartialKernelTable } from "../backend.js";
import { registerBackend } from "../registry.js";
import { loadAddon, nativeAddonPath } from "./addon.js";
import { nativeConvKernels, type NativeConvPrimitive } from "./conv.js";
import { nativeCoreKernels } from "./kernels.js";
import { nativeOptimizerKernels } from "./optimizer.js";
import { nativeRnnKernels } from "./rnn.js";

// Core kernels (./kernels.ts) plus conv and pooling (./conv.ts over native/src/conv.cc) and the fused optimizer
// updates (./optimizer.ts over native/src/optimizer.cc), the fused LSTM step (./rnn.ts over native/src/rnn.cc).
const kernels: PartialKernelTable = { ...nativeCoreKernels, ...nativeConvKernels, ...nativeOptimizerKernels, ...nativeRnnKernels };

const CONV_PRIMITIVES: NativeConvPrimitive[] = [
  "conv", "fusedConv", "convBackpropInput", "convBackpropFilter", "maxPool", "maxPoolGrad", "avgPool", "avgPoolGrad",
];

/**
 * The primitives `native` runs itself when its addon is built, known without loading the addon (docs/KERNELS.md is
 * the same on every machine).
 */
export const NATIVE_PRIMITIVES: readonly string[] = [
  ...new Set([...Object.keys(nativeCoreKernels), ...CONV_PRIMITIVES, ...Object.keys(nativeOptimizerKernels), ...Object.keys(nativeRnnKernels)]),
].sort();

const addon = loadAddon();

function info(): Record<string, string | number | boolean | string[]> {
  if (addon === null) return { implementation: "unavailable" };
  const i = addon.info();
  return {
    implementation: `C++ (Node-API) over ${i.blas}`,
    blas: i.blas,
    blasConfig: i.blasConfig,
    blasSwitch: i.blasSwitch,
    threads: addon.getThreads(),
    blasThreads: i.blasThreads,
    compiler: i.compiler,
    cflags: i.cflags,
    addon: nativeAddonPath(),
  };
}

export const nativeBackend: Backend | null =
  addon === null
    ? null
    : {
        name: "native",
        host: true,
        kernels,
        upload: (values: TypedArray) => values,
        readSync: (data: unknown) => data as TypedArray,
        free: () => {},
        info,
      };

if (nativeBackend !== null) {
  const backend = nativeBackend;
  registerBackend("native", () => backend, 10);
}

/**
 * The native backend's one thread count: every loop of its pool, the conv/pooling loops and the BLAS calls they
 * split included (default: the machine's cores). Without the addon this is a no-op (`cpu` is single-threaded).
 */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setThreads: n must be a positive integer, got ${String(n)}`);
  addon?.setThreads(n);
}

/** Threads the native backend uses (1 without the addon: `cpu` runs on the calling thread). */
export function getThreads(): number {
  return addon === null ? 1 : addon.getThreads();
}
