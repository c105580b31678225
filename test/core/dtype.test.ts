import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tn from "../../src/index.js";
import {
  allocArray,
  assertDType,
  bytesPerElement,
  convertArray,
  DTYPES,
  dtypeOfArray,
  isDType,
  isFloatDType,
  promoteTypes,
  promoteWithScalar,
  toFloatDType,
} from "../../src/core/dtype.js";

const LATTICE: tn.DType[] = ["bool", "uint8", "int32", "float32", "float64"];

describe("promotion between tensors", () => {
  test("the higher of the two on the lattice bool < uint8 < int32 < float32 < float64, symmetric", () => {
    for (const [i, a] of LATTICE.entries()) {
      for (const [j, b] of LATTICE.entries()) {
        const expected = LATTICE[Math.max(i, j)];
        assert.equal(promoteTypes(a, b), expected, `${a} + ${b}`);
        assert.equal(tn.promoteTypes(b, a), expected, `${b} + ${a}`);
      }
    }
  });

  test("binary ops promote their operands", () => {
    const cases: [tn.DType, tn.DType, tn.DType][] = [
      ["uint8", "int32", "int32"],
      ["int32", "float32", "float32"],
      ["float32", "float64", "float64"],
      ["uint8", "float64", "float64"],
      ["int32", "int32", "int32"],
    ];
    for (const [a, b, out] of cases) {
      const y = tn.add(tn.tensor([1, 2], undefined, a), tn.tensor([3, 4], undefined, b));
      assert.equal(y.dtype, out, `${a} + ${b}`);
      assert.deepEqual(Array.from(y.dataSync()), [4, 6]);
      assert.equal(tn.mul(tn.tensor([1, 2], undefined, b), tn.tensor([3, 4], undefined, a)).dtype, out, `${b} * ${a}`);
    }
  });

  test("a float64 computation stays float64 (no silent narrowing)", () => {
    const y = tn.add(tn.tensor([0.1], undefined, "float64"), tn.tensor([0.2], undefined, "float64"));
    assert.equal(y.dataSync()[0], 0.1 + 0.2);
  });
});

describe("weak JS numbers", () => {
  test("promoteWithScalar: a number takes the tensor's dtype, except fractions on int/bool give float32", () => {
    assert.equal(promoteWithScalar("float64", 2), "float64");
    assert.equal(promoteWithScalar("float64", 2.5), "float64");
    assert.equal(promoteWithScalar("float32", 2.5), "float32");
    assert.equal(promoteWithScalar("int32", 2), "int32");
    assert.equal(promoteWithScalar("int32", 2.5), "float32");
    assert.equal(promoteWithScalar("uint8", 3), "uint8");
    assert.equal(promoteWithScalar("uint8", 0.5), "float32");
    assert.equal(promoteWithScalar("bool", 1), "int32");
    assert.equal(promoteWithScalar("bool", 0.5), "float32");
  });

  test("in ops, on either side", () => {
    const f64 = tn.tensor([1, 2], undefined, "float64");
    const i32 = tn.tensor([1, 2], undefined, "int32");
    const u8 = tn.tensor([1, 2], undefined, "uint8");
    assert.equal(tn.add(f64, 1).dtype, "float64");
    assert.equal(tn.add(1, f64).dtype, "float64");
    assert.equal(tn.mul(i32, 3).dtype, "int32");
    assert.equal(tn.sub(3, i32).dtype, "int32");
    assert.deepEqual(Array.from(tn.sub(3, i32).dataSync()), [2, 1]);
    const frac = tn.add(i32, 0.5);
    assert.equal(frac.dtype, "float32");
    assert.deepEqual(Array.from(frac.dataSync()), [1.5, 2.5]);
    assert.equal(tn.add(0.5, i32).dtype, "float32");
    assert.equal(tn.add(u8, 1).dtype, "uint8");
    assert.equal(tn.add(tn.tensor([true, false]), 1).dtype, "int32");
    // Two numbers: float32, as a tensor made from a number.
    assert.equal(tn.add(2, 3).dtype, "float32");
    assert.equal(tn.add(2, 3).dataSync()[0], 5);
  });

  test("a number does not widen a float32 tensor (unlike NumPy's old value-based casting)", () => {
    const x = tn.tensor([1], undefined, "float32");
    assert.equal(tn.mul(x, 1e-300).dtype, "float32");
    assert.equal(tn.mul(x, 1e-300).dataSync()[0], 0);
  });

  test("plain arrays are float32 tensors (not weak) and promote as such", () => {
    assert.equal(tn.add([1, 2], tn.tensor([1, 2], undefined, "int32")).dtype, "float32");
    assert.equal(tn.add([1, 2], tn.tensor([1, 2], undefined, "float64")).dtype, "float64");
  });
});

describe("cast semantics", () => {
  test("float → int32 truncates toward zero", () => {
    const y = tn.cast(tn.tensor([1.7, -1.7, 2.5, -0.5, 0]), "int32");
    assert.equal(y.dtype, "int32");
    assert.deepEqual(Array.from(y.dataSync()), [1, -1, 2, 0, 0]);
  });

  test("→ bool is x != 0 (NaN is true); bool → numbers is 0/1", () => {
    const b = tn.cast(tn.tensor([0, -0.2, 3, NaN, -0]), "bool");
    assert.equal(b.dtype, "bool");
    assert.deepEqual(b.arraySync(), [false, true, true, true, false]);
    assert.deepEqual(Array.from(tn.cast(tn.tensor([true, false]), "float32").dataSync()), [1, 0]);
    assert.deepEqual(Array.from(tn.cast(tn.tensor([true, false]), "int32").dataSync()), [1, 0]);
  });

  test("→ uint8 truncates and wraps modulo 256 (as a C cast of an in-range int)", () => {
    assert.deepEqual(Array.from(tn.cast(tn.tensor([3.9, 255, 256, -1], undefined, "int32"), "uint8").dataSync()), [3, 255, 0, 255]);
  });

  test("float64 → float32 rounds; int32 → float32 is exact for small values", () => {
    const y = tn.cast(tn.tensor([0.1], undefined, "float64"), "float32");
    assert.equal(y.dataSync()[0], Math.fround(0.1));
    assert.deepEqual(Array.from(tn.cast(tn.tensor([-7, 16777216], undefined, "int32"), "float32").dataSync()), [-7, 16777216]);
  });

  test("cast to the same dtype returns an equal tensor; a bad dtype is a DTypeError", () => {
    const x = tn.tensor([1, 2]);
    assert.deepEqual(Array.from(tn.cast(x, "float32").dataSync()), [1, 2]);
    assert.throws(() => tn.cast(x, "float16" as tn.DType), (e: unknown) => e instanceof tn.DTypeError && /float16/.test((e as Error).message));
  });

  test("convertArray follows the same rules", () => {
    assert.deepEqual(Array.from(convertArray([1.9, -1.9], "int32")), [1, -1]);
    assert.deepEqual(Array.from(convertArray([0, 2, -1], "bool")), [0, 1, 1]);
    assert.ok(convertArray([1], "bool") instanceof Uint8Array);
    assert.deepEqual(Array.from(convertArray([0.1], "float32")), [Math.fround(0.1)]);
  });
});

describe("dtype helpers", () => {
  test("isDType, isFloatDType, bytesPerElement, toFloatDType, dtypeOfArray, allocArray", () => {
    for (const d of DTYPES) assert.ok(isDType(d));
    assert.ok(!isDType("float16") && !isDType(3) && !isDType("toString"));
    assert.deepEqual(DTYPES.filter(isFloatDType), ["float32", "float64"]);
    assert.deepEqual(DTYPES.map(bytesPerElement), [1, 1, 4, 4, 8]);
    assert.deepEqual(DTYPES.map(toFloatDType), ["float32", "float32", "float32", "float32", "float64"]);
    assert.equal(dtypeOfArray(new Float64Array(1)), "float64");
    assert.equal(dtypeOfArray(new Int32Array(1)), "int32");
    assert.equal(dtypeOfArray(new Uint8Array(1)), "uint8");
    assert.ok(allocArray("bool", 2) instanceof Uint8Array);
    assert.ok(allocArray("float64", 2) instanceof Float64Array);
  });

  test("assertDType names the op, the argument and the choices", () => {
    assert.equal(assertDType("int32", "op", "dtype"), "int32");
    assert.throws(
      () => assertDType("half", "zeros", "dtype"),
      (e: unknown) =>
        e instanceof tn.DTypeError && (e as Error).message === 'zeros: dtype must be one of bool, uint8, int32, float32, float64, got "half"',
    );
  });
});
