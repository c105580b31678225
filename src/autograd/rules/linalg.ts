/** Gradient rules for matMul. */
import type { LinalgPrimitives } from "../../backend/primitives.js";
import type { VjpTable } from "./rule.js";

export const linalgRules = {} as VjpTable<keyof LinalgPrimitives>;
