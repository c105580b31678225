/** The `tensile` command, run as a child process (bin/tensile.mjs, through tsx). */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as io from "../../src/io/index.js";
import { inputsFor, mlp, predictValues, randomizeWeights } from "./models.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../bin/tensile.mjs");
const dir = mkdtempSync(join(tmpdir(), "tensile-cli-"));

function tensile(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const model = mlp();
randomizeWeights(model, 51);
const modelJson = join(dir, "in", "model.json");
await model.save(modelJson);

test("tensile summary prints the model table; for safetensors, the tensors", async () => {
  await model.saveWeights(join(dir, "w2.safetensors"));
  const [table, listing] = await Promise.all([tensile("summary", modelJson), tensile("summary", join(dir, "w2.safetensors"))]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Model: "sequential/);
  for (const w of model.layers) assert.match(table.stdout, new RegExp(`${w.name} \\(${w.className}\\)`));
  assert.match(table.stdout, /Total params: 67 /);
  assert.equal(listing.code, 0, listing.stderr);
  assert.match(listing.stdout, new RegExp(`${model.weights[0].name}\\s+F32\\s+\\(4, 8\\)\\s+32`));
  assert.match(listing.stdout, /Total: 4 tensors, 67 elements/);
});

test("tensile convert writes the other formats, which load with the same weights", async () => {
  const out = join(dir, "out");
  const [toJson, toSafetensors] = await Promise.all([tensile("convert", modelJson, join(out, "model.json")), tensile("convert", modelJson, join(out, "w.safetensors"))]);
  assert.equal(toJson.code, 0, toJson.stderr);
  assert.match(toJson.stdout, /Converted .*model\.json → .*out\/model\.json \(67 parameters\)/);
  assert.equal(toSafetensors.code, 0, toSafetensors.stderr);
  const x = inputsFor("mlp");
  assert.deepEqual(predictValues(await io.loadModel(join(out, "model.json")), x), predictValues(model, x));
  const fresh = mlp();
  await fresh.loadWeights(join(out, "w.safetensors"));
  assert.deepEqual(predictValues(fresh, x), predictValues(model, x));
});

test("tensile convert writes legacy .h5 and reads it back: .keras → .h5 → .keras keeps the weights; summary reads .h5", async () => {
  const out = join(dir, "h5");
  const keras = join(out, "m.keras");
  await model.save(keras);
  const toH5 = await tensile("convert", keras, join(out, "m.h5"));
  assert.equal(toH5.code, 0, toH5.stderr);
  assert.match(toH5.stdout, /Converted .*m\.keras → .*m\.h5 \(67 parameters\)/);
  const [back, table] = await Promise.all([tensile("convert", join(out, "m.h5"), join(out, "back.keras")), tensile("summary", join(out, "m.h5"))]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Total params: 67 /);
  const x = inputsFor("mlp");
  assert.deepEqual(predictValues(await io.loadModel(join(out, "m.h5")), x), predictValues(model, x));
  assert.deepEqual(predictValues(await io.loadModel(join(out, "back.keras")), x), predictValues(model, x));
});

test("tensile exits 2 on bad arguments and 1 on bad files, with clear messages", async () => {
  const broken = join(dir, "broken.json");
  writeFileSync(broken, '{"modelTopology": 3}');
  const results = await Promise.all([
    tensile(),
    tensile("--help"),
    tensile("frobnicate"),
    tensile("convert", modelJson),
    tensile("convert", modelJson, join(dir, "x.txt")),
    tensile("summary", broken),
    tensile("summary", join(dir, "missing.keras")),
    tensile("convert", join(dir, "w.safetensors"), join(dir, "m.json")),
  ]);
  const [none, help, unknown, missingOut, badOut, badFile, missingFile, weightsOnly] = results;
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: tensile <command>/);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /tensile summary|summary FILE/);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /tensile: unknown command 'frobnicate'/);
  assert.equal(missingOut.code, 2);
  assert.match(missingOut.stderr, /convert takes IN and OUT, got 1 arguments/);
  assert.equal(badOut.code, 2);
  assert.match(badOut.stderr, /cannot write '.*x\.txt': OUT must end in \.keras, \.h5, \.json/);
  assert.equal(badFile.code, 1);
  assert.match(badFile.stderr, /^tensile: loadModel: .*broken\.json: model\.json has no modelTopology object/);
  assert.equal(missingFile.code, 1);
  assert.match(missingFile.stderr, /cannot read '.*missing\.keras': no such file or folder/);
  assert.equal(weightsOnly.code, 1);
  assert.match(weightsOnly.stderr, /holds weights without an architecture/);
  for (const r of results) assert.doesNotMatch(r.stderr, /internal error|at .*\.ts:\d+/, "no stack traces for user errors");
});
