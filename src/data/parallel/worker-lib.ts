/**
 * The `tn` a map function sent as source text sees in a worker: the ops (tensor creation, math, shapes, nn,
 * random…), `tidy`/`keep`, the Tensor class and `tn.image` (the same resize, crop, flip, rotation and color helpers
 * as on the main thread; the Node worker adds `readImage`). Layers, models and data pipelines are not there: a
 * function that needs more imports it from a module (`map({module, export}, {parallel})`).
 */
import { Tensor } from "../../tensor/tensor.js";
import { keep, tidy } from "../../tensor/scope.js";
import { scalar, tensor } from "../../ops/convert.js";
import * as activations from "../../ops/activations.js";
import * as creation from "../../ops/creation.js";
import * as elementwise from "../../ops/elementwise.js";
import * as linalg from "../../ops/linalg.js";
import * as nn from "../../ops/nn.js";
import * as normalization from "../../ops/normalization.js";
import * as random from "../../ops/random.js";
import * as reduce from "../../ops/reduce.js";
import * as shape from "../../ops/shape.js";
import * as image from "../image/index.js";
import "../../ops/chain.js";

export const workerLib: Readonly<Record<string, unknown>> = Object.freeze({
  ...creation,
  ...elementwise,
  ...activations,
  ...reduce,
  ...linalg,
  ...shape,
  ...nn,
  ...normalization,
  ...random,
  tensor,
  scalar,
  tidy,
  keep,
  Tensor,
  image,
});

/** `workerLib` with its `image` namespace replaced (the Node worker's adds `readImage`). */
export function workerLibWith(imageHelpers: object): Readonly<Record<string, unknown>> {
  return Object.freeze({ ...workerLib, image: imageHelpers });
}
