/** Gradient rules for the shape primitives. */
import type { ShapePrimitives } from "../../backend/primitives.js";
import { reshape } from "../../ops/shape.js";
import { unbroadcast } from "./elementwise.js";
import type { VjpTable } from "./rule.js";

export const shapeRules = {
  reshape: (dy, { inputs: [x] }) => [reshape(dy, x.shape)], // reshape back
  broadcastTo: (dy, { inputs: [x] }) => [unbroadcast(dy, x)], // sum over the broadcast axes
} as VjpTable<keyof ShapePrimitives>;
