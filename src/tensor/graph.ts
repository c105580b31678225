/**
 * The recording side of autograd: which tapes are active, and the node each recorded op leaves on its outputs.
 * The gradient rules and algorithms live in src/autograd; this layer only records.
 *
 * All three styles share one mechanism. A tape tracks tensors: those it watches, and the outputs of ops with a
 * tracked input. `requiresGrad` (PyTorch style) means "tracked by the global tape", which is always recording;
 * a GradientTape is recording between its creation and the end of its use; `tn.grad(f)` uses a private tape.
 */
import type { Tensor } from "./tensor.js";

export class Tape {
  private static nextId = 0;
  readonly id = Tape.nextId++;
  recording = true;
  constructor(
    /** Tracks every trainable Variable an op reads while recording (TF's default). */
    readonly watchAccessedVariables: boolean,
  ) {}
}

/** Records `requiresGrad` tensors; always recording. */
export const GLOBAL_TAPE = new Tape(false);

/** A recorded op: everything a gradient rule needs. */
export interface GraphNode {
  readonly prim: string;
  /** Input values as the op saw them (a Variable appears as a snapshot whose `source` is the Variable). */
  readonly inputs: readonly Tensor[];
  readonly attrs: unknown;
  readonly outputs: readonly Tensor[];
  readonly tapes: readonly Tape[];
}

const state = {
  /** GradientTapes that record implicitly accessed trainable variables. */
  variableWatchers: [] as Tape[],
  /** > 0 inside noGrad / stopRecording: nothing is recorded. */
  pauseDepth: 0,
};

export function addVariableWatcher(tape: Tape): void {
  state.variableWatchers.push(tape);
}

export function removeVariableWatcher(tape: Tape): void {
  const i = state.variableWatchers.indexOf(tape);
  if (i >= 0) state.variableWatchers.splice(i, 1);
}

export function isRecordingPaused(): boolean {
  return state.pauseDepth > 0;
}

/** Runs `fn` with recording paused on every tape (PyTorch's no_grad). */
export function noGrad<T>(fn: () => T): T {
  state.pauseDepth++;
  try {
    return fn();
  } finally {
    state.pauseDepth--;
  }
}

/** The recording tapes that track `t` (watched, produced by a tracked op, or a trainable Variable being read). */
export function tapesTracking(t: Tensor, into: Tape[] | null): Tape[] | null {
  const tapes = t.tapes;
  if (tapes !== null) {
    for (let i = 0; i < tapes.length; i++) {
      const tape = tapes[i];
      if (tape.recording && (into === null || !into.includes(tape))) (into ??= []).push(tape);
    }
  }
  if (state.variableWatchers.length > 0 && t.isVariable() && t.trainable) {
    for (const tape of state.variableWatchers) {
      if (tape.recording && (into === null || !into.includes(tape))) (into ??= []).push(tape);
    }
  }
  return into;
}

/** The tapes an op on these inputs must be recorded on, or null (the fast path: nothing to record). */
export function tapesForOp(inputs: readonly Tensor[]): Tape[] | null {
  if (state.pauseDepth > 0) return null;
  let tapes: Tape[] | null = null;
  for (let i = 0; i < inputs.length; i++) tapes = tapesTracking(inputs[i], tapes);
  return tapes;
}

/** Records `outputs` as produced by `prim` from `inputs` on every tape that tracks an input. */
export function recordOp(prim: string, inputs: readonly Tensor[], attrs: unknown, outputs: readonly Tensor[]): void {
  const tapes = tapesForOp(inputs);
  if (tapes === null) return;
  const node: GraphNode = { prim, inputs: inputs.map((t) => (t.isVariable() ? snapshotOf(t) : t)), attrs, outputs, tapes };
  for (const o of outputs) {
    o.node = node;
    o.tapes = tapes;
  }
}

/** The Variable's current value as an untracked-by-scope tensor remembering its Variable (for gradients). */
function snapshotOf(v: Tensor): Tensor {
  const s = v.snapshot();
  s.source = v as Tensor["source"];
  s.tapes = tapesTracking(v, null);
  return s;
}
