/** The fused LSTM and GRU steps (lstmStep, gruStep): when they run, and that they compute what the composed steps compute. */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../../src/index.js";
import { setKernelObserver } from "../../../src/backend/dispatch.js";
import type { Primitive } from "../../../src/backend/primitives.js";
import { assertClose } from "../../helpers/assert.js";
import { values } from "./helpers.js";

const B = 3;
const T = 6;
const F = 5;
const U = 4;

/** Kernel calls per primitive while `fn` runs. */
function countCalls(fn: () => void): Map<Primitive, number> {
  const calls = new Map<Primitive, number>();
  setKernelObserver((prim) => calls.set(prim, (calls.get(prim) ?? 0) + 1));
  try {
    tn.tidy(fn);
  } finally {
    setKernelObserver(null);
  }
  return calls;
}

/** The same sigmoid as a function the layer cannot recognise: it forces the composed (unfused) step. */
const plainSigmoid = (x: tn.Tensor): tn.Tensor => tn.sigmoid(x);

/**
 * Builds the fused layer (`make(false)`) and the composed one (`make(true)`) with the same weights, and checks that
 * training-mode loss and weight gradients agree (float32 tolerances).
 */
function assertFusedMatchesComposed(
  name: string,
  make: (composed: boolean) => tn.layers.Layer,
  lossOf: (outs: tn.Tensor[]) => tn.Tensor,
  x: tn.Tensor,
  mask: tn.Tensor | null,
  weightCount: number,
): void {
  const fused = make(false);
  const composed = make(true);
  fused.applyMulti(x);
  composed.applyMulti(x);
  composed.setWeights(fused.getWeights());
  const run = (layer: tn.layers.Layer) =>
    tn.variableGrads(() => lossOf(layer.applyMulti(x, { training: true, ...(mask !== null ? { mask } : {}) })), layer.trainableWeights);
  const a = run(fused);
  const b = run(composed);
  assertClose(a.value, b.value, { rtol: 1e-6, atol: 1e-6, message: `${name}: loss` });
  const gradsA = Object.values(a.grads);
  const gradsB = Object.values(b.grads);
  assert.equal(gradsA.length, weightCount);
  gradsA.forEach((g, i) => assertClose(g, gradsB[i], { rtol: 1e-4, atol: 1e-6, message: `${name}: gradient ${i}` }));
}

test("LSTM runs one fused lstmCell per timestep (and one lstmCellGrad in backprop) with its default activations only", () => {
  const x = values([B, T, F], 1);
  const fused = tn.layers.lstm({ units: U });
  const vars = (): tn.Variable[] => fused.trainableWeights;
  fused.apply(x);
  const forward = countCalls(() => fused.apply(x));
  assert.equal(forward.get("lstmCell"), T);
  assert.equal(forward.get("sigmoid"), undefined);
  const training = countCalls(() => tn.variableGrads(() => tn.sum(fused.apply(x, { training: true }) as tn.Tensor), vars()));
  assert.equal(training.get("lstmCell"), T);
  assert.equal(training.get("lstmCellGrad"), T);
  for (const args of [{ recurrentActivation: "hardSigmoid" }, { activation: "relu" }, { recurrentActivation: plainSigmoid }] as const) {
    const other = tn.layers.lstm({ units: U, ...args } as tn.layers.LSTMArgs);
    assert.equal(countCalls(() => other.apply(x)).get("lstmCell"), undefined, JSON.stringify(args));
  }
});

test("the fused LSTM step gives the composed step's outputs, states and gradients (float32; sequences, masks, dropout)", () => {
  const x = values([B, T, F], 2);
  const mask = tn.tensor([[1, 1, 0, 1, 1, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0]], [B, T], "bool");
  const cases: [string, Partial<tn.layers.LSTMArgs>, boolean][] = [
    ["last output", {}, false],
    ["returnSequences, goBackwards", { returnSequences: true, goBackwards: true }, false],
    ["input dropout in training", { dropout: 0.3, seed: 7 }, true],
  ];
  for (const [name, extra, withMask] of cases) {
    const make = (composed: boolean): tn.layers.LSTM =>
      tn.layers.lstm({ units: U, returnState: true, ...extra, ...(composed ? { recurrentActivation: plainSigmoid } : {}) });
    const lossOf = (outs: tn.Tensor[]): tn.Tensor => tn.add(tn.sum(tn.square(outs[0])), tn.add(tn.sum(outs[1]), tn.sum(tn.mul(outs[2], 0.5))));
    assertFusedMatchesComposed(name, make, lossOf, x, withMask ? mask : null, 3);
  }
});

test("GRU runs one fused gruCell per timestep (and one gruCellGrad in backprop) with resetAfter and its default activations only", () => {
  const x = values([B, T, F], 3);
  const fused = tn.layers.gru({ units: U });
  fused.apply(x);
  assert.equal(countCalls(() => fused.apply(x)).get("gruCell"), T);
  const training = countCalls(() => tn.variableGrads(() => tn.sum(fused.apply(x, { training: true }) as tn.Tensor), fused.trainableWeights));
  assert.equal(training.get("gruCell"), T);
  assert.equal(training.get("gruCellGrad"), T);
  for (const args of [{ resetAfter: false }, { recurrentActivation: "hardSigmoid" }, { recurrentActivation: plainSigmoid }] as const) {
    const other = tn.layers.gru({ units: U, ...args } as tn.layers.GRUArgs);
    assert.equal(countCalls(() => other.apply(x)).get("gruCell"), undefined, JSON.stringify(args));
  }
});

test("the fused GRU step gives the composed step's outputs and gradients (float32; sequences, masks, no bias, dropout)", () => {
  const x = values([B, T, F], 4);
  const mask = tn.tensor([[1, 1, 0, 1, 1, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0]], [B, T], "bool");
  const cases: [string, Partial<tn.layers.GRUArgs>, boolean][] = [
    ["last output", {}, false],
    ["returnSequences, goBackwards, masked", { returnSequences: true, goBackwards: true }, true],
    ["no bias", { useBias: false }, false],
    ["input dropout in training", { dropout: 0.3, seed: 3 }, false],
  ];
  for (const [name, extra, withMask] of cases) {
    const make = (composed: boolean): tn.layers.GRU =>
      tn.layers.gru({ units: U, returnState: true, ...extra, ...(composed ? { recurrentActivation: plainSigmoid } : {}) });
    const lossOf = (outs: tn.Tensor[]): tn.Tensor => tn.add(tn.sum(tn.square(outs[0])), tn.sum(tn.mul(outs[1], 0.5)));
    assertFusedMatchesComposed(name, make, lossOf, x, withMask ? mask : null, extra.useBias === false ? 2 : 3);
  }
});
