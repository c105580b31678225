/**
 * `model.fit(dataset, {validationData: dataset})` and `evaluate(dataset)` release the batches a `tn.data` Dataset
 * hands them (the consumer owns them), so the number of live tensors is the same after every epoch; tensors the
 * caller owns (the sources, an array of batches, a generator's tensors) are left alone.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import * as data from "../../src/data/node/index.js";

const FNS = new URL("./worker-fns.ts", import.meta.url);

function build(): tn.Sequential {
  tn.setSeed(0);
  const m = tn.sequential({ layers: [tn.layers.dense({ units: 3, inputShape: [4], activation: "relu" }), tn.layers.dense({ units: 1 })] });
  m.compile({ optimizer: tn.optimizers.adam({ learningRate: 0.01 }), loss: "meanSquaredError", metrics: ["mae"] });
  return m;
}

/** Live tensors at the end of each epoch of `fit`, and after it returned (relative to before it started). */
async function epochCounts(m: tn.Sequential, x: unknown, options: Record<string, unknown>): Promise<{ perEpoch: number[]; after: number; history: Awaited<ReturnType<tn.Sequential["fit"]>> }> {
  const before = tn.memory().numTensors;
  const perEpoch: number[] = [];
  const callbacks = [{ onEpochEnd: () => void perEpoch.push(tn.memory().numTensors - before) }];
  const history = await m.fit(x as tn.Tensor, { verbose: 0, ...options, callbacks: callbacks as never });
  return { perEpoch, after: tn.memory().numTensors - before, history };
}

const xs = tn.randomUniform([48, 4], -1, 1, "float32", 11);
const ys = tn.sum(xs, { axis: 1, keepDims: true });

test("fit(dataset, {validationData: dataset}): live tensors are the same after every epoch, and evaluate(dataset) leaves none", async () => {
  const train = data.fromTensorSlices([xs, ys]).shuffle(48, { seed: 1 }).batch(8); // 6 batches of 2 tensors
  const validation = data.fromTensorSlices({ xs, ys }).batch(16).prefetch(2);
  const m = build();
  // Epoch 1 creates the optimizer's slots; after it nothing may grow (before the fix: 2 × (6 + 3) tensors per epoch).
  const { perEpoch, after, history } = await epochCounts(m, train, { epochs: 4, validationData: validation });
  assert.equal(history.history.val_loss.length, 4);
  assert.deepEqual(perEpoch.slice(1), [perEpoch[0], perEpoch[0], perEpoch[0]], `live tensors per epoch: ${perEpoch.join(", ")}`);
  // A second fit adds nothing (the slots exist now), and evaluate leaves nothing either.
  const again = await epochCounts(m, train, { epochs: 2, validationData: validation });
  assert.deepEqual(again.perEpoch, [0, 0]);
  assert.equal(again.after, 0);
  assert.ok(after >= perEpoch[0]);
  const before = tn.memory().numTensors;
  await m.evaluate(validation, { verbose: 0 });
  assert.equal(tn.memory().numTensors, before);
  // The caller's tensors were not disposed along with the batches.
  assert.equal(xs.isDisposed || ys.isDisposed, false);
  assert.equal(xs.shape[0], 48);
});

test("fit(dataset) with stepsPerEpoch, a parallel map with prefetch, and a cached dataset keeps live tensors flat", async () => {
  const mapped = data
    .fromTensorSlices({ x: xs, label: ys })
    .batch(12)
    .map<{ x: tn.Tensor; label: tn.Tensor }>({ module: FNS, export: "triple" }, { parallel: 2 })
    .map(({ x, label }) => [x, label] as [tn.Tensor, tn.Tensor])
    .prefetch(2);
  const cached = data.fromTensorSlices([xs, ys]).batch(12).cache();
  for (const [name, ds, steps] of [
    ["parallel map", mapped, undefined],
    ["parallel map, stepsPerEpoch 3 of 4", mapped, 3],
    ["cache", cached, undefined],
  ] as const) {
    const m = build();
    const { perEpoch } = await epochCounts(m, ds, { epochs: 3, stepsPerEpoch: steps });
    assert.deepEqual(perEpoch.slice(1), [perEpoch[0], perEpoch[0]], `${name}: live tensors per epoch ${perEpoch.join(", ")}`);
    const before = tn.memory().numTensors;
    await m.evaluate(ds, { verbose: 0 });
    assert.equal(tn.memory().numTensors, before, `${name}: evaluate`);
  }
  // The cache still serves its batches after consumers released their handles.
  const batches = await cached.toArray();
  assert.deepEqual(batches[3][0].arraySync(), tn.slice(xs, [36], [12]).arraySync());
});

test("fit over a generator's own tensors or an array of batches does not dispose them; losses match fit on arrays", async () => {
  const x0 = tn.slice(xs, [0], [24]);
  const y0 = tn.slice(ys, [0], [24]);
  const x1 = tn.slice(xs, [24], [24]);
  const y1 = tn.slice(ys, [24], [24]);
  const fromGen = data.fromGenerator(function* (): Generator<[tn.Tensor, tn.Tensor]> {
    yield [x0, y0];
    yield [x1, y1];
  });
  const viaGen = await build().fit(fromGen as data.Dataset<[tn.Tensor, tn.Tensor]>, { epochs: 3, verbose: 0 });
  const viaList = await build().fit([[x0, y0], [x1, y1]] as never, { epochs: 3, verbose: 0 });
  const viaArrays = await build().fit(xs, ys, { epochs: 3, batchSize: 24, shuffle: false, verbose: 0 });
  for (const t of [x0, y0, x1, y1]) assert.equal(t.isDisposed, false);
  for (let e = 0; e < 3; e++) {
    const want = viaArrays.history.loss[e];
    assert.ok(Math.abs(viaGen.history.loss[e] - want) <= 1e-6 * want, `epoch ${e}: generator ${viaGen.history.loss[e]} vs arrays ${want}`);
    assert.ok(Math.abs(viaList.history.loss[e] - want) <= 1e-6 * want, `epoch ${e}: list ${viaList.history.loss[e]} vs arrays ${want}`);
  }
});

test("fit(dataset) releases an element it rejects", async () => {
  const bad = data.fromTensorSlices(xs).batch(8);
  const m = build();
  const before = tn.memory().numTensors;
  await assert.rejects(m.fit(bad.map((x) => ({ input: x })) as never, { epochs: 1, verbose: 0 }), /dataset element must be/);
  assert.equal(tn.memory().numTensors - before, 0);
});
