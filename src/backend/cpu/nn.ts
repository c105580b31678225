/** cpu kernels: convolution (im2col + GEMM), pooling, resizing. */
import type { Kernel } from "../backend.js";
import type { NNPrimitives } from "../primitives.js";

export const nnKernels = {} as { [P in keyof NNPrimitives]: Kernel<P> };
