import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { assertClose, throwsTensile } from "../helpers/assert.js";
import { Double, Linear, Sum } from "./test-layers.js";

const x = tn.tensor([
  [1, 2],
  [3, 4],
  [5, 6],
]);

test("functional model: outputs equal the hand-computed composition", () => {
  const input = tn.input({ shape: [2] });
  const h = new Linear({ units: 3 }).apply(input);
  const y = new Linear({ units: 1 }).apply(h);
  const m = tn.model({ inputs: input, outputs: y });
  assert.deepEqual(y.shape, [null, 1]);
  // ones kernels, zero biases: h = [s, s, s] with s = x0 + x1; y = 3s
  assertClose(m.predict(x) as tn.Tensor, [[9], [21], [33]]);
  assert.equal(m.layers.length, 3, "input layer + 2");
  assert.equal(m.countParams(), 2 * 3 + 3 + 3 + 1);
  assert.deepEqual(
    m.weights.map((w) => w.shape),
    [[2, 3], [3], [3, 1], [1]],
  );
});

test("functional model: several inputs and outputs, a shared layer, a traced layer without computeOutputShape", () => {
  const a = tn.input({ shape: [2], name: "a" });
  const b = tn.input({ shape: [2], name: "b" });
  const shared = new Linear({ units: 2 });
  const sa = shared.apply(a);
  const sb = shared.apply(b);
  const sum = new Sum().apply([sa, sb]);
  const doubled = new Double().apply(sum);
  assert.deepEqual(doubled.shape, [null, 2]);
  const m = tn.model({ inputs: [a, b], outputs: [sum, doubled] });
  assert.equal(m.weights.length, 2, "the shared layer's weights count once");
  const [s, d] = m.predict([tn.tensor([[1, 1]]), tn.tensor([[2, 3]])]) as tn.Tensor[];
  assertClose(s, [[7, 7]]);
  assertClose(d, [[14, 14]]);
  // Inputs by name.
  const [s2] = m.predict({ a: tn.tensor([[1, 1]]), b: tn.tensor([[2, 3]]) }) as tn.Tensor[];
  assertClose(s2, [[7, 7]]);
});

test("functional model nested in another model as a layer", () => {
  const inner = (() => {
    const i = tn.input({ shape: [2] });
    return tn.model({ inputs: i, outputs: new Linear({ units: 2 }).apply(i), name: "inner" });
  })();
  const i = tn.input({ shape: [2] });
  const outer = tn.model({ inputs: i, outputs: new Double().apply(inner.apply(i)) });
  assertClose(outer.predict(tn.tensor([[1, 2]])) as tn.Tensor, [[6, 6]]);
  assert.equal(outer.trainableWeights.length, 2);
});

test("functional model: config round trip through the registry rebuilds the same graph", () => {
  const a = tn.input({ shape: [2] });
  const b = tn.input({ shape: [2] });
  const shared = new Linear({ units: 2, init: "glorotUniform" });
  const out = new Sum().apply([shared.apply(a), shared.apply(b)]);
  const m = tn.model({ inputs: [a, b], outputs: new Linear({ units: 1, init: "glorotUniform" }).apply(out) });
  const config = JSON.parse(JSON.stringify(m.getConfig())) as tn.layers.LayerConfig;
  const copy = tn.Model.fromConfig(config);
  copy.setWeights(m.getWeights());
  const xs = [tn.tensor([[1, -2]]), tn.tensor([[0.5, 3]])];
  assertClose(copy.predict(xs) as tn.Tensor, m.predict(xs) as tn.Tensor);
  assert.deepEqual(copy.getConfig(), m.getConfig());
});

test("functional model errors: disconnected graph, duplicate names, wrong input shape", () => {
  const a = tn.input({ shape: [2] });
  const b = tn.input({ shape: [2] });
  const y = new Sum().apply([a, b]);
  throwsTensile(() => tn.model({ inputs: a, outputs: y }), /graph disconnected/);
  const c = tn.input({ shape: [2] });
  const l1 = new Linear({ units: 1, name: "same" });
  const l2 = new Linear({ units: 1, name: "same" });
  throwsTensile(() => tn.model({ inputs: c, outputs: l2.apply(l1.apply(c)) }), /names must be unique, 'same'/);
  const d = tn.input({ shape: [2] });
  const m = tn.model({ inputs: d, outputs: new Linear({ units: 1 }).apply(d) });
  throwsTensile(() => m.predict(tn.zeros([4, 3])), /expects shape \[None, 2\], got \[4, 3\]/);
  throwsTensile(() => tn.model({ inputs: d, outputs: [] }), /outputs must be symbolic tensors/);
});

test("Sequential: builds from inputShape, add/pop, deferred build on first call", () => {
  const s = tn.sequential([new Linear({ units: 4, inputShape: [2] }), new Linear({ units: 1 })]);
  assert.ok(s.built);
  assert.deepEqual(s.outputs[0].shape, [null, 1]);
  assert.equal(s.layers.length, 2);
  s.pop();
  assert.deepEqual(s.outputs[0].shape, [null, 4]);
  s.add(new Double());
  assertClose(s.predict(x) as tn.Tensor, [[6, 6, 6, 6], [14, 14, 14, 14], [22, 22, 22, 22]]);

  const lazy = tn.sequential();
  lazy.add(new Linear({ units: 1 }));
  assert.equal(lazy.built, false);
  assertClose(lazy.predict(x) as tn.Tensor, [[3], [7], [11]]);
  assert.deepEqual(lazy.outputs[0].shape, [null, 1], "built on first call");
  throwsTensile(() => tn.sequential().pop(), /has no layers/);
});

test("Sequential: a layer that does not fit is refused and the model is unchanged", () => {
  class Needs3 extends Linear {
    override build(shape: tn.SymbolicShape): void {
      if (shape[shape.length - 1] !== 3) throw new tn.ValueError(`needs 3 features, got ${shape[shape.length - 1]}`);
      super.build(shape);
    }
  }
  const s = tn.sequential([new Linear({ units: 2, inputShape: [2] })]);
  throwsTensile(() => s.add(new Needs3({ units: 1 })), /needs 3 features, got 2/);
  assert.equal(s.layers.length, 1);
  assert.deepEqual(s.outputs[0].shape, [null, 2]);
});

test("Sequential config round trip", () => {
  const s = tn.sequential([new Linear({ units: 3, inputShape: [2], init: "glorotUniform" }), new Double()]);
  const copy = tn.Sequential.fromConfig(JSON.parse(JSON.stringify(s.getConfig())) as tn.layers.LayerConfig);
  copy.setWeights(s.getWeights());
  assertClose(copy.predict(x) as tn.Tensor, s.predict(x) as tn.Tensor);
});

test("subclassed model: layers assigned to properties are tracked", () => {
  class TwoLayers extends tn.Model {
    first = new Linear({ units: 3 });
    second = new Linear({ units: 1 });
    override call(inputs: tn.Tensor | tn.Tensor[]): tn.Tensor {
      return this.second.apply(this.first.apply(inputs as tn.Tensor));
    }
  }
  const m = new TwoLayers();
  assertClose(m.predict(x) as tn.Tensor, [[9], [21], [33]]);
  assert.equal(m.trainableWeights.length, 4);
  assert.deepEqual(
    m.layers.map((l) => l.className),
    ["TestLinear", "TestLinear"],
  );
  m.trainable = false;
  assert.equal(m.trainableWeights.length, 0);
  assert.equal(m.nonTrainableWeights.length, 4);
});

test("subclassed model: nested and shared sublayers are walked depth-first, parents first, each once", () => {
  // Keras's order: a layer's own weights, then each tracked sublayer's (recursively) in attribute order; `shared`
  // (a parameter property, assigned first) is listed under the first block only.
  class Block extends tn.layers.Layer {
    inner: Linear;
    constructor(readonly shared: Linear, name: string) {
      super({ name });
      this.inner = new Linear({ units: 2, name: `${name}_inner` });
    }
    override call(inputs: tn.Tensor | tn.Tensor[]): tn.Tensor {
      return this.inner.apply(this.shared.apply(inputs as tn.Tensor));
    }
  }
  const shared = new Linear({ units: 2, name: "shared" });
  class Outer extends tn.Model {
    blocks = [new Block(shared, "b0"), new Block(shared, "b1")];
    head = new Linear({ units: 1, name: "head" });
    override call(inputs: tn.Tensor | tn.Tensor[]): tn.Tensor {
      return this.head.apply(this.blocks[1].apply(this.blocks[0].apply(inputs as tn.Tensor)));
    }
  }
  const m = new Outer();
  m.predict(tn.ones([1, 2]));
  assert.deepEqual(
    m.weights.map((w) => w.name),
    ["shared/kernel", "shared/bias", "b0_inner/kernel", "b0_inner/bias", "b1_inner/kernel", "b1_inner/bias", "head/kernel", "head/bias"],
  );
  assert.deepEqual(
    m.layers.map((l) => l.name),
    ["b0", "b1", "head"],
  );
});

test("summary prints Keras's table with shapes and parameter counts", () => {
  tn.layers.clearSession();
  const s = tn.sequential([new Linear({ units: 512, inputShape: [784] }), new Linear({ units: 10 })]);
  const lines: string[] = [];
  s.summary({ printFn: (l) => lines.push(l) });
  const text = lines.join("\n");
  assert.match(text, /^Model: "sequential"/);
  assert.match(text, /│ test_linear \(TestLinear\) +│ \(None, 512\) +│ +401,920 │/);
  assert.match(text, /│ test_linear_1 \(TestLinear\) +│ \(None, 10\) +│ +5,130 │/);
  assert.match(text, / Total params: 407,050 \(1\.55 MB\)/);
  assert.match(text, / Trainable params: 407,050 \(1\.55 MB\)/);
  assert.match(text, / Non-trainable params: 0 \(0\.00 B\)/);
  const widths = new Set(text.split("\n").slice(1, -3).map((l) => l.length));
  assert.equal(widths.size, 1, "every table line has the same width");

  const a = tn.input({ shape: [2], name: "in_a" });
  const f = tn.model({ inputs: a, outputs: new Linear({ units: 1, name: "head" }).apply(a) });
  const ftext = f.summary({ printFn: () => {} });
  assert.match(ftext, /Connected to/);
  assert.match(ftext, /│ head \(TestLinear\) +│ \(None, 1\) +│ +3 │ in_a\[0\]\[0\] +│/);
  assert.match(ftext, /│ in_a \(InputLayer\) +│ \(None, 2\) +│ +0 │ - +│/);
});

test("layer weights: setWeights checks count and shapes; countParams needs a built layer", () => {
  const l = new Linear({ units: 2 });
  throwsTensile(() => l.countParams(), /not built yet/);
  l.apply(tn.zeros([1, 3]));
  throwsTensile(() => l.setWeights([tn.zeros([3, 2])]), /expected 2 arrays/);
  throwsTensile(() => l.setWeights([tn.zeros([2, 2]), tn.zeros([2])]), /has shape \[3,2\], got \[2,2\]/);
  l.setWeights([tn.ones([3, 2]), tn.tensor([1, 2])]);
  assertClose(l.apply(tn.tensor([[1, 1, 1]])), [[4, 5]]);
  assert.deepEqual(
    l.weights.map((w) => w.name),
    [`${l.name}/kernel`, `${l.name}/bias`],
  );
});

test("layer names are unique per class and reset by clearSession", () => {
  tn.layers.clearSession();
  assert.equal(new Linear({ units: 1 }).name, "test_linear");
  assert.equal(new Linear({ units: 1 }).name, "test_linear_1");
  tn.layers.clearSession();
  assert.equal(new Linear({ units: 1 }).name, "test_linear");
  throwsTensile(() => tn.layers.deserializeLayer({ className: "NoSuchLayer", config: {} }), /unknown layer class 'NoSuchLayer'/);
});

test("model.resetStates resets stateful layers", () => {
  const lstm = tn.layers.lstm({ units: 2, stateful: true, batchInputShape: [1, 3, 2] });
  const m = tn.sequential([lstm]);
  const x = tn.ones([1, 3, 2]);
  const first = (m.predict(x) as tn.Tensor).dataSync().slice();
  const second = (m.predict(x) as tn.Tensor).dataSync().slice();
  assert.notDeepEqual(Array.from(second), Array.from(first), "state carried between calls");
  m.resetStates();
  assert.deepEqual(Array.from((m.predict(x) as tn.Tensor).dataSync()), Array.from(first));
});
