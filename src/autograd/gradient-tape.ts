/** TensorFlow-style `GradientTape`. */
import { isFloatDType } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { formatShape } from "../core/shape.js";
import { onesLike, zerosLike } from "../ops/creation.js";
import { addVariableWatcher, removeVariableWatcher, Tape } from "../tensor/graph.js";
import type { Tensor } from "../tensor/tensor.js";
import { backprop, gradKey } from "./backprop.js";

export interface GradientTapeOptions {
  /** Allows more than one `gradient` call (default false). */
  persistent?: boolean;
  /** Watches every trainable Variable read while recording (default true, as in TF). */
  watchAccessedVariables?: boolean;
}

export interface GradientOptions {
  /** The gradient of the target to start from (default ones: the gradient of sum(target)). */
  outputGradients?: Tensor;
  /** What an unconnected source gets: zeros (default here, so results are always tensors) or null (TF's default). */
  unconnectedGradients?: "zero" | "none";
}

type Sources = Tensor | readonly Tensor[] | Readonly<Record<string, Tensor>>;
type Gradients<S, G> = S extends Tensor ? G : S extends readonly Tensor[] ? G[] : { [K in keyof S]: G };

/** Adds `tape` to the tapes tracking `t`. */
export function watchOn(tape: Tape, t: Tensor, op: string): void {
  if (!isFloatDType(t.dtype)) throw new DTypeError(`${op}: can only watch float tensors, got dtype ${t.dtype} ${formatShape(t.shape)}`);
  if (t.tapes === null || !t.tapes.includes(tape)) t.tapes = [...(t.tapes ?? []), tape];
}

export function unwatchOn(tape: Tape, t: Tensor): void {
  if (t.tapes === null || !t.tapes.includes(tape)) return;
  const rest = t.tapes.filter((x) => x !== tape);
  t.tapes = rest.length > 0 ? rest : null;
}

/**
 * Records ops from its creation until `gradient` (or `stop`) and differentiates them:
 * ```ts
 * const tape = new tn.GradientTape();
 * const y = x.mul(x).sum();
 * const dx = tape.gradient(y, x); // 2x
 * ```
 * Tapes nest: an outer tape records the inner tape's gradient computation (for higher derivatives).
 */
export class GradientTape implements Disposable {
  readonly persistent: boolean;
  private readonly tape: Tape;
  private readonly watched: Tensor[] = [];
  private used = false;
  private released = false;

  constructor(options: GradientTapeOptions = {}) {
    this.persistent = options.persistent ?? false;
    this.tape = new Tape(options.watchAccessedVariables ?? true);
    if (this.tape.watchAccessedVariables) addVariableWatcher(this.tape);
  }

  /** Tracks tensors that are not trainable Variables (constants, inputs). */
  watch(...tensors: Tensor[]): void {
    for (const t of tensors) {
      watchOn(this.tape, t, "GradientTape.watch");
      this.watched.push(t);
    }
  }

  /** Runs `fn` without recording on this tape. */
  stopRecording<T>(fn: () => T): T {
    const was = this.tape.recording;
    this.tape.recording = false;
    try {
      return fn();
    } finally {
      this.tape.recording = was;
    }
  }

  /** The gradient of `target` with respect to each source (a tensor, an array, or an object of tensors). */
  gradient<S extends Sources>(target: Tensor, sources: S, options?: GradientOptions & { unconnectedGradients?: "zero" }): Gradients<S, Tensor>;
  gradient<S extends Sources>(target: Tensor, sources: S, options: GradientOptions & { unconnectedGradients: "none" }): Gradients<S, Tensor | null>;
  gradient<S extends Sources>(target: Tensor, sources: S, options: GradientOptions = {}): Gradients<S, Tensor | null> {
    if (this.used && !this.persistent) {
      throw new ValueError("GradientTape.gradient: a non-persistent tape can compute gradients only once (pass {persistent: true})");
    }
    if (this.released) throw new ValueError("GradientTape.gradient: the tape was disposed");
    this.used = true;
    const list: Tensor[] = sources instanceof Array ? [...sources] : isTensor(sources) ? [sources] : Object.values(sources);
    const seed = options.outputGradients ?? onesLike(target);
    if (options.outputGradients !== undefined && formatShape(seed.shape) !== formatShape(target.shape)) {
      throw new ValueError(
        `GradientTape.gradient: outputGradients has shape ${formatShape(seed.shape)}, expected the target's shape ${formatShape(target.shape)}`,
      );
    }
    // Only what this tape tracks has a gradient (TF): a source that is merely an input of a recorded op, but was
    // never watched, would otherwise get the part of its gradient that flows through recorded ops only.
    const keys = new Set(list.filter((s) => this.tracks(s)).map(gradKey));
    const wasRecording = this.tape.recording;
    this.tape.recording = false;
    let grads: Map<Tensor, Tensor>;
    try {
      grads = backprop(this.tape, [target], [seed], (k) => keys.has(k), "GradientTape.gradient");
    } finally {
      if (this.persistent) this.tape.recording = wasRecording;
      else this.release();
    }
    const zero = (options.unconnectedGradients ?? "zero") === "zero";
    const pick = (s: Tensor): Tensor | null => grads.get(gradKey(s)) ?? (zero ? zerosLike(s) : null);
    if (sources instanceof Array) return list.map(pick) as Gradients<S, Tensor | null>;
    if (isTensor(sources)) return pick(sources) as Gradients<S, Tensor | null>;
    const out: Record<string, Tensor | null> = {};
    for (const [name, t] of Object.entries(sources)) out[name] = pick(t);
    return out as Gradients<S, Tensor | null>;
  }

  /** Whether `t` is watched, produced by an op recorded here, or a trainable Variable this tape watches on access. */
  private tracks(t: Tensor): boolean {
    if (t.tapes !== null && t.tapes.includes(this.tape)) return true;
    return t.isVariable() && t.trainable && this.tape.watchAccessedVariables;
  }

  /** Stops recording; `gradient` still works on what was recorded. */
  stop(): void {
    this.tape.recording = false;
    removeVariableWatcher(this.tape);
  }

  /** Stops recording and lets go of the watched tensors (after this, `gradient` throws). */
  private release(): void {
    this.stop();
    this.released = true;
    for (const t of this.watched) unwatchOn(this.tape, t);
    this.watched.length = 0;
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === "object" && value !== null && typeof (value as Tensor).isVariable === "function";
}
