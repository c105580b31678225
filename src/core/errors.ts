/**
 * Every error Tensile raises is a TensileError. Messages name the op (or file), the argument, what it got and
 * what it expected, e.g. `matMul: inner dimensions differ: a is [2,3], b is [4,5] (a[1]=3 must equal b[0]=4)`.
 */
export class TensileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A shape that does not fit: wrong rank, mismatched dimensions, shapes that do not broadcast. */
export class ShapeError extends TensileError {}

/** A dtype the op does not accept. */
export class DTypeError extends TensileError {}

/** An argument with a bad value (an axis out of range, a negative size, an unknown option). */
export class ValueError extends TensileError {}

/** Use of a tensor after `dispose()`. */
export class DisposedError extends TensileError {}

/** A gradient requested through an op that has none (argMax, comparisons, …). */
export class NotDifferentiableError extends TensileError {}

/** A backend that is missing, failed to load, or lacks a kernel with no fallback. */
export class BackendError extends TensileError {}

/** A malformed, truncated or unsupported file. */
export class FileFormatError extends TensileError {}
