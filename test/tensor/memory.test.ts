/**
 * A training loop leaks nothing: 1,000 steps of a 2-layer MLP (GradientTape, Variable.assign), once inside
 * `tidy` (deterministic release) and once without it (the garbage collector and the FinalizationRegistry).
 *
 * The linear layers are written with mul + sum over a broadcast axis so this test depends only on the elementwise,
 * reduce and reshape ops.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import * as tn from "../../src/index.js";

const BATCH = 16;
const IN = 4;
const HIDDEN = 8;

/** a: [batch, k, 1], w: [1, k, n] → [batch, n] */
const linear = (a: tn.Tensor, w: tn.Tensor): tn.Tensor => tn.sum(tn.mul(a, w), { axis: 1 });

function makeModel(seed: number) {
  const w1 = tn.variable(tn.randomNormal([1, IN, HIDDEN], 0, 0.5, "float32", seed), { name: "w1" });
  const b1 = tn.variable(tn.zeros([HIDDEN]), { name: "b1" });
  const w2 = tn.variable(tn.randomNormal([1, HIDDEN, 1], 0, 0.5, "float32", seed + 1), { name: "w2" });
  const x = tn.randomNormal([BATCH, IN, 1], 0, 1, "float32", seed + 2);
  const target = tn.sum(tn.sin(x), { axis: 1 }); // [batch, 1]
  const params = [w1, b1, w2];
  const step = (): number => {
    const tape = new tn.GradientTape();
    const h = tn.tanh(tn.add(linear(x, w1), b1));
    const y = linear(tn.reshape(h, [BATCH, HIDDEN, 1]), w2);
    const loss = tn.mul(tn.sum(tn.square(tn.sub(y, target))), 1 / BATCH);
    const grads = tape.gradient(loss, params);
    params.forEach((p, i) => p.assign(tn.sub(p, tn.mul(grads[i], 0.05))));
    return loss.dataSync()[0];
  };
  return { step, params };
}

/** Collects garbage and lets the FinalizationRegistry's callbacks run (they are asynchronous): a few GCs and event-loop turns. */
async function settle(): Promise<void> {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

test("1,000 training steps inside tidy: tensor and byte counts stay flat", () => {
  const { step } = makeModel(1);
  let first = 0;
  let last = 0;
  for (let i = 0; i < 10; i++) {
    const loss = tn.tidy(step);
    if (i === 0) first = loss;
  }
  const after10 = tn.memory();
  for (let i = 10; i < 1000; i++) last = tn.tidy(step);
  const after1000 = tn.memory();
  assert.equal(after1000.numTensors, after10.numTensors, `tensors: ${JSON.stringify(after10)} → ${JSON.stringify(after1000)}`);
  assert.equal(after1000.numBytes, after10.numBytes);
  assert.equal(after1000.numDataBuffers, after10.numDataBuffers);
  assert.ok(last < first / 2, `the network trains: loss ${first} → ${last}`);
});

test("1,000 training steps without tidy: after gc, counts return to the baseline", async () => {
  const { step } = makeModel(2);
  step(); // first-use allocations (none expected, but do not count them)
  await settle();
  const baseline = tn.memory();
  for (let i = 0; i < 1000; i++) step();
  const peak = tn.memory();
  assert.ok(peak.numTensors > baseline.numTensors + 1000, "without tidy, tensors pile up until collected");
  await settle();
  const after = tn.memory();
  assert.deepEqual(after, baseline, `baseline ${JSON.stringify(baseline)}, peak ${JSON.stringify(peak)}, after gc ${JSON.stringify(after)}`);
});

test("tensors that outlive their tidy (returned or kept) are still released by the garbage collector", async () => {
  const a = tn.ones([64]);
  await settle();
  const baseline = tn.memory();
  for (let i = 0; i < 200; i++) {
    tn.tidy(() => tn.add(a, 1)); // returned to no scope
    tn.tidy(() => {
      tn.keep(tn.mul(a, 2)); // kept inside a scope
      const inner = tn.tidy(() => [tn.sub(a, 1)]); // returned into the outer scope, which disposes it
      assert.equal(inner[0].isDisposed, false);
    });
  }
  assert.equal(tn.memory().numTensors, baseline.numTensors + 400, "the returned and the kept tensors are live until collected");
  await settle();
  assert.deepEqual(tn.memory(), baseline);
  a.dispose();
});
