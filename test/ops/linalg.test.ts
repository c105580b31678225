import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { runOpRecords, type OpRecord, type RefTensor } from "../helpers/opinfo.js";
import { lcg, matMulValues as matMulRef, strides } from "../helpers/reference.js";

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): number[] {
  const next = lcg(seed);
  return Array.from({ length: n }, () => 2 * next());
}

const rand = (shape: number[], seed: number) => ({ shape, values: values(shape.reduce((p, d) => p * d, 1), seed) });


/** Naive einsum: loops over every assignment of every label (no ellipsis). */
function einsumRef(equation: string, inputs: RefTensor[]): RefTensor {
  const [lhs, rhs] = equation.split("->");
  const terms = lhs.split(",");
  const size = new Map<string, number>();
  terms.forEach((t, i) => [...t].forEach((l, ax) => size.set(l, Math.max(size.get(l) ?? 1, inputs[i].shape[ax]))));
  const labels = [...size.keys()];
  const outLabels = [...rhs];
  const outShape = outLabels.map((l) => size.get(l) as number);
  const outValues = new Array<number>(outShape.reduce((p, d) => p * d, 1)).fill(0);
  const total = labels.reduce((p, l) => p * (size.get(l) as number), 1);
  const at = new Map<string, number>();
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    for (let i = labels.length - 1; i >= 0; i--) {
      const d = size.get(labels[i]) as number;
      at.set(labels[i], rem % d);
      rem = Math.floor(rem / d);
    }
    let prodv = 1;
    terms.forEach((t, i) => {
      const st = strides(inputs[i].shape);
      let off = 0;
      [...t].forEach((l, ax) => (off += (inputs[i].shape[ax] === 1 ? 0 : (at.get(l) as number)) * st[ax]));
      prodv *= inputs[i].values[off];
    });
    const ost = strides(outShape);
    let o = 0;
    outLabels.forEach((l, ax) => (o += (at.get(l) as number) * ost[ax]));
    outValues[o] += prodv;
  }
  return { shape: outShape, values: outValues };
}

type MM = { ta?: boolean; tb?: boolean };

const records: OpRecord[] = [
  {
    name: "matMul",
    fn: ([a, b], o: MM = {}) => tn.matMul(a, b, o.ta, o.tb),
    reference: ([a, b], o: MM = {}) => matMulRef(a, b, o.ta, o.tb),
    samples: [
      { inputs: [rand([2, 3], 1), rand([3, 4], 2)], label: "2x3 · 3x4" },
      { inputs: [rand([3, 2], 1), rand([3, 4], 2)], args: { ta: true }, label: "transposeA" },
      { inputs: [rand([2, 3], 1), rand([4, 3], 2)], args: { tb: true }, label: "transposeB" },
      { inputs: [rand([3, 2], 1), rand([4, 3], 2)], args: { ta: true, tb: true }, label: "transposeA and transposeB" },
      { inputs: [rand([2, 3, 4], 3), rand([2, 4, 5], 4)], label: "batched" },
      { inputs: [rand([2, 1, 3, 4], 3), rand([3, 4, 2], 4)], label: "batch broadcast [2,1] with [3]" },
      { inputs: [rand([2, 3, 4], 3), rand([4, 5], 4)], label: "batched a, shared b (folded)" },
      { inputs: [rand([4, 5], 3), rand([2, 4, 3], 4)], args: { ta: true, tb: false }, label: "shared a transposed, batched b" },
      { inputs: [rand([2, 4, 3], 5), rand([1, 5, 4], 6)], args: { ta: true, tb: true }, label: "batched, both transposed, b broadcast" },
      { inputs: [rand([67, 129], 7), rand([129, 33], 8)], label: "67x129x33 (blocking edges)" },
      { inputs: [rand([129, 67], 7), rand([33, 129], 8)], args: { ta: true, tb: true }, label: "67x129x33 both transposed" },
      { inputs: [rand([3, 37, 300], 9), rand([300, 70], 10)], label: "k > one k-block, batch folded", noGradReason: "covered by smaller samples" },
      { inputs: [rand([2, 70, 45], 9), rand([2, 70, 530], 10)], args: { ta: true }, label: "n > one n-block", noGradReason: "covered by smaller samples" },
      { inputs: [{ shape: [0, 3], values: [] }, rand([3, 2], 1)], label: "m = 0" },
      { inputs: [{ shape: [2, 0], values: [] }, { shape: [0, 3], values: [] }], label: "k = 0 gives zeros" },
      { inputs: [[[NaN, 1]], [[1], [2]]], label: "NaN propagates", noGradReason: "NaN" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [rand([2, 3], 1), rand([4, 5], 2)], throws: /^matMul: inner dimensions differ: a is \[2,3\], b is \[4,5\] \(a\[1\]=3 must equal b\[0\]=4\)$/ },
      { inputs: [rand([2, 3], 1), rand([3, 3], 2)], args: { ta: true }, throws: /^matMul: inner dimensions differ: a is \[2,3\], b is \[3,3\] \(a\[0\]=2 must equal b\[0\]=3\) with transposeA=true, transposeB=false$/ },
      { inputs: [rand([3], 1), rand([3, 2], 2)], throws: /^matMul: a must have rank >= 2, got rank 1 \(shape \[3\]\); use dot for vectors/ },
      { inputs: [rand([2, 2, 3], 1), rand([3, 3, 4], 2)], throws: /^matMul: batch dimensions \[2\] and \[3\] do not broadcast/ },
      { inputs: [[[true]], [[1]]], boolInputs: [0], throws: /^matMul: inputs must be numeric, got dtypes bool and float32/ },
    ],
  },
  {
    name: "dot",
    fn: ([a, b]) => tn.dot(a, b),
    reference: ([a, b]) => {
      const a2 = a.shape.length === 1 ? { shape: [1, a.shape[0]], values: a.values } : a;
      const b2 = b.shape.length === 1 ? { shape: [b.shape[0], 1], values: b.values } : b;
      const c = matMulRef(a2, b2);
      return { shape: [...(a.shape.length === 2 ? [a.shape[0]] : []), ...(b.shape.length === 2 ? [b.shape[1]] : [])], values: c.values };
    },
    samples: [
      { inputs: [[1, 2, 3], [0.5, -1, 2]], label: "vector · vector" },
      { inputs: [rand([2, 3], 1), [0.5, -1, 2]], label: "matrix · vector" },
      { inputs: [[0.5, -1], rand([2, 3], 1)], label: "vector · matrix" },
      { inputs: [rand([2, 3], 1), rand([3, 2], 2)], label: "matrix · matrix" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [[1, 2, 3], [1, 2]], throws: /^dot: inner dimensions differ: a is \[3\], b is \[2\] \(a\[0\]=3 must equal b\[0\]=2\)/ },
      { inputs: [rand([1, 2, 3], 1), [1, 2, 3]], throws: /^dot: a must have rank 1 or 2, got rank 3/ },
    ],
  },
  {
    name: "outer",
    fn: ([a, b]) => tn.outer(a, b),
    reference: ([a, b]) => ({ shape: [a.shape[0], b.shape[0]], values: a.values.flatMap((x) => b.values.map((y) => x * y)) }),
    samples: [{ inputs: [[1, -2, 3], [0.5, 4]] }],
    grad: "check",
    errors: [{ inputs: [rand([2, 2], 1), [1]], throws: /^outer: a must be a vector \(rank 1\), got shape \[2,2\]/ }],
  },
  ...(
    [
      ["ij,jk->ik", [[2, 3], [3, 4]]],
      ["bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]],
      ["abc,cd->abd", [[2, 3, 4], [4, 5]]],
      ["abcd,aecd->acbe", [[2, 3, 4, 5], [2, 6, 4, 5]]],
      ["acbe,aecd->abcd", [[2, 4, 3, 6], [2, 6, 4, 5]]],
      ["abc,cde->abde", [[2, 3, 4], [4, 2, 5]]],
      ["ij,kj->ik", [[2, 3], [4, 3]]],
      ["ji,jk->ik", [[3, 2], [3, 4]]],
      ["i,i->", [[5], [5]]],
      ["i,j->ij", [[3], [4]]],
      ["ij->ji", [[2, 3]]],
      ["ij->", [[2, 3]]],
      ["ijk->ki", [[2, 3, 4]]],
      ["bij,bkj->bik", [[2, 1, 3], [2, 4, 3]]],
      ["ij,jk->", [[2, 3], [3, 4]]],
      ["ab,cb->ac", [[1, 3], [4, 3]]],
    ] as const
  ).map(
    ([equation, shapes], s): OpRecord => ({
      name: `einsum ${equation}`,
      fn: (xs) => tn.einsum(equation, ...xs),
      reference: (xs) => einsumRef(equation, xs),
      samples: [{ inputs: shapes.map((shape, i) => rand([...shape], 100 * s + i)) }],
      grad: "check",
      tolerance: "accumulating",
    }),
  ),
  {
    name: "einsum",
    fn: (xs, eq: string) => tn.einsum(eq, ...xs),
    reference: (xs, eq: string) => einsumRef(eq, xs),
    samples: [{ inputs: [rand([2, 3], 1), rand([3, 4], 2)], args: "ij,jk->ik" }],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [rand([2, 3], 1), rand([3, 4], 2)], args: "ij,jk->ik->i", throws: /^einsum: equation "ij,jk->ik->i" is malformed/ },
      { inputs: [rand([2, 3], 1), rand([3, 4], 2)], args: "ij->ik", throws: /^einsum: equation "ij->ik" has 1 input term\(s\) but 2 tensor\(s\) were given/ },
      { inputs: [rand([2, 3], 1), rand([4, 4], 2)], args: "ij,jk->ik", throws: /^einsum: label "j" of "ij,jk->ik" has size 3 in one operand and 4 in operand 1/ },
      { inputs: [rand([2, 3], 1)], args: "ijk->i", throws: /^einsum: input term 0 "ijk" of "ijk->i" has 3 label\(s\) but operand 0 has rank 2/ },
      { inputs: [rand([2, 3], 1)], args: "ij->iz", throws: /^einsum: output label "z" of "ij->iz" appears in no input term/ },
      { inputs: [rand([3, 3], 1)], args: "ii->i", throws: /^einsum: input term 0 "ii" of "ii->i" repeats label "i" \(diagonals and traces are not supported\)/ },
      { inputs: [rand([2, 3], 1)], args: "i-j->ij", throws: /^einsum: equation "i-j->ij" is malformed/ },
    ],
  },
  {
    name: "bandPart",
    fn: ([x], [lo, hi]: [number, number]) => tn.bandPart(x, lo, hi),
    reference: ([x], [lo, hi]: [number, number]) => {
      const [m, n] = x.shape.slice(-2);
      return {
        shape: x.shape,
        values: x.values.map((v, f) => {
          const i = Math.floor(f / n) % m;
          const j = f % n;
          return (lo < 0 || i - j <= lo) && (hi < 0 || j - i <= hi) ? v : 0;
        }),
      };
    },
    samples: [
      { inputs: [rand([4, 4], 1)], args: [1, 1], label: "tridiagonal" },
      { inputs: [rand([3, 5], 1)], args: [-1, 0], label: "lower" },
      { inputs: [rand([2, 3, 4], 1)], args: [0, -1], label: "upper, batched" },
      { inputs: [rand([3, 3], 1)], args: [0, 0], label: "diagonal" },
    ],
    grad: "check",
    errors: [
      { inputs: [[1, 2]], args: [0, 0], throws: /^bandPart: x must have rank >= 2, got rank 1/ },
      { inputs: [rand([2, 2], 1)], args: [0.5, 0], throws: /^bandPart: numLower must be an integer, got 0.5/ },
    ],
  },
];

runOpRecords(records);

test("matMul keeps int32 and matches exactly", () => {
  const a = tn.tensor([[1, 2], [3, 4]], undefined, "int32");
  const c = tn.matMul(a, a);
  assert.equal(c.dtype, "int32");
  assert.deepEqual(c.arraySync(), [[7, 10], [15, 22]]);
  const big = tn.tensor(Array.from({ length: 40 * 40 }, (_, i) => (i % 7) - 3), [40, 40], "int32");
  const ref = matMulRef({ shape: [40, 40], values: Array.from(big.dataSync()) }, { shape: [40, 40], values: Array.from(big.dataSync()) }, false, true);
  assert.deepEqual(Array.from(tn.matMul(big, big, false, true).dataSync()), ref.values);
});

test("matMul of float32 at a blocked size stays within the matmul tolerance", () => {
  const a = rand([130, 260], 11);
  const b = rand([260, 70], 12);
  const got = tn.matMul(tn.tensor(a.values, a.shape), tn.tensor(b.values, b.shape)).dataSync();
  const ref = matMulRef(a, b);
  for (let i = 0; i < ref.values.length; i++) assert.ok(Math.abs(got[i] - ref.values[i]) <= 1e-5 + 1e-4 * Math.abs(ref.values[i]), `element ${i}`);
});

test("the matMul gradient sums over broadcast batch dims", () => {
  const a = tn.tensor(values(2 * 3 * 4, 1), [2, 3, 4], "float64");
  const b = tn.tensor(values(4 * 5, 2), [4, 5], "float64");
  const [ga, gb] = tn.grads((x, y) => tn.matMul(x, y).sum())([a, b]);
  assert.deepEqual(ga.shape, [2, 3, 4]);
  assert.deepEqual(gb.shape, [4, 5]);
  // d/dB Σ A·B = Σ_batch Aᵀ·1: column sums of A's rows over the batch.
  const av = Array.from(a.dataSync());
  for (let p = 0; p < 4; p++) {
    let s = 0;
    for (let t = 0; t < 2; t++) for (let i = 0; i < 3; i++) s += av[t * 12 + i * 4 + p];
    for (let j = 0; j < 5; j++) assert.ok(Math.abs(gb.dataSync()[p * 5 + j] - s) < 1e-12);
  }
});

test("einsum with an ellipsis and in implicit mode", () => {
  const x = tn.tensor(values(2 * 3 * 4, 3), [2, 3, 4], "float64");
  const w = tn.tensor(values(4 * 5, 4), [4, 5], "float64");
  const expected = tn.matMul(x, w).dataSync();
  const got = tn.einsum("...b,bc->...c", x, w);
  assert.deepEqual(got.shape, [2, 3, 5]);
  got.dataSync().forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12));
  const implicit = tn.einsum("ij,jk", tn.tensor([[1, 2]]), tn.tensor([[3], [4]]));
  assert.deepEqual(implicit.arraySync(), [[11]]);
});

test("tril, triu and the linalg namespace", () => {
  const x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
  assert.deepEqual(tn.tril(x).arraySync(), [[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
  assert.deepEqual(tn.triu(x, 1).arraySync(), [[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
  assert.deepEqual(tn.linalg.bandPart(x, -1, 0).arraySync(), tn.tril(x).arraySync());
});

test("method chaining: matMul, matmul, dot", () => {
  const x = tn.tensor([[1, 2], [3, 4]]);
  assert.deepEqual(x.matMul([[1], [1]]).arraySync(), [[3], [7]]);
  assert.deepEqual(x.matmul(x, false, true).arraySync(), [[5, 11], [11, 25]]);
  assert.deepEqual(tn.tensor([1, 2]).dot([3, 4]).arraySync(), 11);
});
