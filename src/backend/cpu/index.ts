/** The reference backend: pure TypeScript, every primitive, no platform APIs (runs in Node and browsers). */
import type { TypedArray } from "../../core/dtype.js";
import type { Backend, KernelTable } from "../backend.js";
import { registerBackend } from "../registry.js";
import { binaryKernels, otherElementwiseKernels, unaryKernels } from "./elementwise.js";
import { linalgKernels } from "./linalg.js";
import { nnKernels } from "./nn.js";
import { optimizerKernels } from "./optimizer.js";
import { reduceKernels } from "./reduce.js";
import { rnnKernels } from "./rnn.js";
import { shapeKernels } from "./shape.js";

const kernels: KernelTable = {
  ...unaryKernels,
  ...binaryKernels,
  ...otherElementwiseKernels,
  ...reduceKernels,
  ...linalgKernels,
  ...shapeKernels,
  ...nnKernels,
  ...optimizerKernels,
  ...rnnKernels,
};

export const cpuBackend: Backend = {
  name: "cpu",
  host: true,
  kernels,
  upload: (values: TypedArray) => values,
  readSync: (data: unknown) => data as TypedArray,
  free: () => {},
  info: () => ({ implementation: "TypeScript", threads: 1 }),
};

registerBackend("cpu", () => cpuBackend, 0);
