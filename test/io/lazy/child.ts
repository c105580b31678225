/**
 * Child process for lazy-h5wasm.test.ts: saves and loads a model in the formats that need no HDF5 (model.json,
 * safetensors), then, when asked with "keras", in a Keras format too.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tn from "../../../src/node.js";
import * as io from "../../../src/io/index.js";

const dir = mkdtempSync(join(tmpdir(), "tensile-lazy-"));
const model = tn.sequential([tn.layers.dense({ units: 2, inputShape: [3] })]);
await model.save(join(dir, "model.json"));
await io.loadModel(join(dir, "model.json"));
await model.saveWeights(join(dir, "w.safetensors"));
await model.loadWeights(join(dir, "w.safetensors"));
process.stdout.write("plain done\n");
if (process.argv[2] === "keras") {
  await model.save(join(dir, "m.keras"));
  process.stdout.write("keras done\n");
}
