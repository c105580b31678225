import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tn from "../../src/index.js";
import { throwsTensile } from "../helpers/assert.js";

describe("creation", () => {
  test("tensor from nested arrays infers shape; dtype float32, or bool for booleans", () => {
    const x = tn.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(x.shape, [2, 3]);
    assert.equal(x.dtype, "float32");
    assert.equal(x.rank, 2);
    assert.equal(x.size, 6);
    assert.deepEqual(x.arraySync(), [[1, 2, 3], [4, 5, 6]]);
    const b = tn.tensor([[true], [false]]);
    assert.equal(b.dtype, "bool");
    assert.deepEqual(b.arraySync(), [[true], [false]]);
    assert.deepEqual(tn.tensor([[], []]).shape, [2, 0]);
    assert.deepEqual(tn.tensor([]).shape, [0]);
  });

  test("tensor with shape and dtype", () => {
    const x = tn.tensor([1, 2, 3, 4, 5, 6], [3, 2], "int32");
    assert.deepEqual(x.shape, [3, 2]);
    assert.equal(x.dtype, "int32");
    assert.ok(x.dataSync() instanceof Int32Array);
    assert.deepEqual(x.arraySync(), [[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(tn.tensor([1.9, -1.9], undefined, "int32").arraySync(), [1, -1]);
    assert.deepEqual(tn.tensor([0, 3], undefined, "bool").arraySync(), [false, true]);
    assert.equal(tn.tensor([true, false], undefined, "float64").dtype, "float64");
  });

  test("tensor from typed arrays: dtype from the array, copied (not aliased)", () => {
    const values = new Float64Array([1, 2, 3, 4]);
    const x = tn.tensor(values, [2, 2]);
    assert.equal(x.dtype, "float64");
    values[0] = 100;
    assert.equal(x.dataSync()[0], 1);
    assert.equal(tn.tensor(new Int32Array([1, 2])).dtype, "int32");
    assert.equal(tn.tensor(new Uint8Array([1, 2])).dtype, "uint8");
    assert.deepEqual(tn.tensor(new Uint8Array([0, 7]), undefined, "bool").arraySync(), [false, true]);
    assert.deepEqual(tn.tensor(new Float32Array([1.5, 2.5]), [2], "int32").arraySync(), [1, 2]);
    // Nested arrays of typed arrays.
    const rows = [new Float32Array([1, 2]), new Float32Array([3, 4])] as unknown as tn.NestedValues;
    assert.deepEqual(tn.tensor(rows).shape, [2, 2]);
  });

  test("scalar", () => {
    const s = tn.scalar(3.5);
    assert.deepEqual(s.shape, []);
    assert.equal(s.rank, 0);
    assert.equal(s.size, 1);
    assert.equal(s.arraySync(), 3.5);
    assert.equal(tn.scalar(true).arraySync(), true);
    assert.equal(tn.scalar(7, "int32").dtype, "int32");
    assert.equal(tn.tensor(2).rank, 0);
  });

  test("ragged, bad values and bad shapes are errors naming the place", () => {
    throwsTensile(() => tn.tensor([[1, 2], [3]]), /^tensor: values are ragged: values\[1\] has length 1, expected 2/, tn.ShapeError);
    throwsTensile(() => tn.tensor([[1, 2], 3] as tn.NestedValues), /^tensor: values are ragged: values\[1\] is not an array, expected length 2/);
    throwsTensile(() => tn.tensor([[1], [[2]]] as tn.NestedValues), /^tensor: values are ragged: \[1\]\[0\] is an array, expected a number/);
    throwsTensile(() => tn.tensor([1, null as unknown as number]), /^tensor: values\[1\] must be a number or boolean, got null/, tn.ValueError);
    throwsTensile(() => tn.tensor([1, "2" as unknown as number]), /^tensor: values\[1\] must be a number or boolean, got string/);
    throwsTensile(() => tn.tensor([1, 2, 3, 4], [2, 3]), /^tensor: shape \[2,3\] holds 6 elements, got 4 values/, tn.ShapeError);
    throwsTensile(() => tn.tensor(new Float32Array(2), [-1, -2]), /^tensor: shape\[0\] must be a non-negative integer, got -1/);
    throwsTensile(() => tn.tensor([1], undefined, "half" as tn.DType), /^tensor: dtype must be one of/, tn.DTypeError);
    // Ops name themselves when converting their arguments.
    throwsTensile(() => tn.add([[1], [2, 3]], 1), /^add: a: values are ragged/);
  });

  test("zeros, ones, fill, zerosLike, onesLike", () => {
    assert.deepEqual(tn.zeros([2, 2]).arraySync(), [[0, 0], [0, 0]]);
    assert.equal(tn.zeros([2]).dtype, "float32");
    assert.deepEqual(tn.ones([3], "int32").arraySync(), [1, 1, 1]);
    assert.equal(tn.ones([3], "int32").dtype, "int32");
    assert.deepEqual(tn.ones([2], "bool").arraySync(), [true, true]);
    assert.deepEqual(tn.fill([2], 7).arraySync(), [7, 7]);
    assert.deepEqual(tn.fill([2], true).arraySync(), [true, true]);
    assert.deepEqual(tn.fill([1], 2.7, "int32").arraySync(), [2]);
    assert.deepEqual(tn.fill([], 4).arraySync(), 4);
    assert.deepEqual(tn.zeros([0, 3]).shape, [0, 3]);
    const x = tn.tensor([[1, 2]], undefined, "float64");
    const z = tn.zerosLike(x);
    assert.deepEqual([z.dtype, z.shape], ["float64", [1, 2]]);
    assert.deepEqual(tn.onesLike(x).arraySync(), [[1, 1]]);
    assert.deepEqual(tn.onesLike([true, false]).arraySync(), [true, true]);
    throwsTensile(() => tn.zeros([2, -1]), /^fill: shape\[1\] must be a non-negative integer, got -1/, tn.ShapeError);
    throwsTensile(() => tn.ones([2], "int8" as tn.DType), /^fill: dtype must be one of/);
  });

  test("range", () => {
    assert.deepEqual(tn.range(0, 5, 2).arraySync(), [0, 2, 4]);
    assert.deepEqual(tn.range(4).arraySync(), [0, 1, 2, 3]);
    assert.deepEqual(tn.range(5, 0, -2, "int32").arraySync(), [5, 3, 1]);
    assert.deepEqual(tn.range(0, 1, 0.25).arraySync(), [0, 0.25, 0.5, 0.75]);
    assert.deepEqual(tn.range(3, 1).shape, [0]);
    throwsTensile(() => tn.range(0, 3, 0), /^range: step must be a finite non-zero number, got 0/, tn.ValueError);
    throwsTensile(() => tn.range(0, Infinity), /^range: start and stop must be finite/);
    throwsTensile(() => tn.range(0, 3, 1, "bogus" as tn.DType), /^range: dtype must be one of/, tn.DTypeError);
  });

  test("linspace", () => {
    assert.deepEqual(tn.linspace(0, 1, 5).arraySync(), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(tn.linspace(2, 3, 1).arraySync(), [2]);
    assert.deepEqual(tn.linspace(2, 3, 0).shape, [0]);
    const v = tn.linspace(0, 0.3, 4, "float64").dataSync();
    assert.equal(v[3], 0.3); // the end point is exact
    throwsTensile(() => tn.linspace(0, 1, -1), /^linspace: num must be a non-negative integer, got -1/);
    throwsTensile(() => tn.linspace(0, NaN, 3), /^linspace: start and stop must be finite/);
  });

  test("eye", () => {
    assert.deepEqual(tn.eye(2).arraySync(), [[1, 0], [0, 1]]);
    assert.deepEqual(tn.eye(2, 3).arraySync(), [[1, 0, 0], [0, 1, 0]]);
    const b = tn.eye(2, 2, [2], "int32");
    assert.deepEqual(b.shape, [2, 2, 2]);
    assert.equal(b.dtype, "int32");
    assert.deepEqual(b.arraySync(), [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]);
    throwsTensile(() => tn.eye(-1), /^eye: numRows must be a non-negative integer, got -1/);
    throwsTensile(() => tn.eye(2, 1.5), /^eye: numColumns must be a non-negative integer, got 1.5/);
  });
});

describe("reading values", () => {
  test("dataSync returns a copy: mutating it does not change the tensor", () => {
    const x = tn.tensor([1, 2, 3]);
    const d = x.dataSync();
    assert.ok(d instanceof Float32Array);
    d[0] = 100;
    assert.deepEqual(Array.from(x.dataSync()), [1, 2, 3]);
    assert.notEqual(x.dataSync(), x.dataSync());
  });

  test("data() and array() resolve to the same values", async () => {
    const x = tn.tensor([[1, 2]], undefined, "int32");
    assert.deepEqual(Array.from(await x.data()), [1, 2]);
    assert.deepEqual(await x.array(), [[1, 2]]);
  });

  test("arraySync: nested numbers; booleans for bool; a number for a scalar", () => {
    assert.deepEqual(tn.tensor([[true, false]]).arraySync(), [[true, false]]);
    assert.deepEqual(tn.tensor([true, false]).dataSync(), new Uint8Array([1, 0]));
    assert.deepEqual(tn.zeros([2, 0, 3]).arraySync(), [[], []]);
    assert.equal(tn.scalar(5, "int32").arraySync(), 5);
  });
});

describe("printing", () => {
  test("1-d, 2-d and 3-d like TF.js", () => {
    assert.equal(tn.tensor([1, 2, 3]).toString(), "Tensor\n    [1, 2, 3]");
    assert.equal(tn.tensor([[1, 2], [3, 4]]).toString(), "Tensor\n    [[1, 2],\n     [3, 4]]");
    assert.equal(
      tn.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]).toString(),
      "Tensor\n    [[[1, 2],\n      [3, 4]],\n\n     [[5, 6],\n      [7, 8]]]",
    );
  });

  test("columns are aligned; scalars, bools, ints, empty", () => {
    assert.equal(tn.tensor([[1, -20], [300, 4]], undefined, "int32").toString(), "Tensor\n    [[  1, -20],\n     [300,   4]]");
    assert.equal(tn.scalar(3).toString(), "Tensor\n    3");
    assert.equal(tn.tensor([true, false]).toString(), "Tensor\n    [ true, false]");
    assert.equal(tn.tensor([]).toString(), "Tensor\n    []");
    assert.equal(tn.tensor([0.5, 1.25]).toString(), "Tensor\n    [ 0.5, 1.25]");
  });

  test("verbose adds dtype, rank and shape", () => {
    assert.equal(
      tn.tensor([1, 2], undefined, "int32").toString(true),
      "Tensor\n  dtype: int32\n  rank: 1\n  shape: [2]\n  values:\n    [1, 2]",
    );
  });

  test("more than 1000 elements are summarized with '...' (first and last 3 per axis)", () => {
    assert.equal(tn.range(0, 1001, 1, "int32").toString(), "Tensor\n    [   0,    1,    2, ...,  998,  999, 1000]");
    assert.ok(!tn.range(0, 1000, 1, "int32").toString().includes("..."));
    const m = tn.reshape(tn.range(0, 2000, 1, "int32"), [40, 50]).toString();
    const lines = m.split("\n");
    assert.equal(lines.length, 1 + 7);
    assert.equal(lines[1], "    [[   0,    1,    2, ...,   47,   48,   49],");
    assert.equal(lines[4], "     ...,");
    assert.equal(lines[7], "     [1950, 1951, 1952, ..., 1997, 1998, 1999]]");
  });

  test("print writes toString to the console", () => {
    const logged: unknown[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => logged.push(...args);
    try {
      tn.tensor([1, 2]).print();
    } finally {
      console.log = original;
    }
    assert.deepEqual(logged, ["Tensor\n    [1, 2]"]);
  });
});

describe("Variable", () => {
  test("assign replaces the value; tensors made from the old value keep it", () => {
    const init = tn.tensor([1, 2]);
    const v = tn.variable(init, { name: "v1" });
    assert.ok(v.isVariable());
    assert.ok(!init.isVariable());
    assert.equal(v.trainable, true);
    assert.equal(v.name, "v1");
    const before = tn.mul(v, 1);
    v.assign(tn.tensor([5, 6]));
    assert.deepEqual(v.arraySync(), [5, 6]);
    assert.deepEqual(before.arraySync(), [1, 2]);
    assert.deepEqual(init.arraySync(), [1, 2]);
  });

  test("options: trainable, dtype; default names are unique", () => {
    const v = tn.variable([1, 2], { trainable: false, dtype: "float64" });
    assert.equal(v.trainable, false);
    assert.equal(v.dtype, "float64");
    assert.notEqual(tn.variable([1]).name, tn.variable([1]).name);
  });

  test("assign with the wrong shape or dtype is an error naming the variable", () => {
    const v = tn.variable(tn.zeros([2, 3]), { name: "weights" });
    throwsTensile(() => v.assign(tn.zeros([3, 2])), /^Variable\.assign: weights has shape \[2,3\], got a value of shape \[3,2\]/, tn.ShapeError);
    throwsTensile(() => v.assign(tn.zeros([2, 3], "int32")), /^Variable\.assign: weights has dtype float32, got a value of dtype int32/, tn.DTypeError);
  });

  test("a variable survives disposal of its initial value, and tidy does not dispose it", () => {
    const init = tn.tensor([1, 2]);
    const v = tn.variable(init);
    init.dispose();
    assert.deepEqual(v.arraySync(), [1, 2]);
    const w = tn.tidy(() => {
      const made = tn.variable([3]);
      return tn.mul(made, 2).dataSync()[0] === 6 ? made : null;
    });
    assert.ok(w !== null && !w.isDisposed);
  });
});

describe("disposal", () => {
  test("using a disposed tensor throws DisposedError; disposing twice is fine", () => {
    const x = tn.tensor([1, 2]);
    x.dispose();
    assert.ok(x.isDisposed);
    x.dispose();
    throwsTensile(() => x.dataSync(), /^Tensor \d+ \(float32 \[2\]\) was disposed and cannot be used/, tn.DisposedError);
    throwsTensile(() => tn.add(x, 1), /was disposed/, tn.DisposedError);
    throwsTensile(() => x.toString(), /was disposed/);
    throwsTensile(() => tn.variable(tn.zeros([2])).assign(x), /was disposed/);
    assert.deepEqual(x.shape, [2]); // metadata is still readable
  });

  test("a disposed Variable cannot be assigned", () => {
    const v = tn.variable([1]);
    v.dispose();
    throwsTensile(() => v.assign(tn.tensor([2])), /was disposed/, tn.DisposedError);
  });
});

describe("tidy, keep and using", () => {
  test("tidy disposes intermediates and keeps what fn returns (tensor, array, object, Map)", () => {
    const before = tn.memory().numTensors;
    let inner: tn.Tensor | null = null;
    const y = tn.tidy(() => {
      inner = tn.tensor([1, 2]);
      return tn.mul(inner, 2);
    });
    assert.ok(inner !== null && (inner as tn.Tensor).isDisposed);
    assert.deepEqual(y.arraySync(), [2, 4]);
    assert.equal(tn.memory().numTensors, before + 1);
    const out = tn.tidy(() => {
      const a = tn.tensor([1]);
      const b = tn.tensor([2]);
      tn.tensor([3]);
      return { list: [a], map: new Map([["b", b]]) };
    });
    assert.ok(!out.list[0].isDisposed && !out.map.get("b")!.isDisposed);
    assert.equal(tn.memory().numTensors, before + 3);
  });

  test("nested tidy moves returned tensors to the enclosing scope", () => {
    let escaped: tn.Tensor | null = null;
    tn.tidy(() => {
      escaped = tn.tidy(() => tn.tensor([1]));
      assert.ok(!escaped.isDisposed);
      return null;
    });
    assert.ok((escaped as tn.Tensor | null)?.isDisposed);
  });

  test("keep exempts a tensor; inputs created outside are untouched; errors still clean up", () => {
    const outside = tn.tensor([1]);
    let kept: tn.Tensor | null = null;
    tn.tidy(() => {
      kept = tn.keep(tn.mul(outside, 3));
      tn.add(outside, 1);
    });
    assert.ok(!outside.isDisposed);
    assert.deepEqual((kept as tn.Tensor | null)?.arraySync(), [3]);
    const before = tn.memory().numTensors;
    assert.throws(() =>
      tn.tidy(() => {
        tn.tensor([1, 2, 3]);
        throw new Error("boom");
      }),
    );
    assert.equal(tn.memory().numTensors, before);
  });

  test("tidy refuses async functions", () => {
    throwsTensile(
      () => tn.tidy(async () => tn.tensor([1])),
      /^tidy: fn returned a Promise; tidy only works with synchronous functions/,
    );
  });

  test("`using` disposes at the end of the block", () => {
    let escaped: tn.Tensor;
    {
      using x = tn.tensor([1, 2]);
      escaped = x;
      assert.deepEqual(x.arraySync(), [1, 2]);
    }
    assert.ok(escaped.isDisposed);
  });
});

describe("memory()", () => {
  test("counts tensors, buffers and bytes; dispose gives them back", () => {
    const m0 = tn.memory();
    const a = tn.zeros([10], "float64");
    const b = tn.zeros([3], "int32");
    const m1 = tn.memory();
    assert.equal(m1.numTensors - m0.numTensors, 2);
    assert.equal(m1.numDataBuffers - m0.numDataBuffers, 2);
    assert.equal(m1.numBytes - m0.numBytes, 80 + 12);
    a.dispose();
    b.dispose();
    assert.deepEqual(tn.memory(), m0);
  });

  test("reshape shares memory: one buffer, and it outlives the original", () => {
    const x = tn.tensor([1, 2, 3, 4, 5, 6]);
    const m0 = tn.memory();
    const y = tn.reshape(x, [2, 3]);
    const m1 = tn.memory();
    assert.equal(m1.numTensors, m0.numTensors + 1);
    assert.equal(m1.numDataBuffers, m0.numDataBuffers);
    assert.equal(m1.numBytes, m0.numBytes);
    x.dispose();
    assert.equal(tn.memory().numDataBuffers, m0.numDataBuffers); // y still holds it
    assert.deepEqual(y.arraySync(), [[1, 2, 3], [4, 5, 6]]);
    y.dispose();
    assert.equal(tn.memory().numDataBuffers, m0.numDataBuffers - 1);
    assert.equal(tn.memory().numBytes, m0.numBytes - 24);
  });

  test("Variable.assign swaps buffers without leaking", () => {
    const init = tn.zeros([4]);
    const v = tn.variable(init);
    init.dispose(); // the variable alone holds the buffer now
    const m0 = tn.memory();
    for (let i = 0; i < 10; i++) tn.tidy(() => v.assign(tn.add(v, 1)));
    assert.deepEqual(tn.memory(), m0);
    assert.deepEqual(v.arraySync(), [10, 10, 10, 10]);
  });
});
