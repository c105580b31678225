/** Records for the creation ops and the few composite reductions/masks without a record elsewhere. */
import * as tn from "../../src/index.js";
import { runOpRecords, type OpRecord, type RefTensor } from "../helpers/opinfo.js";

const filled = (shape: number[], v: number): RefTensor => ({ shape, values: Array(shape.reduce((a, b) => a * b, 1)).fill(v) });

const records: OpRecord[] = [
  {
    name: "zeros",
    fn: (_, shape) => tn.zeros(shape),
    reference: (_, shape) => filled(shape, 0),
    samples: [{ inputs: [], args: [2, 3] }, { inputs: [], args: [] }, { inputs: [], args: [0, 4] }],
    grad: "none",
    exact: true,
    dtypes: ["float32"],
    errors: [{ inputs: [], args: [2, -1], throws: /^fill: shape\[1\] must be a non-negative integer, got -1/ }],
  },
  {
    name: "ones",
    fn: (_, shape) => tn.ones(shape, "int32"),
    reference: (_, shape) => filled(shape, 1),
    samples: [{ inputs: [], args: [3, 1] }],
    grad: "none",
    exact: true,
    dtypes: ["float32"],
    errors: [{ inputs: [], args: [1.5], throws: /^fill: shape\[0\] must be a non-negative integer, got 1.5/ }],
  },
  {
    name: "fill",
    fn: (_, [shape, v, dtype]) => tn.fill(shape, v, dtype),
    reference: (_, [shape, v]) => filled(shape, v),
    samples: [{ inputs: [], args: [[2, 2], 7.5] }],
    grad: "none",
    exact: true,
    dtypes: ["float32"],
    errors: [{ inputs: [], args: [[2], 1, "float16"], throws: /^fill: dtype must be one of .*got "float16"/ }],
  },
  {
    name: "zerosLike",
    fn: ([x]) => tn.zerosLike(x),
    reference: ([x]) => filled(x.shape, 0),
    samples: [{ inputs: [[[1, 2, 3]]] }],
    grad: "none",
    exact: true,
  },
  {
    name: "onesLike",
    fn: ([x]) => tn.onesLike(x),
    reference: ([x]) => filled(x.shape, 1),
    samples: [{ inputs: [[[1, 2], [3, 4]]] }],
    grad: "none",
    exact: true,
  },
  {
    name: "range",
    fn: (_, [a, b, step]) => tn.range(a, b, step),
    reference: (_, [a, b, step]) => {
      const values: number[] = [];
      for (let v = a; step > 0 ? v < b : v > b; v += step) values.push(v);
      return { shape: [values.length], values };
    },
    samples: [{ inputs: [], args: [0, 5, 1] }, { inputs: [], args: [5, 0, -1.5] }, { inputs: [], args: [3, 3, 1] }],
    grad: "none",
    dtypes: ["float32"],
    errors: [{ inputs: [], args: [0, 5, 0], throws: /^range: step must be a finite non-zero number, got 0/ }],
  },
  {
    name: "linspace",
    fn: (_, [a, b, n]) => tn.linspace(a, b, n),
    reference: (_, [a, b, n]) => ({ shape: [n], values: Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1))) }),
    samples: [{ inputs: [], args: [0, 1, 5] }, { inputs: [], args: [-2, 2, 1] }],
    grad: "none",
    dtypes: ["float32"],
    errors: [{ inputs: [], args: [0, 1, -3], throws: /^linspace: num must be a non-negative integer, got -3/ }],
  },
  {
    name: "eye",
    fn: (_, [r, c, batch]) => tn.eye(r, c, batch),
    reference: (_, [r, c, batch]) => {
      const reps = (batch as number[]).reduce((a, b) => a * b, 1);
      const values: number[] = [];
      for (let b = 0; b < reps; b++) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) values.push(i === j ? 1 : 0);
      return { shape: [...batch, r, c], values };
    },
    samples: [{ inputs: [], args: [3, 3, []] }, { inputs: [], args: [2, 4, [2]] }],
    grad: "none",
    exact: true,
    dtypes: ["float32"],
    errors: [{ inputs: [], args: [-1, 2, []], throws: /^eye: numRows must be a non-negative integer, got -1/ }],
  },
  {
    name: "moments",
    fn: ([x], [axis, which]) => tn.moments(x, { axis })[which as "mean" | "variance"],
    reference: ([x], [, which]) => {
      // Rows of x, reduced along the last axis.
      const n = x.shape[x.shape.length - 1];
      const values: number[] = [];
      for (let r = 0; r < x.values.length / n; r++) {
        const row = x.values.slice(r * n, r * n + n);
        const mean = row.reduce((a, b) => a + b, 0) / n;
        values.push(which === "mean" ? mean : row.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      }
      return { shape: x.shape.slice(0, -1), values };
    },
    samples: [
      { inputs: [[[1, 2, 4], [-3, 0.5, 2]]], args: [-1, "mean"] },
      { inputs: [[[1, 2, 4], [-3, 0.5, 2]]], args: [1, "variance"] },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [{ inputs: [[1, 2]], args: [3, "mean"], throws: /^moments: axis 3 is out of range/ }],
  },
  ...(["tril", "triu"] as const).map(
    (name): OpRecord => ({
      name,
      fn: ([x], k) => tn[name](x, k),
      reference: ([x], k) => {
        const [m, n] = x.shape.slice(-2);
        const values = x.values.map((v, i) => {
          const r = Math.floor(i / n) % m;
          const c = i % n;
          const keep = name === "tril" ? c - r <= k : c - r >= k;
          return keep ? v : 0;
        });
        return { shape: x.shape, values };
      },
      samples: [
        { inputs: [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], args: 0 },
        { inputs: [[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [1, 2, 3]]]], args: -1, label: "batched, k=-1" },
      ],
      grad: "check",
      errors: [{ inputs: [[1, 2, 3]], args: 0, throws: new RegExp(`^${name}: x must have rank >= 2`) }],
    }),
  ),
];

runOpRecords(records);
