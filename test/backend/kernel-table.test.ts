import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { backendColumns, KERNELS_DOC, primitiveFamilies, renderKernelTable } from "../../scripts/kernel-table.js";

test("the primitive list is read from src/backend/primitives.ts", () => {
  const families = primitiveFamilies();
  const names = families.flatMap((f) => f.primitives);
  for (const p of ["add", "exp", "sum", "matMul", "reshape", "conv"]) assert.ok(names.includes(p), `missing primitive ${p}`);
  assert.equal(new Set(names).size, names.length, "a primitive is listed twice");
  assert.ok(families.some((f) => f.family === "Unary"));
});

test("the cpu backend implements every primitive", () => {
  const all = primitiveFamilies().flatMap((f) => f.primitives);
  const cpu = backendColumns().find((c) => c.name === "cpu");
  assert.ok(cpu?.kernels, "cpu backend did not initialize");
  const missing = all.filter((p) => !cpu.kernels?.has(p));
  assert.deepEqual(missing, [], `cpu has no kernel for: ${missing.join(", ")}`);
});

test("docs/KERNELS.md is up to date with the code (run `npm run kernels` to regenerate)", () => {
  let onDisk = "";
  try {
    onDisk = readFileSync(KERNELS_DOC, "utf8");
  } catch {
    assert.fail(`${KERNELS_DOC} is missing: run \`npm run kernels\``);
  }
  const unavailable = backendColumns().filter((c) => c.kernels === null);
  const hint = unavailable.length > 0 ? ` (unavailable here: ${unavailable.map((c) => `${c.name}: ${c.reason}`).join("; ")})` : "";
  assert.ok(onDisk === renderKernelTable(), `docs/KERNELS.md is out of date: run \`npm run kernels\` and commit it${hint}`);
});
