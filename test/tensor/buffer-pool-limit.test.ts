/** The buffer pool's byte cap: arrays over it are left to the garbage collector; 0 turns pooling off. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bufferPoolStats, clearBufferPool, ownBuffer, releaseBuffer, setBufferPoolLimit, takeBuffer } from "../../src/tensor/buffer-pool.js";

const N = 4096;
const BYTES = N * 4;

/** Takes an array as a kernel output would, owns it once (one Storage) and releases it. */
function cycle(): Float32Array {
  const a = takeBuffer("float32", N) as Float32Array;
  ownBuffer(a, "float32");
  releaseBuffer(a, "float32");
  return a;
}

test("the pool keeps at most its byte cap and drops what does not fit", () => {
  clearBufferPool();
  const previous = setBufferPoolLimit(2 * BYTES);
  try {
    const arrays = [0, 1, 2].map(() => takeBuffer("float32", N) as Float32Array);
    for (const a of arrays) ownBuffer(a, "float32");
    for (const a of arrays) releaseBuffer(a, "float32");
    assert.equal(bufferPoolStats().pooledBytes, 2 * BYTES);
    // The two kept arrays come back (last released first); the third is gone.
    const again = [takeBuffer("float32", N), takeBuffer("float32", N), takeBuffer("float32", N)];
    assert.equal(again[0], arrays[1]);
    assert.equal(again[1], arrays[0]);
    assert.ok(!arrays.includes(again[2] as Float32Array));
    assert.equal(bufferPoolStats().pooledBytes, 0);
  } finally {
    setBufferPoolLimit(previous);
  }
});

test("lowering the cap below what the pool holds empties it; 0 turns pooling off; the previous cap is returned", () => {
  clearBufferPool();
  const previous = setBufferPoolLimit(4 * BYTES);
  try {
    cycle();
    cycle();
    assert.equal(bufferPoolStats().pooledBytes, BYTES, "the same array went round twice");
    assert.equal(setBufferPoolLimit(0), 4 * BYTES);
    assert.equal(bufferPoolStats().pooledBytes, 0);
    const first = cycle();
    assert.equal(bufferPoolStats().pooledBytes, 0);
    assert.notEqual(takeBuffer("float32", N), first);
  } finally {
    setBufferPoolLimit(previous);
  }
});

test("setBufferPoolLimit refuses a negative, infinite or NaN cap", () => {
  for (const bad of [-1, Infinity, NaN]) assert.throws(() => setBufferPoolLimit(bad), /^ValueError: setBufferPoolLimit: bytes must be a non-negative finite number, got/);
});
