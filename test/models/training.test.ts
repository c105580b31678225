import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { assertClose, throwsTensile } from "../helpers/assert.js";
import { Linear } from "./test-layers.js";

/** y = 2·x0 − 3·x1 + 1, exactly representable by a linear layer. */
function regressionData(n: number, seed: number): [tn.Tensor, tn.Tensor] {
  const xs = tn.randomUniform([n, 2], -1, 1, "float32", seed);
  const ys = tn.add(tn.matMul(xs, tn.tensor([[2], [-3]])), 1);
  return [xs, ys];
}

function linearModel(): tn.Model {
  const input = tn.input({ shape: [2] });
  return tn.model({ inputs: input, outputs: new Linear({ units: 1, init: "zeros" }).apply(input) });
}

test("fit: linear regression converges and History records each epoch", async () => {
  const [xs, ys] = regressionData(256, 1);
  const m = linearModel();
  m.compile({ optimizer: tn.optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError", metrics: ["mae"] });
  const history = await m.fit(xs, ys, { epochs: 30, batchSize: 32, verbose: 0 });
  assert.deepEqual(history.epoch, [...Array(30).keys()]);
  assert.equal(history.history.loss.length, 30);
  assert.ok(history.history.loss[29] < 1e-4, `final loss ${history.history.loss[29]}`);
  assert.ok(history.history.loss[29] < history.history.loss[0] / 100);
  assert.ok("mae" in history.history);
  const [kernel, bias] = m.getWeights();
  assertClose(kernel, [[2], [-3]], { atol: 1e-2 });
  assertClose(bias, [1], { atol: 1e-2 });
  const result = (await m.evaluate(xs, ys, { verbose: 0 })) as number[];
  assert.deepEqual(m.metricsNames, ["loss", "mae"]);
  assert.ok(result[0] < 1e-4 && result[1] < 1e-2);
});

test("fit: the epoch loss is the sample-weighted mean of batch losses, computed before each update", async () => {
  const xs = tn.tensor([[1, 0], [0, 1], [1, 1]]);
  const ys = tn.tensor([[1], [2], [3]]);
  const m = linearModel();
  // learningRate 0: weights stay zero, so every batch loss is mean(y²) of its rows.
  m.compile({ optimizer: tn.optimizers.sgd({ learningRate: 0 }), loss: "meanSquaredError" });
  const h = await m.fit(xs, ys, { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
  // batches: rows {0,1}: (1+4)/2 = 2.5 (2 samples); row {2}: 9 (1 sample) → (2.5·2 + 9)/3
  assert.ok(Math.abs(h.history.loss[0] - (2.5 * 2 + 9) / 3) < 1e-6);
});

test("fit: validationSplit holds out the last samples; validationData gives val_ logs", async () => {
  const [xs, ys] = regressionData(100, 2);
  const m = linearModel();
  m.compile({ optimizer: "sgd", loss: "mse" });
  const h = await m.fit(xs, ys, { epochs: 2, validationSplit: 0.2, verbose: 0 });
  assert.equal(h.history.val_loss.length, 2);
  // The held-out loss equals evaluate on the last 20 samples (same weights after the last epoch).
  const tail = (await m.evaluate(tn.slice(xs, [80, 0], [20, 2]), tn.slice(ys, [80, 0], [20, 1]), { verbose: 0 })) as number;
  assert.ok(Math.abs(tail - h.history.val_loss[1]) < 1e-6);
  const h2 = await m.fit(xs, ys, { epochs: 1, validationData: [xs, ys], verbose: 0 });
  assert.equal(h2.history.val_loss.length, 1);
  await assert.rejects(m.fit(xs, ys, { validationSplit: 1.5, verbose: 0 }), /validationSplit must be in \[0, 1\)/);
});

test("fit: callbacks see every hook in Keras's order and can stop training", async () => {
  const [xs, ys] = regressionData(40, 3);
  const m = linearModel();
  m.compile({ optimizer: "sgd", loss: "mse" });
  const events: string[] = [];
  const h = await m.fit(xs, ys, {
    epochs: 5,
    batchSize: 20,
    verbose: 0,
    callbacks: {
      onTrainBegin: () => void events.push("trainBegin"),
      onEpochBegin: (e: number) => void events.push(`epochBegin ${e}`),
      onTrainBatchEnd: (b: number, logs?: tn.callbacks.Logs) => void events.push(`batchEnd ${b} ${typeof logs?.loss}`),
      onEpochEnd: async (e: number) => {
        await new Promise((r) => setTimeout(r, 1));
        events.push(`epochEnd ${e}`);
        if (e === 1) m.stopTraining = true;
      },
      onTrainEnd: () => void events.push("trainEnd"),
    },
  });
  assert.deepEqual(events, [
    "trainBegin",
    "epochBegin 0",
    "batchEnd 0 number",
    "batchEnd 1 number",
    "epochEnd 0",
    "epochBegin 1",
    "batchEnd 0 number",
    "batchEnd 1 number",
    "epochEnd 1",
    "trainEnd",
  ]);
  assert.deepEqual(h.epoch, [0, 1]);
});

test("fit and evaluate read the logs per batch only when a callback has a batch hook (Keras)", async () => {
  const [xs, ys] = regressionData(40, 5);
  const m = linearModel();
  /** Counts how often the loop reads the metric (it computes per-batch logs with it). */
  class CountingMae extends tn.metrics.MeanAbsoluteError {
    reads = 0;
    override result(): number {
      this.reads++;
      return super.result();
    }
  }
  const mae = new CountingMae();
  m.compile({ optimizer: "sgd", loss: "mse", metrics: [mae] });
  // Epoch hooks only: one read per epoch (the epoch logs), none per batch.
  class EpochOnly extends tn.callbacks.Callback {
    override onEpochEnd(): void {}
  }
  await m.fit(xs, ys, { epochs: 2, batchSize: 10, verbose: 0, callbacks: [new EpochOnly()] });
  assert.equal(mae.reads, 2);
  // A subclass overriding onBatchEnd alone gets every batch's logs, the same as the epoch's at the last batch.
  const seen: number[] = [];
  let epochLoss = NaN;
  class BatchEnd extends tn.callbacks.Callback {
    override onBatchEnd(_b: number, logs?: tn.callbacks.Logs): void {
      seen.push(logs?.loss ?? NaN);
    }
    override onEpochEnd(_e: number, logs?: tn.callbacks.Logs): void {
      epochLoss = logs?.loss ?? NaN;
    }
  }
  mae.reads = 0;
  await m.fit(xs, ys, { epochs: 1, batchSize: 10, verbose: 0, callbacks: [new BatchEnd()] });
  assert.equal(seen.length, 4);
  assert.ok(seen.every(Number.isFinite));
  assert.equal(seen[3], epochLoss);
  assert.equal(mae.reads, 5);
  // evaluate: per-batch reads only with an onTestBatchEnd hook.
  mae.reads = 0;
  await m.evaluate(xs, ys, { batchSize: 10, verbose: 0 });
  assert.equal(mae.reads, 1);
  const testEnds: number[] = [];
  await m.evaluate(xs, ys, { batchSize: 10, verbose: 0, callbacks: { onTestBatchEnd: (b: number) => void testEnds.push(b) } });
  assert.deepEqual(testEnds, [0, 1, 2, 3]);
});

test("fit yields to the event loop between batches", async () => {
  const [xs, ys] = regressionData(64, 4);
  const m = linearModel();
  m.compile({ optimizer: "sgd", loss: "mse" });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  let batches = 0;
  await m.fit(xs, ys, { epochs: 3, batchSize: 1, verbose: 0, callbacks: { onBatchEnd: () => void batches++ } });
  clearInterval(timer);
  assert.equal(batches, 192);
  assert.ok(ticks > 0, "a timer ran while fit was training");
});

test("fit leaves no tensors behind", async () => {
  const [xs, ys] = regressionData(64, 5);
  const m = linearModel();
  m.compile({ optimizer: "adam", loss: "mse", metrics: ["mae"] });
  await m.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 });
  const before = tn.memory().numTensors;
  await m.fit(xs, ys, { epochs: 3, batchSize: 16, verbose: 0 });
  assert.equal(tn.memory().numTensors, before);
});

test("sampleWeight and classWeight: a zero weight removes samples from the loss", async () => {
  const xs = tn.tensor([[1, 0], [0, 1], [1, 1], [2, 0]]);
  const ys = tn.tensor([[1], [0], [1], [0]]);
  const m = linearModel();
  m.compile({ optimizer: tn.optimizers.sgd({ learningRate: 0 }), loss: "mse" });
  const weighted = (await m.evaluate(xs, ys, { sampleWeight: tn.tensor([1, 0, 1, 0]), verbose: 0 })) as number;
  // predictions are 0: per-sample losses 1,0,1,0 weighted 1,0,1,0 → sum 2 over 4 samples (Keras's sum_over_batch_size)
  assert.ok(Math.abs(weighted - 0.5) < 1e-6);
  const h = await m.fit(xs, ys, { epochs: 1, batchSize: 4, classWeight: { 0: 0, 1: 2 }, verbose: 0 });
  assert.ok(Math.abs(h.history.loss[0] - (2 * 1 + 2 * 1) / 4) < 1e-6);
});

test("trainOnBatch, testOnBatch, predictOnBatch; predict concatenates batches", () => {
  const [xs, ys] = regressionData(10, 6);
  const m = linearModel();
  m.compile({ optimizer: tn.optimizers.sgd({ learningRate: 0.1 }), loss: "mse" });
  const before = m.testOnBatch(xs, ys) as number;
  const trained = m.trainOnBatch(xs, ys) as number;
  assert.ok(Math.abs(trained - before) < 1e-6, "trainOnBatch reports the loss before its update");
  assert.ok((m.testOnBatch(xs, ys) as number) < before);
  const all = m.predictOnBatch(xs) as tn.Tensor;
  assertClose(m.predict(xs, { batchSize: 3 }) as tn.Tensor, all, { atol: 1e-6 });
});

test("fit on a dataset-like iterable of batches", async () => {
  const [xs, ys] = regressionData(64, 7);
  const batches = [0, 16, 32, 48].map((s) => [tn.slice(xs, [s, 0], [16, 2]), tn.slice(ys, [s, 0], [16, 1])] as const);
  const m = linearModel();
  m.compile({ optimizer: tn.optimizers.sgd({ learningRate: 0.2 }), loss: "mse" });
  const h = await m.fit(batches, { epochs: 20, verbose: 0 });
  assert.ok(h.history.loss[19] < h.history.loss[0] / 10);
  async function* gen() {
    for (const b of batches) yield { xs: b[0], ys: b[1] };
  }
  const loss = (await m.evaluate({ [Symbol.asyncIterator]: gen }, { verbose: 0 })) as number;
  assert.ok(Number.isFinite(loss));
});

test("multi-output models: per-output losses, lossWeights and named logs", async () => {
  const input = tn.input({ shape: [2] });
  const a = new Linear({ units: 1, init: "zeros", name: "out_a" }).apply(input);
  const b = new Linear({ units: 1, init: "zeros", name: "out_b" }).apply(input);
  const m = tn.model({ inputs: input, outputs: [a, b] });
  m.compile({ optimizer: tn.optimizers.sgd({ learningRate: 0 }), loss: { out_a: "mse", out_b: "mae" }, lossWeights: [1, 0.5], metrics: ["mse"] });
  const xs = tn.tensor([[1, 2]]);
  const values = m.testOnBatch(xs, [tn.tensor([[2]]), tn.tensor([[4]])]) as number[];
  assert.deepEqual(m.metricsNames, ["loss", "out_a_loss", "out_b_loss", "out_a_mse", "out_b_mse"]);
  assertClose(tn.tensor(values), [4 + 0.5 * 4, 4, 4, 4, 16]);
});

test("compile and fit errors are clear", async () => {
  const m = linearModel();
  await assert.rejects(async () => m.fit(tn.zeros([2, 2]), tn.zeros([2, 1])), /must be compiled first/);
  throwsTensile(() => m.compile({ optimizer: "sgd", loss: "noSuchLoss" }), /noSuchLoss/);
  throwsTensile(() => m.compile({ optimizer: "noSuchOptimizer", loss: "mse" }), /noSuchOptimizer/);
  m.compile({ optimizer: "sgd", loss: "mse" });
  await assert.rejects(m.fit(tn.zeros([3, 2]), tn.zeros([2, 1]), { verbose: 0 }), /same number of samples/);
  await assert.rejects(m.fit(tn.zeros([3, 2]), tn.zeros([3, 1]), { epochs: 0, verbose: 0 }), /epochs must be a positive integer, got 0/);
});
