/** LSTMCell and LSTM (Hochreiter & Schmidhuber 1997), Keras 3's: gate order i, f, c, o in the kernels and bias. */
import { getActivation, type Activation, type ActivationIdentifier } from "../../activations/index.js";
import { add, mul } from "../../ops/elementwise.js";
import { lstmStep } from "../../ops/rnn.js";
import type { Tensor } from "../../tensor/tensor.js";
import { registerLayer, type LayerConfig } from "../layer.js";
import { activationConfig, checkArgs, configArgs, readActivation, readBool } from "../core/common.js";
import { BASE_CELL_KEYS, ForgetBiasInitializer, GatedCell, readImplementation, type BaseCellArgs, type StepPlan } from "./cell.js";
import type { Initializer } from "../../initializers/index.js";
import { ownCellArgs, RNN, type RNNBaseArgs } from "./rnn.js";
import { splitColumns } from "./step-ops.js";

export interface LSTMCellArgs extends BaseCellArgs {
  /** Activation of the input, forget and output gates (sigmoid by default). */
  recurrentActivation?: ActivationIdentifier | null;
  /** Start the forget gate's bias at 1 (default true). */
  unitForgetBias?: boolean;
  /** 2 (default): one matMul for all gates; 1: one per gate, each with its own dropout mask (forced by recurrentDropout). */
  implementation?: 1 | 2;
}

const LSTM_CELL_KEYS = [...BASE_CELL_KEYS, "recurrentActivation", "unitForgetBias", "implementation"];

// The built-in activations (they cannot be re-registered): a cell with these runs the fused lstmStep.
const TANH = getActivation("tanh");
const SIGMOID = getActivation("sigmoid");

/**
 * One LSTM timestep: states [h, c]; i, f, o = σ(x·Wᵢ,f,o + h·Uᵢ,f,o + b), c' = f·c + i·tanh(x·W_c + h·U_c + b_c),
 * h' = o·tanh(c'). With the default activations (tanh, sigmoid) a step is one fused kernel (`tn.lstmStep`).
 * `tn.layers.lstmCell({units: 32})`
 */
export class LSTMCell extends GatedCell {
  static override readonly className = "LSTMCell";
  readonly recurrentActivation: Activation;
  readonly unitForgetBias: boolean;
  protected readonly gates = 4;
  protected readonly implementation: 1 | 2;

  constructor(args: LSTMCellArgs, owner = "LSTMCell") {
    const a = checkArgs(args, owner, LSTM_CELL_KEYS);
    super(a, owner);
    this.recurrentActivation = readActivation(a.recurrentActivation === undefined ? "sigmoid" : a.recurrentActivation, owner, "recurrentActivation");
    this.unitForgetBias = readBool(a.unitForgetBias, true, owner, "unitForgetBias");
    const implementation = readImplementation(a.implementation, owner);
    this.implementation = this.recurrentDropout > 0 ? 1 : implementation;
    this.fused = this.activation === TANH && this.recurrentActivation === SIGMOID;
  }

  /** Whether a step is one fused lstmStep (the default activations) rather than the composition of its ops. */
  private readonly fused: boolean;

  override get stateSize(): number[] {
    return [this.units, this.units];
  }

  protected override biasInit(): Initializer {
    return this.unitForgetBias ? new ForgetBiasInitializer(this.biasInitializer, this.units) : this.biasInitializer;
  }

  protected override readonly jointPreactivation = true;

  protected recur(t: number, xp: Tensor | null, states: Tensor[], plan: StepPlan): Tensor[] {
    const [h, c] = states;
    const u = this.units;
    const sizes = [u, u, u, u];
    const masks = plan.recurrentMasks;
    if (this.fused && !plan.perGate) {
      // One fused kernel from the joint pre-activation; its gradient recomputes the gates, so only z and c are saved.
      const z = plan.joint !== null ? plan.joint(t, h) : add(xp as Tensor, plan.products[0](masks === null ? h : mul(h, masks[0])));
      const [h2, c2] = lstmStep(z, c);
      return [h2, h2, c2];
    }
    let gates: Tensor[];
    if (plan.joint !== null) {
      gates = splitColumns(plan.joint(t, h), sizes);
    } else if (!plan.perGate) {
      gates = splitColumns(add(xp as Tensor, plan.products[0](masks === null ? h : mul(h, masks[0]))), sizes);
    } else {
      gates = splitColumns(xp as Tensor, sizes).map((x, k) => add(x, plan.products[k](masks === null ? h : mul(h, masks[k]))));
    }
    const i = this.recurrentActivation(gates[0]);
    const f = this.recurrentActivation(gates[1]);
    const g = this.activation(gates[2]);
    const o = this.recurrentActivation(gates[3]);
    const c2 = add(mul(f, c), mul(i, g));
    const h2 = mul(o, this.activation(c2));
    return [h2, h2, c2];
  }

  override cellConfig(): LayerConfig {
    return {
      ...super.cellConfig(),
      recurrentActivation: activationConfig(this.recurrentActivation, this.className),
      unitForgetBias: this.unitForgetBias,
      implementation: this.implementation,
    };
  }

  static fromConfig(config: LayerConfig): LSTMCell {
    return new LSTMCell(configArgs<LSTMCellArgs>(config, "LSTMCell"));
  }
}
registerLayer(LSTMCell);

/** One LSTM timestep, for `rnn` or `stackedRNNCells`. `tn.layers.lstmCell({units: 32})` */
export function lstmCell(args: LSTMCellArgs): LSTMCell {
  return new LSTMCell(args);
}

export interface LSTMArgs extends LSTMCellArgs, RNNBaseArgs {}

/**
 * Long Short-Term Memory over [batch, timesteps, features] inputs. `tn.layers.lstm({units: 64, returnSequences: true})`
 */
export class LSTM extends RNN {
  static override readonly className = "LSTM";
  declare readonly cell: LSTMCell;

  constructor(args: LSTMArgs) {
    super(ownCellArgs(args, "LSTM", LSTM_CELL_KEYS, "lstm_cell", (c) => new LSTMCell(c, "LSTM")));
  }

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): LayerConfig {
    return { ...this.rnnConfig(), ...this.cell.cellConfig() };
  }

  static override fromConfig(config: LayerConfig): LSTM {
    return new LSTM(configArgs<LSTMArgs>(config, "LSTM"));
  }
}
registerLayer(LSTM);

/** An LSTM layer. `tn.layers.lstm({units: 128})` */
export function lstm(args: LSTMArgs): LSTM {
  return new LSTM(args);
}
