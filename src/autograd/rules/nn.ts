/** Gradient rules for convolution, pooling and resizing. */
import type { NNPrimitives } from "../../backend/primitives.js";
import type { VjpTable } from "./rule.js";

export const nnRules = {} as VjpTable<keyof NNPrimitives>;
