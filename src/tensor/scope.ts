/**
 * Deterministic release. CPU memory is garbage collected, so none of this is required on host backends; it exists
 * for GPU memory and for tests that prove a loop leaks nothing.
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "./tensor.js";

const scopes: Tensor[][] = [];

/** Called for every new tensor: the innermost `tidy` owns it. False when no `tidy` is running. */
export function adoptIntoScope(t: Tensor): boolean {
  if (scopes.length === 0) return false;
  scopes[scopes.length - 1].push(t);
  return true;
}

/** A tensor that outlives its scope: the enclosing scope owns it, or, outside every scope, the garbage collector. */
function escape(t: Tensor): void {
  if (!adoptIntoScope(t)) t.trackCollection();
}

function collectTensors(value: unknown, into: Set<Tensor>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if (isTensorLike(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectTensors(v, into, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collectTensors(v, into, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into, depth + 1);
  }
}

function isTensorLike(value: object): value is Tensor {
  return typeof (value as { isVariable?: unknown }).isVariable === "function" && "storage" in value;
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (in an array, object or Map) and those
 * passed to `keep`. Returned tensors move to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const t of scope) {
      if (t.kept) t.trackCollection();
      else t.dispose();
    }
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new ValueError("tidy: fn returned a Promise; tidy only works with synchronous functions");
  }
  const keepSet = new Set<Tensor>();
  collectTensors(result, keepSet);
  for (const t of scope) {
    if (t.kept) t.trackCollection();
    else if (keepSet.has(t)) escape(t);
    else t.dispose();
  }
  return result;
}

/** Exempts `t` from disposal by any enclosing `tidy`. */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}
