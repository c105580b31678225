import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { cpuBackend } from "../../src/backend/cpu/index.js";

test("cpu is registered and is the default", () => {
  assert.ok(tn.backends().includes("cpu"));
  assert.equal(tn.getBackend(), tn.backends()[0]);
  tn.setBackend("cpu");
  assert.equal(tn.getBackend(), "cpu");
});

test("backendInfo describes the backend and lists its kernels", () => {
  const info = tn.backendInfo("cpu");
  assert.equal(info.name, "cpu");
  assert.ok(info.kernels.includes("add"));
  assert.ok(info.kernels.includes("matMul"));
  assert.deepEqual(info.kernels, [...info.kernels].sort());
  assert.equal(tn.backendInfo().name, tn.getBackend());
});

test("an unknown backend is an error that names it and lists the registered ones", () => {
  assert.throws(
    () => tn.setBackend("nonexistent"),
    (e: unknown) =>
      e instanceof tn.BackendError && /setBackend: unknown backend "nonexistent"/.test(e.message) && /registered: .*cpu/.test(e.message),
  );
  assert.throws(() => tn.backendInfo("nonexistent"), tn.BackendError);
  assert.equal(tn.getBackend(), "cpu", "a failed setBackend leaves the active backend unchanged");
});

test("a backend whose factory throws is reported as unavailable, with the reason", () => {
  tn.registerBackend("broken", () => {
    throw new Error("libfoo.so not found");
  }, -10);
  assert.throws(
    () => tn.setBackend("broken"),
    (e: unknown) => e instanceof tn.BackendError && /backend "broken" is unavailable: libfoo\.so not found/.test(e.message),
  );
  assert.equal(tn.getBackend(), "cpu");
});

test("per-kernel fallback: a partial backend runs what it has, cpu runs the rest", () => {
  const calls: Record<string, number> = { add: 0 };
  const partial: tn.Backend = {
    name: "partial",
    host: true,
    kernels: {
      add: (inputs, attrs) => {
        calls.add++;
        const cpuAdd = cpuBackend.kernels.add;
        assert.ok(cpuAdd !== undefined);
        return cpuAdd(inputs, attrs);
      },
    },
    upload: (values) => values,
    readSync: (data) => data as tn.TypedArray,
    free: () => {},
    info: () => ({ implementation: "test double" }),
  };
  tn.registerBackend("partial", () => partial, -1);
  try {
    tn.setBackend("partial");
    assert.equal(tn.getBackend(), "partial");
    assert.deepEqual(tn.backendInfo().kernels, ["add"]);
    assert.equal(tn.backendInfo().implementation, "test double");

    const a = tn.tensor([1, 2, 3]);
    const b = tn.tensor([10, 20, 30]);
    assert.deepEqual(Array.from(tn.add(a, b).dataSync()), [11, 22, 33]);
    assert.equal(calls.add, 1, "add ran on the partial backend");

    // mul has no kernel on "partial": it falls back to cpu and still gives the right answer.
    assert.deepEqual(Array.from(tn.mul(a, b).dataSync()), [10, 40, 90]);
    assert.equal(calls.add, 1, "mul did not go through the partial backend's add");

    // Gradients flow through a mix of backends.
    const g = tn.grad((x) => x.mul(x).add(x).sum())([1, 2]);
    assert.deepEqual(Array.from(g.dataSync()), [3, 5]);
    assert.ok(calls.add >= 2);
  } finally {
    tn.setBackend("cpu");
  }
  assert.equal(tn.getBackend(), "cpu");
  const before = calls.add;
  tn.add([1], [2]).dataSync();
  assert.equal(calls.add, before, "after setBackend('cpu'), add no longer runs on the partial backend");
});
