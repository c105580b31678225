import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tn from "../../src/index.js";
import { setKernelObserver } from "../../src/backend/dispatch.js";
import { throwsTensile } from "../helpers/assert.js";

const f64 = (v: tn.NestedValues): tn.Tensor => tn.tensor(v, undefined, "float64");
const values = (t: tn.Tensor | null): number[] => {
  assert.ok(t !== null, "expected a tensor, got null");
  return Array.from(t.dataSync());
};
const close = (actual: number[], expected: number[], tol = 1e-9): void => {
  assert.equal(actual.length, expected.length, `got ${actual}, expected ${expected}`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol * (1 + Math.abs(expected[i])), `got ${actual}, expected ${expected}`));
};
const cube = (x: tn.Tensor): tn.Tensor => tn.mul(tn.mul(x, x), x);

describe("GradientTape", () => {
  test("watch: gradient of a watched constant", () => {
    const x = f64([1, 2, 3]);
    const tape = new tn.GradientTape();
    tape.watch(x);
    const y = tn.sum(tn.square(x));
    close(values(tape.gradient(y, x)), [2, 4, 6]);
  });

  test("an unwatched constant gets zeros (default) or null (unconnectedGradients: 'none')", () => {
    const x = f64([1, 2]);
    const c = f64([5, 6]);
    const tape = new tn.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tn.sum(tn.mul(x, c));
    close(values(tape.gradient(y, c)), [0, 0]);
    assert.equal(tape.gradient(y, c, { unconnectedGradients: "none" }), null);
    const [gx, gc] = tape.gradient(y, [x, c], { unconnectedGradients: "none" });
    close(values(gx), [5, 6]);
    assert.equal(gc, null);
    tape[Symbol.dispose]();
  });

  test("trainable Variables are watched automatically; non-trainable ones are not", () => {
    const w = tn.variable(f64([1, 2]));
    const frozen = tn.variable(f64([3, 4]), { trainable: false });
    const tape = new tn.GradientTape({ persistent: true });
    const y = tn.sum(tn.mul(w, frozen));
    close(values(tape.gradient(y, w)), [3, 4]);
    assert.equal(tape.gradient(y, frozen, { unconnectedGradients: "none" }), null);
    // watchAccessedVariables: false turns the automatic watching off.
    const quiet = new tn.GradientTape({ watchAccessedVariables: false });
    const z = tn.sum(tn.mul(w, w));
    assert.equal(quiet.gradient(z, w, { unconnectedGradients: "none" }), null);
    tape[Symbol.dispose]();
  });

  test("sources as an array or an object", () => {
    const a = tn.variable(f64(2), { name: "a" });
    const b = tn.variable(f64(5), { name: "b" });
    const tape = new tn.GradientTape({ persistent: true });
    const y = tn.mul(a, b);
    const [ga, gb] = tape.gradient(y, [a, b]);
    close(values(ga), [5]);
    close(values(gb), [2]);
    const named = tape.gradient(y, { first: a, second: b });
    close(values(named.first), [5]);
    close(values(named.second), [2]);
    tape[Symbol.dispose]();
  });

  test("a non-persistent tape allows one gradient call; a persistent one many", () => {
    const x = f64(3);
    const tape = new tn.GradientTape();
    tape.watch(x);
    const y = tn.square(x);
    close(values(tape.gradient(y, x)), [6]);
    throwsTensile(() => tape.gradient(y, x), /^GradientTape\.gradient: .*only once.*persistent: true/, tn.ValueError);

    const p = new tn.GradientTape({ persistent: true });
    p.watch(x);
    const y2 = tn.square(x);
    const y3 = cube(x);
    close(values(p.gradient(y2, x)), [6]);
    close(values(p.gradient(y3, x)), [27]);
    p[Symbol.dispose]();
    throwsTensile(() => p.gradient(y2, x), /^GradientTape\.gradient: the tape was disposed/);
  });

  test("`using` disposes the tape at the end of the block", () => {
    const x = f64(2);
    let y: tn.Tensor;
    let kept: tn.GradientTape;
    {
      using tape = new tn.GradientTape({ persistent: true });
      kept = tape;
      tape.watch(x);
      y = cube(x);
      close(values(tape.gradient(y, x)), [12]);
    }
    throwsTensile(() => kept.gradient(y, x), /the tape was disposed/);
  });

  test("nested tapes give second derivatives", () => {
    const x = f64(3);
    const outer = new tn.GradientTape();
    outer.watch(x);
    const inner = new tn.GradientTape();
    inner.watch(x);
    const y = cube(x);
    const dy = inner.gradient(y, x); // 3x² = 27
    const d2y = outer.gradient(dy, x); // 6x = 18
    close(values(dy), [27]);
    close(values(d2y), [18]);
  });

  test("stopRecording: ops inside are not differentiated", () => {
    const x = f64(2);
    const tape = new tn.GradientTape();
    tape.watch(x);
    const frozen = tape.stopRecording(() => tn.square(x)); // constant 4
    const y = tn.add(tn.mul(frozen, x), tn.square(x)); // 4x + x² → 4 + 2x = 8
    close(values(tape.gradient(y, x)), [8]);
  });

  test("outputGradients weights the target's elements, and its shape is checked", () => {
    const x = f64([1, 2, 3]);
    const tape = new tn.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tn.square(x);
    close(values(tape.gradient(y, x, { outputGradients: f64([1, 0, -1]) })), [2, 0, -6]);
    close(values(tape.gradient(y, x)), [2, 4, 6]); // default: ones
    throwsTensile(
      () => tape.gradient(y, x, { outputGradients: f64([1, 2]) }),
      /^GradientTape\.gradient: outputGradients has shape \[2\], expected the target's shape \[3\]/,
    );
    tape[Symbol.dispose]();
  });

  test("watch refuses integer tensors", () => {
    const tape = new tn.GradientTape();
    throwsTensile(() => tape.watch(tn.tensor([1, 2], undefined, "int32")), /^GradientTape\.watch: can only watch float tensors, got dtype int32/, tn.DTypeError);
    tape[Symbol.dispose]();
  });

  test("a Variable assigned between forward and backward gives the gradient at the old value", () => {
    const w = tn.variable(f64([2, 3]));
    const tape = new tn.GradientTape();
    const y = tn.sum(cube(w)); // dy/dw = 3w² at w = [2, 3]
    w.assign(f64([10, 10]));
    close(values(tape.gradient(y, w)), [12, 27]);
    close(values(w), [10, 10]);
  });

  test("differentiating argMax is a NotDifferentiableError naming the op", () => {
    const x = f64([1, 5, 2]);
    const tape = new tn.GradientTape({ persistent: true });
    tape.watch(x);
    const i = tn.argMax(x);
    throwsTensile(() => tape.gradient(i, x), /^GradientTape\.gradient: argMax is not differentiable.*detach\(\)/, tn.NotDifferentiableError);
    // Cast from an integer passes no gradient (as TF): argMax used as an index contributes zero, not an error.
    const y = tn.sum(tn.mul(x, tn.cast(i, "float64")));
    close(values(tape.gradient(y, x)), [1, 1, 1]);
    tape[Symbol.dispose]();
  });
});

describe("customGrad", () => {
  test("uses the hand-written gradient", () => {
    const f = tn.customGrad((x: tn.Tensor) => ({
      value: tn.square(x),
      gradFunc: (dy: tn.Tensor) => [tn.mul(dy, 100)],
    }));
    const x = f64([1, 2]);
    close(values(f(x)), [1, 4]);
    close(values(tn.grad((t) => tn.sum(f(t)))(x)), [100, 100]);
    const tape = new tn.GradientTape();
    tape.watch(x);
    const y = tn.sum(tn.mul(f(x), 2));
    close(values(tape.gradient(y, x)), [200, 200]);
  });

  test("two inputs, and gradFunc may return null for one", () => {
    const f = tn.customGrad((a: tn.Tensor, b: tn.Tensor) => ({ value: tn.mul(a, b), gradFunc: (dy: tn.Tensor) => [tn.mul(dy, b), null] }));
    const [ga, gb] = tn.grads((a, b) => f(a, b))([f64(3), f64(4)]);
    close(values(ga), [4]);
    close(values(gb), [0]);
  });

  test("a wrong number of gradients is an error", () => {
    const f = tn.customGrad((a: tn.Tensor, b: tn.Tensor) => ({ value: tn.add(a, b), gradFunc: (dy: tn.Tensor) => [dy] }));
    throwsTensile(() => tn.grads((a, b) => f(a, b))([f64(1), f64(2)]), /^customGrad: gradFunc returned 1 gradients for 2 inputs/);
  });
});

describe("PyTorch style", () => {
  test("backward fills .grad of leaves and accumulates over calls; zeroGrad clears", () => {
    const x = f64([1, 2, 3]).requiresGrad_();
    assert.equal(x.requiresGrad, true);
    tn.sum(tn.square(x)).backward();
    close(values(x.grad), [2, 4, 6]);
    tn.sum(tn.mul(x, 3)).backward();
    close(values(x.grad), [5, 7, 9]);
    tn.zeroGrad([x]);
    assert.equal(x.grad, null);
    tn.sum(x).backward();
    close(values(x.grad), [1, 1, 1]);
  });

  test("intermediate tensors get no .grad; leaves without requiresGrad get none", () => {
    const x = f64([1, 2]).requiresGrad_();
    const c = f64([3, 4]);
    const h = tn.mul(x, c);
    assert.equal(h.requiresGrad, true);
    tn.sum(h).backward();
    assert.equal(h.grad, null);
    assert.equal(c.grad, null);
    close(values(x.grad), [3, 4]);
    throwsTensile(() => { h.requiresGrad = false; }, /^requiresGrad: can only be changed on a leaf tensor/);
    throwsTensile(() => tn.tensor([1], undefined, "int32").requiresGrad_(), /^requiresGrad: only float tensors can require gradients, got dtype int32/);
  });

  test("detach stops the gradient", () => {
    const x = f64([2, 3]).requiresGrad_();
    tn.sum(tn.mul(x.detach(), x)).backward(); // d(c·x) = c
    close(values(x.grad), [2, 3]);
    assert.equal(x.detach().requiresGrad, false);
  });

  test("noGrad records nothing", () => {
    const x = f64([2]).requiresGrad_();
    const y = tn.noGrad(() => tn.square(x));
    assert.equal(y.requiresGrad, false);
    throwsTensile(() => y.backward(), /^backward: this tensor does not require grad/, tn.ValueError);
  });

  test("backward on a non-scalar needs a gradient of its shape", () => {
    const x = f64([1, 2]).requiresGrad_();
    const y = tn.square(x);
    throwsTensile(() => y.backward(), /^backward: gradient is required for a non-scalar tensor, got shape \[2\]/);
    throwsTensile(() => y.backward([1, 2, 3]), /^backward: gradient has shape \[3\], expected \[2\]/);
    y.backward([1, -1]);
    close(values(x.grad), [2, -4]);
  });

  test("createGraph: the gradient can be differentiated again", () => {
    const x = f64(2).requiresGrad_();
    cube(x).backward(undefined, { createGraph: true });
    const g = x.grad!;
    close(values(g), [12]); // 3x²
    assert.equal(g.requiresGrad, true);
    tn.zeroGrad([x]);
    g.backward();
    close(values(x.grad), [12]); // 6x
    // Without createGraph the gradient is a plain constant.
    const z = f64(2).requiresGrad_();
    cube(z).backward();
    assert.equal(z.grad!.requiresGrad, false);
  });

  test("a tensor reused along two paths sums both contributions", () => {
    const x = f64(3).requiresGrad_();
    const a = tn.square(x);
    tn.add(tn.mul(a, x), a).backward(); // x³ + x² → 3x² + 2x = 33
    close(values(x.grad), [33]);
  });
});

describe("JAX style", () => {
  test("grad, and grad of grad of grad on x³ (hand-computed: 27, 18, 6 at x = 3)", () => {
    const d1 = tn.grad(cube);
    const d2 = tn.grad(d1);
    const d3 = tn.grad(d2);
    close(values(cube(f64(3))), [27]);
    close(values(d1(f64(3))), [27]); // 3x²
    close(values(d2(f64(3))), [18]); // 6x
    close(values(d3(f64(3))), [6]); // 6
    close(values(d3(f64(-1.5))), [6]);
    close(values(d2(f64([1, -2]))), [6, -12]);
    // Plain numbers work too (float32).
    close(values(d1(2)), [12], 1e-6);
  });

  test("grads: one gradient per argument; the same tensor twice gets two gradients", () => {
    const f = (a: tn.Tensor, b: tn.Tensor): tn.Tensor => tn.sum(tn.mul(tn.square(a), b));
    const [ga, gb] = tn.grads(f)([f64([1, 2]), f64([3, 4])]);
    close(values(ga), [6, 16]); // 2ab
    close(values(gb), [1, 4]); // a²
    const x = f64([2, 5]);
    const [g1, g2] = tn.grads((a, b) => tn.sum(tn.mul(a, b)))([x, x]);
    close(values(g1), [2, 5]);
    close(values(g2), [2, 5]);
  });

  test("valueAndGrad and valueAndGrads", () => {
    const { value, grad } = tn.valueAndGrad((x) => tn.sum(cube(x)))(f64([1, 2]));
    close(values(value), [9]);
    close(values(grad), [3, 12]);
    const r = tn.valueAndGrads((a, b) => tn.sum(tn.sub(a, b)))([f64([1]), f64([4])]);
    close(values(r.value), [-3]);
    close(values(r.grads[0]), [1]);
    close(values(r.grads[1]), [-1]);
  });

  test("grad with dy, unconnected inputs get zeros", () => {
    close(values(tn.grad((x) => tn.square(x))(f64([1, 2]), f64([3, 1]))), [6, 4]);
    const [ga, gb] = tn.grads((a, _b) => tn.sum(a))([f64([1]), f64([2, 3])]);
    close(values(ga), [1]);
    close(values(gb), [0, 0]);
  });

  test("vjp: value and a pullback callable many times", () => {
    const [y, pullback] = tn.vjp((a, b) => tn.mul(a, b), f64([1, 2]), f64([3, 4]));
    close(values(y), [3, 8]);
    const [ga, gb] = pullback([1, 1]);
    close(values(ga), [3, 4]);
    close(values(gb), [1, 2]);
    const [ga2] = pullback(f64([2, 0]));
    close(values(ga2), [6, 0]);
    throwsTensile(() => pullback([1, 2, 3]), /^vjp: dy has shape \[3\], expected f's output shape \[2\]/);
  });

  test("f must return a tensor", () => {
    throwsTensile(() => tn.grad(() => 3 as unknown as tn.Tensor)(f64(1)), /^grad: f must return a Tensor, got number/);
  });

  test("grad of argMax is a NotDifferentiableError", () => {
    throwsTensile(
      () => tn.grad((x) => tn.argMax(x))(f64([1, 3, 2])),
      /^grad: argMax is not differentiable, but a gradient flows into it/,
      tn.NotDifferentiableError,
    );
  });
});

describe("variableGrads", () => {
  test("gradients of every trainable Variable read, keyed by name", () => {
    const w = tn.variable(f64([1, 2]), { name: "w" });
    const b = tn.variable(f64(3), { name: "b" });
    const frozen = tn.variable(f64(10), { name: "frozen", trainable: false });
    const { value, grads } = tn.variableGrads(() => tn.sum(tn.add(tn.mul(tn.square(w), b), frozen)));
    close(values(value), [35]); // (1 + 4)·3 + 2·10
    assert.deepEqual(Object.keys(grads).sort(), ["b", "w"]);
    close(values(grads.w), [6, 12]); // 2wb
    close(values(grads.b), [5]); // Σw²
  });

  test("varList restricts the variables (non-trainable ones too); unread ones get zeros", () => {
    const w = tn.variable(f64([1, 2]), { name: "w2" });
    const frozen = tn.variable(f64(10), { name: "frozen2", trainable: false });
    const unused = tn.variable(f64([0, 0, 0]), { name: "unused" });
    const { grads } = tn.variableGrads(() => tn.sum(tn.mul(w, frozen)), [frozen, unused]);
    assert.deepEqual(Object.keys(grads).sort(), ["frozen2", "unused"]);
    close(values(grads.frozen2), [3]);
    close(values(grads.unused), [0, 0, 0]);
  });
});

test("backprop skips the gradient of an input nobody asked for (matMul computes only dW for a constant x)", () => {
  const x = tn.randomNormal([8, 5], 0, 1, "float32", 1);
  const w = tn.variable(tn.randomNormal([5, 3], 0, 1, "float32", 2));
  const counts = new Map<string, number>();
  const tape = new tn.GradientTape();
  const y = tn.sum(tn.matMul(x, w));
  setKernelObserver((prim) => counts.set(prim, (counts.get(prim) ?? 0) + 1));
  try {
    const dw = tape.gradient(y, w);
    // dW = xᵀ·1: the column sums of x, repeated over the 3 outputs.
    const xs = x.arraySync() as number[][];
    const expected = xs[0].map((_, j) => xs.reduce((acc, row) => acc + row[j], 0));
    const got = dw.arraySync() as number[][];
    got.forEach((row, j) => row.forEach((v) => assert.ok(Math.abs(v - expected[j]) < 1e-4)));
  } finally {
    setKernelObserver(null);
  }
  assert.equal(counts.get("matMul"), 1, "only dW = xᵀ·dy is computed, not dx");
});
