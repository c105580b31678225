import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseOpenBlasCore } from "../../src/backend/native/addon.js";

const ZEN5 = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16\n";
const ZEN3 = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx avx2 fma\n";
const INTEL = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl\n";

test("chooseOpenBlasCore picks SkylakeX kernels on AMD CPUs with AVX-512", () => {
  const env: Record<string, string | undefined> = {};
  assert.equal(chooseOpenBlasCore(env, () => ZEN5), "SKYLAKEX");
  assert.equal(env.OPENBLAS_CORETYPE, "SKYLAKEX");
});

test("chooseOpenBlasCore leaves AMD CPUs without AVX-512, Intel CPUs and unreadable cpuinfo to OpenBLAS", () => {
  for (const info of [ZEN3, INTEL, ""]) {
    const env: Record<string, string | undefined> = {};
    assert.equal(chooseOpenBlasCore(env, () => info), "");
    assert.equal(env.OPENBLAS_CORETYPE, undefined);
  }
});

test("chooseOpenBlasCore never overrides a core the user set", () => {
  const env: Record<string, string | undefined> = { OPENBLAS_CORETYPE: "Haswell" };
  let read = false;
  assert.equal(chooseOpenBlasCore(env, () => ((read = true), ZEN5)), "");
  assert.equal(env.OPENBLAS_CORETYPE, "Haswell");
  assert.equal(read, false);
});
