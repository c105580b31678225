import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { chooseOpenBlasCore, nativeLoadError, withSingleThreadedOpenBlas } from "../../src/backend/native/addon.js";

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

test("withSingleThreadedOpenBlas sets OPENBLAS_NUM_THREADS=1 while loading only, unless the user set it", () => {
  const env: Record<string, string | undefined> = {};
  assert.equal(withSingleThreadedOpenBlas(env, () => env.OPENBLAS_NUM_THREADS), "1");
  assert.equal("OPENBLAS_NUM_THREADS" in env, false, "the key is deleted after loading");
  const own: Record<string, string | undefined> = { OPENBLAS_NUM_THREADS: "3" };
  assert.equal(withSingleThreadedOpenBlas(own, () => own.OPENBLAS_NUM_THREADS), "3");
  assert.equal(own.OPENBLAS_NUM_THREADS, "3");
  assert.throws(() => withSingleThreadedOpenBlas(env, () => { throw new Error("no such file"); }), /no such file/);
  assert.equal("OPENBLAS_NUM_THREADS" in env, false, "the key is deleted when loading fails too");
});

// A fresh process (the variable matters only when OpenBLAS is loaded): the addon loads, the environment is as it
// was, OpenBLAS started no threads of its own, and the pool keeps its default count (one per core).
test("loading the addon leaves OPENBLAS_NUM_THREADS unset, starts no OpenBLAS threads and keeps the pool's count", { skip: nativeLoadError() || false }, () => {
  const script = `
    import { readFileSync } from "node:fs";
    const threads = () => { try { return Number(/^Threads:\\s+(\\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))[1]); } catch { return -1; } };
    const before = threads();
    const native = await import(${JSON.stringify(new URL("../../src/backend/native/addon.ts", import.meta.url).href)});
    const started = threads() - before;
    const tn = await import(${JSON.stringify(new URL("../../src/node.ts", import.meta.url).href)});
    tn.setBackend("native");
    const info = native.loadAddon().info();
    console.log(JSON.stringify({ error: native.nativeLoadError(), env: process.env.OPENBLAS_NUM_THREADS ?? null, started, before,
      threads: tn.backendInfo().threads, blasThreads: info.blasThreads, blas: info.blasSwitch }));`;
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.OPENBLAS_NUM_THREADS;
  delete env.TENSILE_NATIVE;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env, encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const got = JSON.parse(child.stdout.trim().split("\n").pop() as string) as Record<string, string | number | null>;
  assert.equal(got.error, "");
  assert.equal(got.env, null, "OPENBLAS_NUM_THREADS is unset again after loading");
  const cores = Math.min(cpus().length, 64);
  assert.equal(got.threads, cores, "backendInfo().threads is the pool's default count, one per core");
  assert.equal(got.blasThreads, cores, "the BLAS calls run on the pool's threads");
  // Without the variable OpenBLAS would start one thread per core beyond the first when loaded.
  if (got.blas === "openblas" && (got.before as number) > 0 && cores > 1) assert.equal(got.started, 0, "threads started while loading the addon");
});
