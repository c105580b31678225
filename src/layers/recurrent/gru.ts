/**
 * GRUCell and GRU (Cho et al. 2014), Keras 3's: gate order z, r, h; `resetAfter` true (default, cuDNN-compatible,
 * bias [2, 3·units]: input and recurrent rows) applies the reset gate after the recurrent matMul, false before it.
 */
import { getActivation, type Activation, type ActivationIdentifier } from "../../activations/index.js";
import { add, mul, sub } from "../../ops/elementwise.js";
import { gruStep } from "../../ops/rnn.js";
import { pad, reshape, slice } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { registerLayer, type LayerConfig } from "../layer.js";
import { activationConfig, checkArgs, configArgs, readActivation, readBool } from "../core/common.js";
import { BASE_CELL_KEYS, GatedCell, readImplementation, type BaseCellArgs, type StepPlan } from "./cell.js";
import { ownCellArgs, RNN, type RNNBaseArgs } from "./rnn.js";
import { splitColumns } from "./step-ops.js";

export interface GRUCellArgs extends BaseCellArgs {
  /** Activation of the update and reset gates (sigmoid by default). */
  recurrentActivation?: ActivationIdentifier | null;
  /** Apply the reset gate after the recurrent matMul (default true, Keras 3 and cuDNN) or before (TF.js, Keras 1). */
  resetAfter?: boolean;
  /** 2 (default): one matMul for all gates; 1: one per gate, each with its own dropout mask (forced by recurrentDropout). */
  implementation?: 1 | 2;
}

const GRU_CELL_KEYS = [...BASE_CELL_KEYS, "recurrentActivation", "resetAfter", "implementation"];

// The built-in activations (they cannot be re-registered): a resetAfter cell with these runs the fused gruStep.
const TANH = getActivation("tanh");
const SIGMOID = getActivation("sigmoid");

/**
 * One GRU timestep: z, r = σ(x·W + h·U + b), h̃ = tanh(x·W_h + r ⊙ (h·U_h + b_h)) (resetAfter) or
 * tanh(x·W_h + (r ⊙ h)·U_h + b_h), h' = z·h + (1 − z)·h̃. With resetAfter and the default activations (tanh,
 * sigmoid) a step is one fused kernel (`tn.gruStep`). `tn.layers.gruCell({units: 32})`
 */
export class GRUCell extends GatedCell {
  static override readonly className = "GRUCell";
  readonly recurrentActivation: Activation;
  readonly resetAfter: boolean;
  protected readonly gates = 3;
  protected readonly implementation: 1 | 2;

  constructor(args: GRUCellArgs, owner = "GRUCell") {
    const a = checkArgs(args, owner, GRU_CELL_KEYS);
    super(a, owner);
    this.recurrentActivation = readActivation(a.recurrentActivation === undefined ? "sigmoid" : a.recurrentActivation, owner, "recurrentActivation");
    this.resetAfter = readBool(a.resetAfter, true, owner, "resetAfter");
    const implementation = readImplementation(a.implementation, owner);
    this.implementation = this.recurrentDropout > 0 ? 1 : implementation;
    this.fused = this.resetAfter && this.activation === TANH && this.recurrentActivation === SIGMOID;
  }

  /** Whether a step is one fused gruStep (resetAfter, default activations) rather than the composition of its ops. */
  private readonly fused: boolean;

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  /** With resetAfter, the recurrent bias of z and r adds to the input projection like the input bias does. */
  protected override inputBias(): Tensor | null {
    const b = this.bias;
    if (b === null || !this.resetAfter) return b;
    const u = this.units;
    const inputRow = reshape(slice(b, [0, 0], [1, 3 * u]), [3 * u]);
    const recurrentZR = reshape(slice(b, [1, 0], [1, 2 * u]), [2 * u]);
    return add(inputRow, pad(recurrentZR, [[0, u]]));
  }

  protected override recurrentBias(): Tensor | null {
    const b = this.bias;
    if (b === null || !this.resetAfter) return null;
    const u = this.units;
    return reshape(slice(b, [1, 2 * u], [1, u]), [u]);
  }

  protected override recurrentBlocks(perGate: boolean): [number, number][] {
    if (perGate) return [[0, 1], [1, 1], [2, 1]];
    return this.resetAfter ? [[0, 3]] : [[0, 2], [2, 1]];
  }

  protected recur(t: number, xp: Tensor | null, states: Tensor[], plan: StepPlan): Tensor[] {
    void t;
    const [h] = states;
    if (this.fused && !plan.perGate) {
      // One fused kernel from the input and recurrent projections; its gradient recomputes the gates.
      const h2 = gruStep(xp as Tensor, plan.products[0](h), h, plan.recurrentBias ?? undefined);
      return [h2, h2];
    }
    const u = this.units;
    const masks = plan.recurrentMasks;
    const masked = (k: number): Tensor => (masks === null ? h : mul(h, masks[plan.perGate ? k : 0]));
    const [xz, xr, xh] = splitColumns(xp as Tensor, [u, u, u]);
    const p = plan.products;
    let hz: Tensor;
    let hr: Tensor;
    let hh: Tensor | null = null;
    if (plan.perGate) {
      hz = p[0](masked(0));
      hr = p[1](masked(1));
      if (this.resetAfter) hh = p[2](masked(2));
    } else if (this.resetAfter) {
      [hz, hr, hh] = splitColumns(p[0](h), [u, u, u]);
    } else {
      [hz, hr] = splitColumns(p[0](h), [u, u]);
    }
    const z = this.recurrentActivation(add(xz, hz));
    const r = this.recurrentActivation(add(xr, hr));
    let reset: Tensor;
    if (hh !== null) reset = mul(r, plan.recurrentBias === null ? hh : add(hh, plan.recurrentBias));
    else reset = p[plan.perGate ? 2 : 1](mul(r, masked(2)));
    const candidate = this.activation(add(xh, reset));
    // z·h + (1 − z)·h̃, as h̃ + z·(h − h̃).
    const h2 = add(candidate, mul(z, sub(h, candidate)));
    return [h2, h2];
  }

  override cellConfig(): LayerConfig {
    return {
      ...super.cellConfig(),
      recurrentActivation: activationConfig(this.recurrentActivation, this.className),
      resetAfter: this.resetAfter,
      implementation: this.implementation,
    };
  }

  static fromConfig(config: LayerConfig): GRUCell {
    return new GRUCell(configArgs<GRUCellArgs>(config, "GRUCell"));
  }
}
registerLayer(GRUCell);

/** One GRU timestep, for `rnn` or `stackedRNNCells`. `tn.layers.gruCell({units: 32})` */
export function gruCell(args: GRUCellArgs): GRUCell {
  return new GRUCell(args);
}

export interface GRUArgs extends GRUCellArgs, RNNBaseArgs {}

/** Gated Recurrent Unit over [batch, timesteps, features] inputs. `tn.layers.gru({units: 64})` */
export class GRU extends RNN {
  static override readonly className = "GRU";
  declare readonly cell: GRUCell;

  constructor(args: GRUArgs) {
    super(ownCellArgs(args, "GRU", GRU_CELL_KEYS, "gru_cell", (c) => new GRUCell(c, "GRU")));
  }

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): LayerConfig {
    return { ...this.rnnConfig(), ...this.cell.cellConfig() };
  }

  static override fromConfig(config: LayerConfig): GRU {
    return new GRU(configArgs<GRUArgs>(config, "GRU"));
  }
}
registerLayer(GRU);

/** A GRU layer. `tn.layers.gru({units: 64, resetAfter: false})` */
export function gru(args: GRUArgs): GRU {
  return new GRU(args);
}
