/** Linear algebra: matMul, dot, outer, einsum, bandPart. */
import { promoteTypes } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import { formatShape, shapesEqual } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { Tensor } from "../tensor/tensor.js";
import { castTo, fromValues, toTensor, type TensorLike } from "./convert.js";
import { mul, where } from "./elementwise.js";
import { checkMatMulOperands } from "./matmul-args.js";
import { sum } from "./reduce.js";
import { broadcastTo, reshape } from "./shape.js";

/** Both operands as tensors of one numeric dtype. */
function numericPair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  let x = toTensor(a, op, "a");
  let y = toTensor(b, op, "b", x.dtype);
  if (typeof a === "number") x = toTensor(a, op, "a", y.dtype);
  if (x.dtype === "bool" || y.dtype === "bool") {
    throw new DTypeError(`${op}: inputs must be numeric, got dtypes ${x.dtype} and ${y.dtype}`);
  }
  if (x.dtype !== y.dtype) {
    const dtype = promoteTypes(x.dtype, y.dtype);
    x = castTo(x, dtype);
    y = castTo(y, dtype);
  }
  return [x, y];
}

function transposeRaw(x: Tensor, perm: number[]): Tensor {
  for (let i = 0; i < perm.length; i++) if (perm[i] !== i) return runPrimitive("transpose", [x], { perm });
  return x;
}

/**
 * Matrix product of the last two axes, batch axes broadcast; transposes apply to the last two axes and are free
 * (never materialized). `tn.matMul([[1, 2]], [[3], [4]])` → [[11]]
 */
export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  const op = "matMul";
  const [x, y] = numericPair(op, a, b);
  checkMatMulOperands(op, x, y, transposeA, transposeB);
  return runPrimitive("matMul", [x, y], { transposeA, transposeB });
}

/** Alias of matMul (as PyTorch's `matmul`). */
export const matmul = matMul;

/**
 * Dot product of vectors and matrices (ranks 1 or 2, as TF.js): vector·vector → scalar, matrix·vector → vector,
 * vector·matrix → vector, matrix·matrix → matrix. `tn.dot([1, 2], [3, 4])` → 11
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const op = "dot";
  const [x, y] = numericPair(op, a, b);
  for (const [name, t] of [["a", x], ["b", y]] as const) {
    if (t.rank !== 1 && t.rank !== 2) {
      throw new ShapeError(`${op}: ${name} must have rank 1 or 2, got rank ${t.rank} (shape ${formatShape(t.shape)}); use matMul or einsum`);
    }
  }
  const innerA = x.shape[x.rank - 1];
  const innerB = y.shape[0];
  if (innerA !== innerB) {
    throw new ShapeError(
      `${op}: inner dimensions differ: a is ${formatShape(x.shape)}, b is ${formatShape(y.shape)} ` +
        `(a[${x.rank - 1}]=${innerA} must equal b[0]=${innerB})`,
    );
  }
  const a2 = x.rank === 1 ? reshape(x, [1, innerA]) : x;
  const b2 = y.rank === 1 ? reshape(y, [innerB, 1]) : y;
  const c = runPrimitive("matMul", [a2, b2], { transposeA: false, transposeB: false });
  const outShape = [...(x.rank === 2 ? [x.shape[0]] : []), ...(y.rank === 2 ? [y.shape[1]] : [])];
  return reshape(c, outShape);
}

/** Outer product of two vectors: out[i, j] = a[i]·b[j]. `tn.outer([1, 2], [3, 4])` → [[3, 4], [6, 8]] */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const op = "outer";
  const [x, y] = numericPair(op, a, b);
  for (const [name, t] of [["a", x], ["b", y]] as const) {
    if (t.rank !== 1) throw new ShapeError(`${op}: ${name} must be a vector (rank 1), got shape ${formatShape(t.shape)}`);
  }
  return mul(reshape(x, [x.shape[0], 1]), reshape(y, [1, y.shape[0]]));
}

/** TF.js's name for `outer`. `tn.outerProduct([1, 2], [3, 4])` → [[3, 4], [6, 8]] */
export const outerProduct = outer;

// ---- einsum ----

interface ParsedEinsum {
  inputs: string[][];
  output: string[];
}

const ELLIPSIS_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Parses and validates an equation against operand ranks, expanding "..." into fresh upper-case labels. */
function parseEinsum(equation: string, ranks: number[]): ParsedEinsum {
  const op = "einsum";
  if (typeof equation !== "string") throw new ValueError(`${op}: equation must be a string, got ${typeof equation}`);
  const eq = equation.replace(/\s+/g, "");
  if (!/^[a-zA-Z.,]*(->[a-zA-Z.]*)?$/.test(eq)) {
    throw new ValueError(`${op}: equation "${equation}" is malformed (expected e.g. "ij,jk->ik": letters, ",", "...", one "->")`);
  }
  const [lhs, rhs] = eq.split("->") as [string, string | undefined];
  const terms = lhs.split(",");
  if (terms.length !== ranks.length) {
    throw new ValueError(`${op}: equation "${equation}" has ${terms.length} input term(s) but ${ranks.length} tensor(s) were given`);
  }
  if (ranks.length < 1 || ranks.length > 2) {
    throw new ValueError(`${op}: supports one or two operands, got ${ranks.length}`);
  }
  const splitTerm = (term: string, what: string): { labels: string[]; ellipsis: number } => {
    const dots = term.split("...");
    if (dots.length > 2 || dots.some((part) => part.includes("."))) {
      throw new ValueError(`${op}: ${what} "${term}" of "${equation}" has a stray "." (only one "..." per term)`);
    }
    if (/[A-Z]/.test(term)) throw new ValueError(`${op}: ${what} "${term}" of "${equation}": labels must be lower-case letters`);
    return { labels: [...dots.join("")], ellipsis: dots.length === 2 ? dots[0].length : -1 };
  };
  const parsedTerms = terms.map((t, i) => splitTerm(t, `input term ${i}`));
  let ellipsisRank = 0;
  parsedTerms.forEach((p, i) => {
    const explicit = p.labels.length;
    if (p.ellipsis < 0 ? explicit !== ranks[i] : explicit > ranks[i]) {
      throw new ValueError(
        `${op}: input term ${i} "${terms[i]}" of "${equation}" has ${explicit} label(s) but operand ${i} has rank ${ranks[i]}`,
      );
    }
    if (p.ellipsis >= 0) ellipsisRank = Math.max(ellipsisRank, ranks[i] - explicit);
  });
  const fresh = ELLIPSIS_LABELS.slice(0, ellipsisRank).split("");
  const inputs = parsedTerms.map((p, i) => {
    if (p.ellipsis < 0) return p.labels;
    const k = ranks[i] - p.labels.length;
    return [...p.labels.slice(0, p.ellipsis), ...fresh.slice(ellipsisRank - k), ...p.labels.slice(p.ellipsis)];
  });
  inputs.forEach((labels, i) => {
    const seen = new Set<string>();
    for (const l of labels) {
      if (seen.has(l)) {
        throw new ValueError(`${op}: input term ${i} "${terms[i]}" of "${equation}" repeats label "${l}" (diagonals and traces are not supported)`);
      }
      seen.add(l);
    }
  });
  let output: string[];
  if (rhs === undefined) {
    // Implicit mode: labels that appear exactly once, alphabetically, after the ellipsis dims.
    const counts = new Map<string, number>();
    for (const labels of inputs) for (const l of labels) if (!fresh.includes(l)) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...fresh, ...[...counts].filter(([, c]) => c === 1).map(([l]) => l).sort()];
  } else {
    const p = splitTerm(rhs, "output term");
    // An ellipsis on the left but not on the right sums those dims away (as NumPy).
    output = p.ellipsis < 0 ? p.labels : [...p.labels.slice(0, p.ellipsis), ...fresh, ...p.labels.slice(p.ellipsis)];
    const seen = new Set<string>();
    for (const l of output) {
      if (seen.has(l)) throw new ValueError(`${op}: output term "${rhs}" of "${equation}" repeats label "${l}"`);
      seen.add(l);
      if (!inputs.some((labels) => labels.includes(l))) {
        throw new ValueError(`${op}: output label "${l}" of "${equation}" appears in no input term`);
      }
    }
  }
  return { inputs, output };
}

/** Sums `t` over the positions of `drop` in `labels`; returns the reduced tensor and its labels. */
function sumLabels(t: Tensor, labels: string[], drop: (l: string) => boolean): [Tensor, string[]] {
  const axes = labels.flatMap((l, i) => (drop(l) ? [i] : []));
  if (axes.length === 0) return [t, labels];
  return [sum(t, { axis: axes }), labels.filter((l) => !drop(l))];
}

function permuteTo(t: Tensor, labels: string[], target: string[]): Tensor {
  return transposeRaw(t, target.map((l) => labels.indexOf(l)));
}

/**
 * Einstein summation over one or two operands: `"ij,jk->ik"`, `"bij,bjk->bik"`, `"abc,cd->abd"`,
 * `"abcd,aecd->acbe"`, `"...ij,jk->...ik"`, `"ij->ji"`, `"ij->"`. Labels in the output are kept; the others are
 * summed. Computed as transposes, reshapes and one batched matMul. `tn.einsum("i,i->", [1, 2], [3, 4])` → 11
 */
export function einsum(equation: string, ...tensors: TensorLike[]): Tensor {
  const op = "einsum";
  let ts = tensors.map((t, i) => toTensor(t, op, `tensors[${i}]`));
  if (ts.some((t) => t.dtype === "bool")) throw new DTypeError(`${op}: inputs must be numeric, got dtypes ${ts.map((t) => t.dtype).join(", ")}`);
  if (ts.length === 2 && ts[0].dtype !== ts[1].dtype) {
    const dtype = promoteTypes(ts[0].dtype, ts[1].dtype);
    ts = ts.map((t) => castTo(t, dtype));
  }
  const { inputs, output } = parseEinsum(equation, ts.map((t) => t.rank));
  // Sizes: equal, or 1 (broadcast).
  const size = new Map<string, number>();
  inputs.forEach((labels, i) =>
    labels.forEach((l, ax) => {
      const d = ts[i].shape[ax];
      const prev = size.get(l);
      if (prev === undefined || prev === 1) size.set(l, d);
      else if (d !== prev && d !== 1) {
        throw new ShapeError(
          `${op}: label "${l}" of "${equation}" has size ${prev} in one operand and ${d} in operand ${i} (shape ${formatShape(ts[i].shape)})`,
        );
      }
    }),
  );
  if (ts.length === 1) {
    const [t, labels] = sumLabels(ts[0], inputs[0], (l) => !output.includes(l));
    return permuteTo(t, labels, output);
  }
  let [a, la] = sumLabels(ts[0], inputs[0], (l) => !output.includes(l) && !inputs[1].includes(l));
  let [b, lb] = sumLabels(ts[1], inputs[1], (l) => !output.includes(l) && !inputs[0].includes(l));
  // A label of size 1 in one operand and n in the other broadcasts.
  const expand = (t: Tensor, labels: string[]): Tensor => {
    const full = labels.map((l) => size.get(l) as number);
    return shapesEqual(full, t.shape) ? t : broadcastTo(t, full);
  };
  a = expand(a, la);
  b = expand(b, lb);
  const batch = la.filter((l) => lb.includes(l) && output.includes(l));
  const contracted = la.filter((l) => lb.includes(l) && !output.includes(l));
  const freeA = la.filter((l) => !lb.includes(l));
  const freeB = lb.filter((l) => !la.includes(l));
  const prodOf = (ls: string[]) => ls.reduce((p, l) => p * (size.get(l) as number), 1);
  const [nb, m, k, n] = [prodOf(batch), prodOf(freeA), prodOf(contracted), prodOf(freeB)];
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((l, i) => l === y[i]);
  // Use a transpose flag instead of a transpose when an operand's layout is already [batch, k, m] / [batch, n, k].
  let transposeA = false;
  if (!same(la, [...batch, ...freeA, ...contracted]) && same(la, [...batch, ...contracted, ...freeA])) transposeA = true;
  else a = permuteTo(a, la, [...batch, ...freeA, ...contracted]);
  let transposeB = false;
  if (!same(lb, [...batch, ...contracted, ...freeB]) && same(lb, [...batch, ...freeB, ...contracted])) transposeB = true;
  else b = permuteTo(b, lb, [...batch, ...contracted, ...freeB]);
  const a3 = reshape(a, transposeA ? [nb, k, m] : [nb, m, k]);
  const b3 = reshape(b, transposeB ? [nb, n, k] : [nb, k, n]);
  const c = runPrimitive("matMul", [a3, b3], { transposeA, transposeB });
  const cLabels = [...batch, ...freeA, ...freeB];
  const c2 = reshape(c, cLabels.map((l) => size.get(l) as number));
  return permuteTo(c2, cLabels, output);
}

// ---- band matrices ----

/**
 * Keeps a band of each innermost matrix and zeroes the rest: element (i, j) stays where
 * `(numLower < 0 || i - j <= numLower) && (numUpper < 0 || j - i <= numUpper)`, as TF.
 * `tn.bandPart(x, 0, -1)` is the upper triangle, `tn.bandPart(x, -1, 0)` the lower one.
 * `tn.bandPart([[1, 2], [3, 4]], 0, 0)` → [[1, 0], [0, 4]]
 */
export function bandPart(x: TensorLike, numLower: number, numUpper: number): Tensor {
  const op = "bandPart";
  const t = toTensor(x, op, "x");
  if (t.rank < 2) throw new ShapeError(`${op}: x must have rank >= 2, got rank ${t.rank} (shape ${formatShape(t.shape)})`);
  const m = t.shape[t.rank - 2];
  const n = t.shape[t.rank - 1];
  for (const [name, v] of [["numLower", numLower], ["numUpper", numUpper]] as const) {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new ValueError(`${op}: ${name} must be an integer, got ${String(v)}`);
  }
  if (numLower > m) throw new ValueError(`${op}: numLower must be <= the number of rows (${m}), got ${numLower}`);
  if (numUpper > n) throw new ValueError(`${op}: numUpper must be <= the number of columns (${n}), got ${numUpper}`);
  const mask = new Uint8Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      mask[i * n + j] = (numLower < 0 || i - j <= numLower) && (numUpper < 0 || j - i <= numUpper) ? 1 : 0;
    }
  }
  const zero = t.dtype === "bool" ? false : 0;
  return where(fromValues(mask, [m, n], "bool"), t, toTensor(zero, op, "x", t.dtype));
}

/** Lower triangle (with `k` diagonals above the main one kept, negative to drop). `tn.tril([[1, 2], [3, 4]])` → [[1, 0], [3, 4]] */
export function tril(x: TensorLike, k = 0): Tensor {
  return triangle("tril", x, k, true);
}

/** Upper triangle (with `k` diagonals below the main one dropped). `tn.triu([[1, 2], [3, 4]])` → [[1, 2], [0, 4]] */
export function triu(x: TensorLike, k = 0): Tensor {
  return triangle("triu", x, k, false);
}

function triangle(op: string, x: TensorLike, k: number, lower: boolean): Tensor {
  const t = toTensor(x, op, "x");
  if (t.rank < 2) throw new ShapeError(`${op}: x must have rank >= 2, got rank ${t.rank} (shape ${formatShape(t.shape)})`);
  if (!Number.isInteger(k)) throw new ValueError(`${op}: k must be an integer, got ${String(k)}`);
  const m = t.shape[t.rank - 2];
  const n = t.shape[t.rank - 1];
  const mask = new Uint8Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mask[i * n + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  const zero = t.dtype === "bool" ? false : 0;
  return where(fromValues(mask, [m, n], "bool"), t, toTensor(zero, op, "x", t.dtype));
}

/** TF.js-style namespace: `tn.linalg.bandPart(x, -1, 0)`. */
export const linalg = { bandPart, matMul, einsum, dot, outer, tril, triu };
