/** Assertions shared by the test files. */
import assert from "node:assert/strict";
import * as tn from "../../src/index.js";

/** Asserts that `fn` throws an error of class `kind` (a TensileError by default) whose message matches `message`. */
export function throwsTensile(fn: () => unknown, message: RegExp, kind: new (...args: never[]) => Error = tn.TensileError): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${String(e)}`);
    assert.match((e as Error).message, message);
    return true;
  });
}
