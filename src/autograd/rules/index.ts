import { binaryRules, otherElementwiseRules, unaryRules } from "./elementwise.js";
import { fusedRules } from "./fused.js";
import { linalgRules } from "./linalg.js";
import { nnRules } from "./nn.js";
import { optimizerRules } from "./optimizer.js";
import { reduceRules } from "./reduce.js";
import { rnnRules } from "./rnn.js";
import type { VjpTable } from "./rule.js";
import { shapeRules } from "./shape.js";

/** Every primitive's gradient rule (the type refuses a missing one). */
export const vjpRules: VjpTable = {
  ...unaryRules,
  ...binaryRules,
  ...otherElementwiseRules,
  ...reduceRules,
  ...linalgRules,
  ...shapeRules,
  ...nnRules,
  ...fusedRules,
  ...optimizerRules,
  ...rnnRules,
};
