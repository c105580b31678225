/**
 * One declarative record per op drives every op test (as PyTorch's OpInfo): a reference check against an
 * independent implementation (hand-written float64 code or TF.js as an oracle), a float64 central-difference
 * gradient check, error inputs with their messages, and non-differentiability.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { lcg } from "./reference.js";

/** A plain array value in a sample: nested numbers/booleans, or {shape, values} for flat data. */
export type Value = tn.NestedValues | { shape: number[]; values: number[]; dtype?: tn.DType };

export interface RefTensor {
  shape: number[];
  /** Row-major values in float64. */
  values: number[];
}

export interface Sample {
  /** Tensor inputs. Float-valued inputs are created in the dtype under test; `intInputs` stay int32. */
  inputs: Value[];
  /** Anything else the op takes (axis, options, …): passed to `fn` and `reference` as is. */
  args?: unknown;
  /** Input indices that are integer (indices, labels): created as int32 and never gradient-checked. */
  intInputs?: number[];
  /** Input indices that are bool. */
  boolInputs?: number[];
  label?: string;
  /** Skip the gradient check for this sample only (e.g. inputs at a kink); give the reason. */
  noGradReason?: string;
}

export interface ErrorCase {
  inputs: Value[];
  args?: unknown;
  intInputs?: number[];
  boolInputs?: number[];
  /** The message must match; it should name the op and the argument. */
  throws: RegExp;
}

export interface OpRecord {
  name: string;
  /** Applies the op (returns one tensor; pick an output for multi-output ops). */
  fn: (inputs: tn.Tensor[], args: any) => tn.Tensor;
  samples: Sample[];
  /** Independent float64 reference on plain arrays. */
  reference?: (inputs: RefTensor[], args: any) => RefTensor;
  /** TF.js as the oracle (float32), when no hand-written reference is given. */
  oracle?: (tf: typeof import("@tensorflow/tfjs"), inputs: import("@tensorflow/tfjs").Tensor[], args: any) => import("@tensorflow/tfjs").Tensor;
  /** "check": gradient-checked; "none": no gradient at all (int/bool output); "error": backprop into it throws. */
  grad: "check" | "none" | "error";
  errors?: ErrorCase[];
  /** Dtypes the reference check runs in (default float32 and float64). */
  dtypes?: tn.DType[];
  /** Tolerance class for float32 (DESIGN.md): "elementwise" (default) or "accumulating" (matmul, conv, reductions). */
  tolerance?: "elementwise" | "accumulating";
  /** Exact comparison (integer or bool results). */
  exact?: boolean;
}

const TOL = {
  float64: { rtol: 1e-7, atol: 1e-7 },
  float32: { elementwise: { rtol: 1.3e-6, atol: 1e-5 }, accumulating: { rtol: 1e-4, atol: 1e-5 } },
};

function isFlat(v: Value): v is { shape: number[]; values: number[]; dtype?: tn.DType } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "shape" in v;
}

export function makeInput(v: Value, dtype: tn.DType): tn.Tensor {
  if (isFlat(v)) return tn.tensor(v.values, v.shape, v.dtype ?? dtype);
  return tn.tensor(v, undefined, dtype);
}

function inputDtype(sample: Sample | ErrorCase, i: number, floatDtype: tn.DType): tn.DType {
  if (sample.intInputs?.includes(i)) return "int32";
  if (sample.boolInputs?.includes(i)) return "bool";
  return floatDtype;
}

export function makeInputs(sample: Sample | ErrorCase, dtype: tn.DType): tn.Tensor[] {
  return sample.inputs.map((v, i) => makeInput(v, inputDtype(sample, i, dtype)));
}

function toRef(t: tn.Tensor): RefTensor {
  return { shape: [...t.shape], values: Array.from(t.dataSync()) };
}

/** Compares actual values against expected ones with NumPy's allclose rule (NaN equals NaN). */
export function assertClose(actual: tn.Tensor, expected: RefTensor, tol: { rtol: number; atol: number }, what: string): void {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  const got = actual.dataSync();
  for (let i = 0; i < expected.values.length; i++) {
    const a = got[i];
    const e = expected.values[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const ok = Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (!ok) assert.fail(`${what}: element ${i} is ${a}, expected ${e} (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}

let tfPromise: Promise<typeof import("@tensorflow/tfjs")> | null = null;
/** TF.js on its pure-JS cpu backend, loaded once, as a test oracle. */
export function loadTf(): Promise<typeof import("@tensorflow/tfjs")> {
  tfPromise ??= (async () => {
    const warn = console.warn;
    console.warn = () => {};
    const tf = await import("@tensorflow/tfjs");
    await tf.setBackend("cpu");
    console.warn = warn;
    return tf;
  })();
  return tfPromise;
}

async function referenceFor(record: OpRecord, sample: Sample, inputs: tn.Tensor[]): Promise<RefTensor> {
  if (record.reference) return record.reference(inputs.map(toRef), sample.args);
  if (!record.oracle) throw new Error(`${record.name}: record has neither reference nor oracle`);
  const tf = await loadTf();
  const tfInputs = inputs.map((t) =>
    tf.tensor(Array.from(t.dataSync()), [...t.shape], t.dtype === "int32" ? "int32" : t.dtype === "bool" ? "bool" : "float32"),
  );
  const out = record.oracle(tf, tfInputs, sample.args);
  const result = { shape: out.shape.slice(), values: Array.from(out.dataSync() as ArrayLike<number>) };
  tf.dispose([...tfInputs, out]);
  return result;
}

/**
 * Checks the gradient of <fn(inputs), c> against central differences in float64, for every float input.
 */
export function checkGradient(fn: (inputs: tn.Tensor[]) => tn.Tensor, inputs: tn.Tensor[], what: string, diffInputs?: number[]): void {
  const out = fn(inputs);
  const rand = lcg(1234);
  const c = tn.tensor(Array.from({ length: out.size }, () => rand() * 2), [...out.shape], "float64");
  const loss = (xs: tn.Tensor[]) => tn.sum(tn.mul(tn.cast(fn(xs), "float64"), c));
  const which = diffInputs ?? inputs.map((_, i) => i).filter((i) => inputs[i].dtype === "float64");
  // Differentiate with respect to the float inputs only; the others (indices, masks) stay fixed.
  const floats = which.map((i) => inputs[i]);
  const withFloats = (fs: tn.Tensor[]): tn.Tensor[] => {
    const xs = inputs.slice();
    which.forEach((i, k) => (xs[i] = fs[k]));
    return xs;
  };
  const partial = tn.grads((...fs: tn.Tensor[]) => loss(withFloats(fs)))(floats);
  const analytic: tn.Tensor[] = [];
  which.forEach((i, k) => (analytic[i] = partial[k]));
  const h = 1e-6;
  for (const i of which) {
    const base = inputs[i].dataSync() as Float64Array;
    const g = analytic[i].dataSync();
    assert.deepEqual([...analytic[i].shape], [...inputs[i].shape], `${what}: gradient shape of input ${i}`);
    const n = base.length;
    const step = Math.max(1, Math.floor(n / 40)); // at most ~40 probes per input
    for (let j = 0; j < n; j += step) {
      const probe = (delta: number): number => {
        const v = base.slice();
        v[j] += delta;
        const xs = inputs.slice();
        xs[i] = tn.tensor(v, [...inputs[i].shape], "float64");
        return loss(xs).dataSync()[0];
      };
      const numeric = (probe(h) - probe(-h)) / (2 * h);
      const ok = Math.abs(g[j] - numeric) <= 1e-5 + 1e-4 * Math.abs(numeric);
      if (!ok) assert.fail(`${what}: d/d input ${i}[${j}] is ${g[j]}, central difference gives ${numeric}`);
    }
  }
}

/** Registers the node:test cases for a list of records. */
export function runOpRecords(records: OpRecord[]): void {
  for (const record of records) {
    test(record.name, async (t) => {
      const dtypes = record.dtypes ?? ["float32", "float64"];
      for (const [s, sample] of record.samples.entries()) {
        const label = `${record.name} sample ${s}${sample.label ? ` (${sample.label})` : ""}`;
        for (const dtype of dtypes) {
          await t.test(`${label} matches the reference in ${dtype}`, async () => {
            const inputs = makeInputs(sample, dtype);
            const actual = record.fn(inputs, sample.args);
            const expected = await referenceFor(record, sample, inputs);
            const tol = record.exact
              ? { rtol: 0, atol: 0 }
              : dtype === "float64" && !record.oracle
                ? TOL.float64
                : TOL.float32[record.tolerance ?? "elementwise"];
            assertClose(actual, expected, tol, label);
          });
        }
        if (record.grad === "check" && sample.noGradReason === undefined) {
          await t.test(`${label} gradient matches central differences`, () => {
            checkGradient((xs) => record.fn(xs, sample.args), makeInputs(sample, "float64"), label);
          });
        }
        if (record.grad === "error") {
          await t.test(`${label} refuses a gradient`, () => {
            const inputs = makeInputs(sample, "float64");
            const floats = inputs.filter((x) => x.dtype === "float64");
            const withFloats = (fs: tn.Tensor[]) => {
              let k = 0;
              return inputs.map((x) => (x.dtype === "float64" ? fs[k++] : x));
            };
            assert.throws(
              () => tn.grads((...fs: tn.Tensor[]) => record.fn(withFloats(fs), sample.args))(floats),
              (e: unknown) => e instanceof tn.NotDifferentiableError && new RegExp(record.name, "i").test((e as Error).message),
            );
          });
        }
      }
      for (const [k, error] of (record.errors ?? []).entries()) {
        await t.test(`${record.name} error case ${k} throws ${error.throws}`, () => {
          assert.throws(
            () => record.fn(makeInputs(error, "float32"), error.args),
            (e: unknown) => {
              assert.ok(e instanceof tn.TensileError, `expected a TensileError, got ${String(e)}`);
              assert.match((e as Error).message, error.throws);
              return true;
            },
          );
        });
      }
    });
  }
}
