import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tn from "../../src/index.js";
import { throwsTensile } from "../helpers/assert.js";
import { foldIn, philox4x32, PhiloxStream, prngKey, randomBits, split } from "../../src/core/prng.js";

const words = (text: string): number[] => text.split(" ").map((h) => parseInt(h, 16));
const hex = (a: ArrayLike<number>): string => Array.from(a, (w) => (w >>> 0).toString(16).padStart(8, "0")).join(" ");

function stats(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const mean = s / values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / values.length), min, max };
}

describe("Philox4x32-10", () => {
  // Known-answer vectors, "philox4x32 10" lines of Random123's tests/kat_vectors (D. E. Shaw Research):
  // counter words 0-3, key words 0-1, expected output words 0-3.
  const KAT: [string, string, string][] = [
    ["00000000 00000000 00000000 00000000", "00000000 00000000", "6627e8d5 e169c58d bc57ac4c 9b00dbd8"],
    ["ffffffff ffffffff ffffffff ffffffff", "ffffffff ffffffff", "408f276d 41c83b0e a20bc7c6 6d5451fd"],
    ["243f6a88 85a308d3 13198a2e 03707344", "a4093822 299f31d0", "d16cfe09 94fdcceb 5001e420 24126ea1"],
  ];
  for (const [ctr, key, expected] of KAT) {
    test(`known answer: counter ${ctr}, key ${key}`, () => {
      const c = words(ctr) as [number, number, number, number];
      const k = words(key) as [number, number];
      assert.equal(hex(philox4x32(k, c)), expected);
    });
  }

  test("randomBits is block i of the counter stream and can be continued", () => {
    const key = prngKey(7);
    const all = randomBits(key, 16);
    assert.equal(hex(all.subarray(0, 4)), hex(philox4x32(key, [0, 0, 0, 0])));
    assert.equal(hex(all.subarray(8, 12)), hex(philox4x32(key, [2, 0, 0, 0])));
    assert.equal(hex(randomBits(key, 8, 2)), hex(all.subarray(8, 16)));
    assert.equal(hex(randomBits(key, 5)), hex(all.subarray(0, 5)));
    // The 64-bit counter carries into word 1.
    assert.equal(hex(randomBits(key, 4, 2 ** 32 + 3)), hex(philox4x32(key, [3, 1, 0, 0])));
  });

  test("prngKey maps a seed to [low, high] words", () => {
    assert.deepEqual(prngKey(42), [42, 0]);
    assert.deepEqual(prngKey(2 ** 32 + 5), [5, 1]);
    assert.deepEqual(prngKey(-1), [0xffffffff, 0xffffffff]);
    throwsTensile(() => prngKey(1.5), /^prngKey: seed must be a safe integer, got 1.5/);
  });

  test("split gives distinct, deterministic keys, and prefixes agree", () => {
    const key = prngKey(0);
    const keys = split(key, 8);
    assert.equal(keys.length, 8);
    assert.equal(new Set(keys.map((k) => k.join(","))).size, 8);
    assert.deepEqual(split(key, 3), keys.slice(0, 3));
    assert.deepEqual(split(key), keys.slice(0, 2));
    assert.notDeepEqual(split(prngKey(1), 2), split(key, 2));
    for (const k of keys) assert.ok(k.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32));
    throwsTensile(() => split(key, -1), /^split: n must be a non-negative integer, got -1/);
    throwsTensile(() => split([1] as unknown as [number, number]), /^split: key must be a PRNG key/);
  });

  test("foldIn is deterministic and differs by data and from split", () => {
    const key = prngKey(3);
    assert.deepEqual(foldIn(key, 5), foldIn(key, 5));
    assert.notDeepEqual(foldIn(key, 5), foldIn(key, 6));
    assert.notDeepEqual(foldIn(key, 0), split(key, 1)[0]);
    throwsTensile(() => foldIn(key, -2), /^foldIn: data must be an integer in \[0, 2\^32\), got -2/);
    throwsTensile(() => foldIn(key, 2 ** 32), /^foldIn: data must be an integer/);
  });

  test("PhiloxStream reads the same words as randomBits", () => {
    const key = prngKey(11);
    const s = new PhiloxStream(key);
    const expected = randomBits(key, 600);
    for (let i = 0; i < 600; i++) assert.equal(s.nextUint32(), expected[i]);
  });

  test("bits are balanced (each of 32 bit positions set about half the time)", () => {
    const bits = randomBits(prngKey(2024), 40000);
    for (let b = 0; b < 32; b++) {
      let ones = 0;
      for (let i = 0; i < bits.length; i++) ones += (bits[i] >>> b) & 1;
      // Binomial(40000, 1/2): sd 100; 1% is 4 sd. Fixed seed: deterministic.
      assert.ok(Math.abs(ones / bits.length - 0.5) < 0.01, `bit ${b}: ${ones}`);
    }
  });
});

describe("seeding", () => {
  test("the same seed gives the same values; different seeds differ", () => {
    const a = tn.randomUniform([50], 0, 1, "float32", 42).dataSync();
    const b = tn.randomUniform([50], 0, 1, "float32", 42).dataSync();
    const c = tn.randomUniform([50], 0, 1, "float32", 43).dataSync();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.deepEqual(tn.randomNormal([9], 0, 1, "float64", 5).dataSync(), tn.randomNormal([9], 0, 1, "float64", 5).dataSync());
    assert.deepEqual(tn.randomInt([20], 0, 100, 9).dataSync(), tn.randomInt([20], 0, 100, 9).dataSync());
  });

  test("an explicit seed ignores the global state", () => {
    tn.setSeed(1);
    const a = tn.randomUniform([10], 0, 1, "float32", 7).dataSync();
    tn.setSeed(2);
    tn.randomUniform([3]);
    const b = tn.randomUniform([10], 0, 1, "float32", 7).dataSync();
    assert.deepEqual(a, b);
  });

  test("unseeded calls differ from each other but repeat after setSeed", () => {
    const run = (): Float32Array[] => [
      tn.randomUniform([8]).dataSync() as Float32Array,
      tn.randomUniform([8]).dataSync() as Float32Array,
      tn.randomNormal([8]).dataSync() as Float32Array,
      tn.dropout(tn.ones([8]), 0.5).dataSync() as Float32Array,
      tn.shuffle(tn.range(0, 8)).dataSync() as Float32Array,
    ];
    tn.setSeed(123);
    const first = run();
    tn.setSeed(123);
    const second = run();
    assert.deepEqual(first, second);
    assert.notDeepEqual(first[0], first[1]);
    tn.setSeed(124);
    assert.notDeepEqual(run()[0], first[0]);
  });

  test("nextKey advances the global key; randomKey uses a seed when given", () => {
    tn.setSeed(5);
    const k1 = tn.nextKey();
    const k2 = tn.nextKey();
    assert.notDeepEqual(k1, k2);
    tn.setSeed(5);
    assert.deepEqual(tn.randomKey(), k1);
    assert.deepEqual(tn.randomKey(9), tn.prngKey(9));
    assert.deepEqual(tn.randomKey([1, 2]), [1, 2]);
    // A key works as a seed too (JAX style).
    const key = tn.splitKey(tn.prngKey(0), 2)[1];
    assert.deepEqual(tn.randomNormal([4], 0, 1, "float32", key).dataSync(), tn.randomNormal([4], 0, 1, "float32", key).dataSync());
  });

  test("setSeed validates its argument", () => {
    throwsTensile(() => tn.setSeed(0.5), /^setSeed: seed must be a safe integer, got 0.5/, tn.ValueError);
    throwsTensile(() => tn.setSeed("1" as unknown as number), /^setSeed: seed must be a safe integer/);
  });
});

describe("randomUniform", () => {
  test("shape, dtype and defaults", () => {
    const x = tn.randomUniform([2, 3]);
    assert.deepEqual(x.shape, [2, 3]);
    assert.equal(x.dtype, "float32");
    assert.equal(tn.randomUniform([4], 0, 1, "float64").dtype, "float64");
    assert.deepEqual(tn.randomUniform([0, 3]).shape, [0, 3]);
    assert.equal(tn.randomUniform([]).size, 1);
    assert.deepEqual(Array.from(tn.randomUniform([3], 2, 2).dataSync()), [2, 2, 2]);
  });

  test("100k samples: in [min, max), mean and std of U(-2, 3)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const v = tn.randomUniform([100_000], -2, 3, dtype, 1).dataSync();
      const s = stats(v);
      assert.ok(s.min >= -2 && s.max < 3, `${dtype}: range [${s.min}, ${s.max}]`);
      // Mean 0.5 (sd of the mean 0.0046); std 5/sqrt(12) = 1.4434.
      assert.ok(Math.abs(s.mean - 0.5) < 0.03, `${dtype}: mean ${s.mean}`);
      assert.ok(Math.abs(s.std - 5 / Math.sqrt(12)) < 0.01, `${dtype}: std ${s.std}`);
      // Rough uniformity: ten equal bins each within 5% of 10000 (sd ~95).
      const bins = new Array(10).fill(0);
      for (const x of v) bins[Math.floor((x + 2) * 2)]++;
      for (const b of bins) assert.ok(Math.abs(b - 10000) < 500, `${dtype}: bins ${bins}`);
    }
  });

  test("never reaches maxval even when float32 rounding would", () => {
    // [0, 1e-7) near 1: values of 1 - tiny * u round to 1 in float32 without the guard.
    const v = tn.randomUniform([10_000], 1 - 1e-7, 1, "float32", 3).dataSync();
    for (const x of v) assert.ok(x < 1 && x >= Math.fround(1 - 1e-7) - 1e-7, `${x}`);
  });

  test("int32 dtype gives integers in [min, max)", () => {
    const v = tn.randomUniform([1000], -3, 4, "int32", 2);
    assert.equal(v.dtype, "int32");
    for (const x of v.dataSync()) assert.ok(Number.isInteger(x) && x >= -3 && x < 4);
  });

  test("errors", () => {
    throwsTensile(() => tn.randomUniform([2], 1, 0), /^randomUniform: minval must be <= maxval, got minval 1 and maxval 0/, tn.ValueError);
    throwsTensile(() => tn.randomUniform([2], 0, Infinity), /^randomUniform: maxval must be a finite number, got Infinity/);
    throwsTensile(() => tn.randomUniform([2], 0, 1, "bool"), /^randomUniform: dtype must be float32, float64 or int32, got bool/, tn.DTypeError);
    throwsTensile(() => tn.randomUniform([2], 0, 1, "complex" as tn.DType), /^randomUniform: dtype must be one of/, tn.DTypeError);
    throwsTensile(() => tn.randomUniform([2, -1]), /^randomUniform: shape\[1\] must be a non-negative integer, got -1/, tn.ShapeError);
    throwsTensile(() => tn.randomUniform([2], 0, 1, "float32", 1.5), /^randomUniform: seed must be a safe integer or a PRNG key, got 1.5/);
    throwsTensile(() => tn.randomUniform([2], 0.5, 3, "int32"), /^randomUniform: minval must be an integer/);
  });
});

describe("randomNormal", () => {
  test("100k samples: mean, std and symmetric tails", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const v = tn.randomNormal([100_000], 3, 2, dtype, 17).dataSync();
      const s = stats(v);
      // sd of the mean 0.0063; sd of the sample std ~0.0045.
      assert.ok(Math.abs(s.mean - 3) < 0.03, `${dtype}: mean ${s.mean}`);
      assert.ok(Math.abs(s.std - 2) < 0.03, `${dtype}: std ${s.std}`);
      // P(|z| > 1) = 0.3173, P(|z| > 2) = 0.0455.
      let beyond1 = 0;
      let beyond2 = 0;
      for (const x of v) {
        const z = Math.abs((x - 3) / 2);
        if (z > 1) beyond1++;
        if (z > 2) beyond2++;
      }
      assert.ok(Math.abs(beyond1 / v.length - 0.3173) < 0.01, `${dtype}: |z|>1 ${beyond1}`);
      assert.ok(Math.abs(beyond2 / v.length - 0.0455) < 0.005, `${dtype}: |z|>2 ${beyond2}`);
      assert.ok(s.max - 3 > 6 && 3 - s.min > 6, "tails reach beyond 3 sd");
    }
  });

  test("defaults and shapes", () => {
    const x = tn.randomNormal([3, 4]);
    assert.deepEqual(x.shape, [3, 4]);
    assert.equal(x.dtype, "float32");
    assert.deepEqual(Array.from(tn.randomNormal([3], 1.5, 0).dataSync()), [1.5, 1.5, 1.5]);
    assert.equal(tn.randomNormal([0]).size, 0);
  });

  test("errors", () => {
    throwsTensile(() => tn.randomNormal([2], 0, -1), /^randomNormal: stdDev must be >= 0, got -1/, tn.ValueError);
    throwsTensile(() => tn.randomNormal([2], NaN), /^randomNormal: mean must be a finite number, got NaN/);
    throwsTensile(() => tn.randomNormal([2], 0, 1, "int32"), /^randomNormal: dtype must be float32 or float64, got int32/, tn.DTypeError);
    throwsTensile(() => tn.randomNormal("3" as unknown as number[]), /^randomNormal: shape must be an array/);
  });
});

describe("truncatedNormal", () => {
  test("every value within 2 std of the mean; moments of the truncated normal", () => {
    const v = tn.truncatedNormal([100_000], -1, 0.5, "float64", 8).dataSync();
    const s = stats(v);
    assert.ok(s.min >= -2 && s.max <= 0, `range [${s.min}, ${s.max}]`);
    // Std of N(0,1) truncated to [-2, 2]: sqrt(1 - 4 φ(2) / (2Φ(2) - 1)) = 0.8796.
    assert.ok(Math.abs(s.mean + 1) < 0.01, `mean ${s.mean}`);
    assert.ok(Math.abs(s.std - 0.5 * 0.8796) < 0.01, `std ${s.std}`);
    // Values do reach near the cut.
    assert.ok(s.max > -0.02 && s.min < -1.98);
  });

  test("float32 default, seeded, errors", () => {
    const a = tn.truncatedNormal([5], 0, 1, "float32", 4);
    assert.equal(a.dtype, "float32");
    assert.deepEqual(a.dataSync(), tn.truncatedNormal([5], 0, 1, "float32", 4).dataSync());
    throwsTensile(() => tn.truncatedNormal([2], 0, -0.1), /^truncatedNormal: stdDev must be >= 0, got -0.1/);
  });
});

describe("randomInt", () => {
  test("range, dtype and rough uniformity", () => {
    const x = tn.randomInt([100_000], -5, 5, 31);
    assert.equal(x.dtype, "int32");
    const counts = new Map<number, number>();
    for (const v of x.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4]);
    for (const c of counts.values()) assert.ok(Math.abs(c - 10_000) < 500, `counts ${[...counts]}`);
  });

  test("an awkward range (3 · 2^30) is unbiased: the top third is as likely as the bottom", () => {
    // With `u % n` on 32 bits, values below 2^32 - 3·2^30 = 2^30 would be twice as likely.
    const n = 3 * 2 ** 30;
    const x = tn.randomInt([30_000], -(2 ** 31), -(2 ** 31) + n, 5).dataSync();
    let low = 0;
    for (const v of x) if (v - -(2 ** 31) < 2 ** 30) low++;
    assert.ok(Math.abs(low / x.length - 1 / 3) < 0.02, `low fraction ${low / x.length}`);
  });

  test("the full int32 range and a single value", () => {
    const x = tn.randomInt([1000], -(2 ** 31), 2 ** 31, 1).dataSync();
    assert.ok(x.some((v) => v < 0) && x.some((v) => v > 0));
    assert.deepEqual(Array.from(tn.randomInt([3], 7, 8).dataSync()), [7, 7, 7]);
    assert.equal(tn.randomUniformInt([2, 2], 0, 3, 1).dtype, "int32");
  });

  test("errors", () => {
    throwsTensile(() => tn.randomInt([2], 3, 3), /^randomInt: minval must be < maxval for integers, got minval 3 and maxval 3/, tn.ValueError);
    throwsTensile(() => tn.randomInt([2], 0.5, 3), /^randomInt: minval must be an integer in \[-2\^31, 2\^31\] for int32, got 0.5/);
    throwsTensile(() => tn.randomInt([2], 0, 2 ** 40), /^randomInt: maxval must be an integer/);
    throwsTensile(() => tn.randomInt([1.5], 0, 2), /^randomInt: shape\[0\] must be a non-negative integer, got 1.5/);
  });
});

describe("shuffle", () => {
  test("is a permutation of the rows, keeps dtype and shape, and leaves x unchanged", () => {
    const x = tn.tensor(Array.from({ length: 20 }, (_, i) => [i, 100 + i]), undefined, "int32");
    const y = tn.shuffle(x, 3);
    assert.deepEqual(y.shape, [20, 2]);
    assert.equal(y.dtype, "int32");
    const rows = y.arraySync() as number[][];
    for (const [a, b] of rows) assert.equal(b, 100 + a);
    assert.deepEqual(rows.map((r) => r[0]).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
    assert.notDeepEqual(rows.map((r) => r[0]), Array.from({ length: 20 }, (_, i) => i));
    assert.deepEqual((x.arraySync() as number[][])[5], [5, 105]);
    assert.notEqual(y, x);
  });

  test("every permutation of 3 items is about equally likely (Fisher–Yates)", () => {
    const counts = new Map<string, number>();
    for (let s = 0; s < 6000; s++) {
      const key = Array.from(tn.shuffle([0, 1, 2], s).dataSync()).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.equal(counts.size, 6);
    // sd ~29 per count.
    for (const c of counts.values()) assert.ok(Math.abs(c - 1000) < 150, `${[...counts]}`);
  });

  test("edge cases and errors", () => {
    assert.deepEqual(tn.shuffle([], 1).shape, [0]);
    assert.deepEqual(tn.shuffle([[true, false]], 1).arraySync(), [[true, false]]);
    throwsTensile(() => tn.shuffle(3), /^shuffle: x must have rank >= 1/, tn.ShapeError);
  });
});

describe("dropout", () => {
  test("zeros about `rate` of the elements and scales the rest by 1 / (1 - rate)", () => {
    const y = tn.dropout(tn.ones([100_000]), 0.3, { seed: 12 }).dataSync();
    let zeros = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else assert.equal(v, Math.fround(1 / 0.7));
    }
    assert.ok(Math.abs(zeros / y.length - 0.3) < 0.01, `zero fraction ${zeros / y.length}`);
    const mean = stats(y).mean;
    assert.ok(Math.abs(mean - 1) < 0.02, `mean ${mean}`);
  });

  test("rate 0 returns x itself; float64 is kept", () => {
    const x = tn.tensor([1, 2, 3]);
    assert.equal(tn.dropout(x, 0), x);
    assert.equal(tn.dropout(tn.tensor([1, 2], undefined, "float64"), 0.5, { seed: 1 }).dtype, "float64");
  });

  test("noiseShape broadcasts the mask (whole columns dropped together)", () => {
    const x = tn.ones([6, 50]);
    const y = tn.dropout(x, 0.5, { noiseShape: [1, 50], seed: 4 }).arraySync() as number[][];
    for (let j = 0; j < 50; j++) for (let i = 1; i < 6; i++) assert.equal(y[i][j], y[0][j]);
    assert.ok(y[0].some((v) => v === 0) && y[0].some((v) => v === 2));
    const z = tn.dropout(x, 0.5, { noiseShape: [null, 1], seed: 4 }).arraySync() as number[][];
    for (const row of z) assert.ok(row.every((v) => v === row[0]));
  });

  test("the gradient is mask / (1 - rate)", () => {
    const rate = 0.25;
    const x = tn.tensor(Array.from({ length: 40 }, (_, i) => i - 20), [5, 8], "float64");
    const mask = tn.dropout(tn.onesLike(x), rate, { seed: 9 }).dataSync(); // mask / (1 - rate)
    const g = tn.grad((t) => tn.sum(tn.dropout(t, rate, { seed: 9 })))(x);
    assert.deepEqual(Array.from(g.dataSync()), Array.from(mask));
    for (const v of g.dataSync()) assert.ok(v === 0 || v === 1 / (1 - rate));
    // PyTorch style too.
    const p = tn.tensor([1, 2, 3, 4], undefined, "float64").requiresGrad_();
    tn.sum(tn.dropout(p, 0.5, { seed: 2 })).backward();
    assert.deepEqual(Array.from(p.grad!.dataSync()), Array.from(tn.dropout(tn.ones([4], "float64"), 0.5, { seed: 2 }).dataSync()));
  });

  test("errors", () => {
    throwsTensile(() => tn.dropout([1, 2], 1), /^dropout: rate must be a number in \[0, 1\), got 1/, tn.ValueError);
    throwsTensile(() => tn.dropout([1, 2], -0.1), /^dropout: rate must be a number in \[0, 1\), got -0.1/);
    throwsTensile(() => tn.dropout(tn.tensor([1, 2], undefined, "int32"), 0.5), /^dropout: x must be a float tensor, got dtype int32/, tn.DTypeError);
    throwsTensile(() => tn.dropout(tn.ones([2, 3]), 0.5, { noiseShape: [3] }), /^dropout: noiseShape must have one entry per dimension of x \[2,3\], got \[3\]/, tn.ShapeError);
    throwsTensile(
      () => tn.dropout(tn.ones([2, 3]), 0.5, { noiseShape: [2, 2] }),
      /^dropout: noiseShape \[2,2\] does not broadcast to x's shape \[2,3\] \(dimension 1 is 2; it must be 1 or 3\)/,
    );
  });
});
