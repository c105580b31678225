/**
 * One splittable, counter-based PRNG: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel Random Numbers: As Easy
 * as 1, 2, 3", SC 2011), the generator TensorFlow uses. Pure TypeScript, no state: a block of four uint32 words is
 * a function of a key (two uint32) and a counter (four uint32), so the same key and counter always give the same
 * bits, on every platform.
 *
 * Streams are separated by the third counter word (a domain tag): random bits use tag 0 with a 64-bit block index
 * in the first two words; `split` and `foldIn` use their own tags, so derived keys never overlap the bits a key
 * produces.
 */
import { ValueError } from "./errors.js";

/** A PRNG key: two uint32 words (as JAX's `PRNGKey`). */
export type PRNGKey = readonly [number, number];

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9; // golden ratio
const W1 = 0xbb67ae85; // sqrt(3) - 1

const TAG_BITS = 0;
const TAG_SPLIT = 0x53504c54; // "SPLT"
const TAG_FOLD = 0x464f4c44; // "FOLD"

/** High 32 bits of the 64-bit product of two uint32 (the low half is Math.imul). */
function mulhi(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + Math.floor(lh / 65536) + Math.floor(hl / 65536) + Math.floor(mid / 65536)) >>> 0;
}

/**
 * Philox4x32-10 on one counter block, written into `out` at `offset` (four words).
 * Each round: (hi0, lo0) = M0·c0, (hi1, lo1) = M1·c2; c = [hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0]; then k += W.
 */
export function philox4x32Into(
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  out: Uint32Array,
  offset: number,
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
}

/** Philox4x32-10 of one counter (four uint32) under `key`: the four output words. */
export function philox4x32(key: PRNGKey, counter: readonly [number, number, number, number]): Uint32Array {
  const out = new Uint32Array(4);
  philox4x32Into(key[0], key[1], counter[0], counter[1], counter[2], counter[3], out, 0);
  return out;
}

function assertUint32(value: number, op: string, arg: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new ValueError(`${op}: ${arg} must be an integer in [0, 2^32), got ${String(value)}`);
  }
}

/** Checks that `key` is a PRNG key (two uint32) and returns it. */
export function assertKey(key: unknown, op: string, arg = "key"): PRNGKey {
  if (!Array.isArray(key) || key.length !== 2 || !key.every((w) => typeof w === "number" && Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    throw new ValueError(`${op}: ${arg} must be a PRNG key (two integers in [0, 2^32)), got ${JSON.stringify(key)}`);
  }
  return key as unknown as PRNGKey;
}

/**
 * The key for an integer seed (negative seeds and seeds up to 2^53 are fine): [low 32 bits, high 32 bits].
 * `prngKey(42)` → [42, 0]
 */
export function prngKey(seed: number): PRNGKey {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new ValueError(`prngKey: seed must be a safe integer, got ${String(seed)}`);
  }
  return [seed >>> 0, Math.floor(seed / 0x100000000) >>> 0];
}

/** `n` new keys derived from `key`, independent of each other and of the bits `key` itself produces. */
export function split(key: PRNGKey, n = 2): PRNGKey[] {
  assertKey(key, "split");
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new ValueError(`split: n must be a non-negative integer, got ${String(n)}`);
  const block = new Uint32Array(4);
  const keys: PRNGKey[] = [];
  for (let i = 0; i < n; i++) {
    philox4x32Into(key[0], key[1], i, 0, TAG_SPLIT, 0, block, 0);
    keys.push([block[0], block[1]]);
  }
  return keys;
}

/** A new key from `key` and a uint32 (a step, a layer index, a worker id). `foldIn(key, 3)` */
export function foldIn(key: PRNGKey, data: number): PRNGKey {
  assertKey(key, "foldIn");
  assertUint32(data, "foldIn", "data");
  const block = new Uint32Array(4);
  philox4x32Into(key[0], key[1], data, 0, TAG_FOLD, 0, block, 0);
  return [block[0], block[1]];
}

/**
 * `n` random uint32 words from `key`, starting at block `counter` (each block gives four words; the counter is a
 * 64-bit block index below 2^53). Word i of block c is the same whatever `n` asks for, so streams can be continued.
 */
export function randomBits(key: PRNGKey, n: number, counter = 0): Uint32Array {
  assertKey(key, "randomBits");
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`randomBits: n must be a non-negative integer, got ${String(n)}`);
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new ValueError(`randomBits: counter must be a non-negative safe integer, got ${String(counter)}`);
  }
  const blocks = Math.ceil(n / 4);
  const out = new Uint32Array(blocks * 4);
  for (let b = 0; b < blocks; b++) {
    const c = counter + b;
    philox4x32Into(key[0], key[1], c >>> 0, Math.floor(c / 0x100000000) >>> 0, TAG_BITS, 0, out, b * 4);
  }
  return n === out.length ? out : out.slice(0, n);
}

const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M32 = 2 ** -32;
const TWO_POW_M53 = 2 ** -53;

/**
 * A sequential reader over the bits of one key (blocks generated on demand), for samplers that consume a variable
 * number of words (rejection sampling, resampling). Deterministic: the same key gives the same sequence.
 */
export class PhiloxStream {
  private readonly buffer = new Uint32Array(256);
  private pos = 256;
  private block = 0;

  constructor(private readonly key: PRNGKey) {
    assertKey(key, "PhiloxStream");
  }

  private refill(): void {
    const [k0, k1] = this.key;
    for (let b = 0; b < 64; b++) {
      const c = this.block++;
      philox4x32Into(k0, k1, c >>> 0, Math.floor(c / 0x100000000) >>> 0, TAG_BITS, 0, this.buffer, b * 4);
    }
    this.pos = 0;
  }

  /** A uniform uint32. */
  nextUint32(): number {
    if (this.pos === this.buffer.length) this.refill();
    return this.buffer[this.pos++];
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_M53;
  }

  /** A uniform double in (0, 1) with 32 random bits (never 0: safe for log). */
  nextOpenUnit(): number {
    return (this.nextUint32() + 0.5) * TWO_POW_M32;
  }

  /** A uniform float in [0, 1) with 24 random bits (exactly representable in float32). */
  nextFloat24(): number {
    return (this.nextUint32() >>> 8) * TWO_POW_M24;
  }

  /** A uniform integer in [0, n) without modulo bias (rejection sampling); 1 <= n <= 2^32. */
  nextBelow(n: number): number {
    if (n <= 1) return 0;
    // Accept u < limit, the largest multiple of n that fits in 2^32.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }
}
