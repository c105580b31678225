/**
 * compile / fit / evaluate / predict: Keras's training loop. A training step records the forward pass on a
 * GradientTape, adds the layers' regularization losses, applies the optimizer, then the weight constraints, and
 * updates the metrics; all of it inside `tidy`, so an epoch leaves no tensors behind.
 */
import { ValueError } from "../core/errors.js";
import { GradientTape } from "../autograd/gradient-tape.js";
import { describeValue, assertOptionsObject, tensor } from "../ops/convert.js";
import { concat, gather, squeeze } from "../ops/shape.js";
import { argMax } from "../ops/reduce.js";
import { add, mul } from "../ops/elementwise.js";
import { range } from "../ops/creation.js";
import { shuffle } from "../ops/random.js";
import { noGrad } from "../tensor/graph.js";
import { keep, tidy } from "../tensor/scope.js";
import { Tensor } from "../tensor/tensor.js";
import { getLoss, type Loss } from "../losses/index.js";
import { getMetric, type Metric } from "../metrics/index.js";
import { getOptimizer, type Optimizer } from "../optimizers/index.js";
import { Callback, CallbackList, type CallbackModel, type Logs } from "../callbacks/callback.js";
import { History } from "../callbacks/history.js";
import { ProgbarLogger } from "../callbacks/progbar.js";
import { toCallbacks, type CallbackLike } from "../callbacks/index.js";
import {
  isBatchSource,
  releaseBatch,
  sampleCount,
  sliceRows,
  sourceBatches,
  takeRows,
  toTensorList,
  yieldToEventLoop,
  type Batch,
  type BatchSource,
  type ModelData,
} from "./data-adapter.js";
import type { Model } from "./model.js";

export type { ModelData, BatchSource };

type LossIdentifier = Parameters<typeof getLoss>[0];
type MetricIdentifier = Parameters<typeof getMetric>[0];
type OptimizerIdentifier = Parameters<typeof getOptimizer>[0];

export interface CompileOptions {
  optimizer: OptimizerIdentifier;
  /** One loss for every output, one per output (a list), or by output name. */
  loss: LossIdentifier | readonly LossIdentifier[] | { readonly [output: string]: LossIdentifier };
  /** Metrics for every output (a list), a list per output, or by output name. */
  metrics?: readonly MetricIdentifier[] | readonly (readonly MetricIdentifier[])[] | { readonly [output: string]: MetricIdentifier | readonly MetricIdentifier[] };
  /** Weights of the outputs' losses in the total. */
  lossWeights?: readonly number[] | { readonly [output: string]: number };
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch (default 1). */
  verbose?: 0 | 1 | 2;
  callbacks?: CallbackLike;
  /** Fraction of the samples (the last ones, before shuffling) held out for validation. */
  validationSplit?: number;
  validationData?: readonly [ModelData, ModelData] | readonly [ModelData, ModelData, Tensor] | BatchSource;
  /** Shuffle the samples before each epoch (default true; ignored for datasets). */
  shuffle?: boolean;
  /** Weight of each class in the loss (single-output models). */
  classWeight?: Readonly<Record<number, number>>;
  /** Weight of each sample in the loss, shape [samples]. */
  sampleWeight?: Tensor;
  initialEpoch?: number;
  /** Batches per epoch (default: all samples, or the whole dataset). */
  stepsPerEpoch?: number;
  validationSteps?: number;
  validationBatchSize?: number;
  /** Validate every n epochs (default 1). */
  validationFreq?: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  verbose?: 0 | 1;
  sampleWeight?: Tensor;
  steps?: number;
  callbacks?: CallbackLike;
}

export interface PredictOptions {
  batchSize?: number;
  verbose?: 0 | 1;
  steps?: number;
}

interface OutputTarget {
  name: string;
  loss: Loss;
  lossName: string;
  weight: number;
  metricIds: MetricIdentifier[];
  metrics: Metric[] | null;
}

function assertPositiveInt(value: unknown, op: string, arg: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new ValueError(`${op}: ${arg} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

function identifierName(id: unknown, fallback: string): string {
  if (typeof id === "string") return id;
  if (typeof id === "object" && id !== null && "name" in id && typeof (id as { name: unknown }).name === "string") return (id as { name: string }).name;
  if (typeof id === "function" && id.name.length > 0) return id.name;
  return fallback;
}

/** The options object when `y` was left out (`fit(dataset, {epochs})`). */
function splitArgs<O extends object>(y: ModelData | O | undefined, options: O | undefined): [ModelData | undefined, O] {
  if (
    options === undefined &&
    typeof y === "object" &&
    y !== null &&
    !(y instanceof Tensor) &&
    !Array.isArray(y) &&
    !ArrayBuffer.isView(y) &&
    !Object.values(y).some((v) => v instanceof Tensor)
  ) {
    return [undefined, y as O];
  }
  return [y as ModelData | undefined, options ?? ({} as O)];
}

type BatchHook = "onTrainBatchBegin" | "onBatchBegin" | "onTrainBatchEnd" | "onBatchEnd" | "onTestBatchBegin" | "onTestBatchEnd";

/**
 * Whether any callback overrides one of `hooks` (a subclass method or a LambdaCallback's own function). Like Keras,
 * the loop skips per-batch hooks, and the logs they would get, when no callback has them.
 */
function implementsHook(list: CallbackList, hooks: readonly BatchHook[]): boolean {
  return list.callbacks.some((c) => hooks.some((h) => c[h] !== Callback.prototype[h]));
}

/** The default progress bar, unless the verbosity is 0 or the user passed a ProgbarLogger of their own (Keras). */
function progressBar(userCallbacks: readonly Callback[], verbose: number): Callback[] {
  return verbose > 0 && !userCallbacks.some((c) => c instanceof ProgbarLogger) ? [new ProgbarLogger()] : [];
}

export class Trainer {
  readonly optimizer: Optimizer;
  private readonly targets: OutputTarget[];
  private readonly lossTracker = { sum: 0, count: 0 };

  constructor(
    private readonly model: Model,
    options: CompileOptions,
  ) {
    assertOptionsObject(options, "compile");
    if (options.optimizer === undefined) throw new ValueError("compile: optimizer is required (e.g. 'rmsprop' or tn.optimizers.adam())");
    if (options.loss === undefined) throw new ValueError("compile: loss is required (e.g. 'categoricalCrossentropy')");
    this.optimizer = getOptimizer(options.optimizer);
    const names = this.outputNames;
    const perOutput = <T>(value: T | readonly T[] | { readonly [k: string]: T } | undefined, arg: string, isItem: (v: unknown) => boolean): (T | undefined)[] => {
      if (value === undefined) return names.map(() => undefined);
      if (Array.isArray(value) && !isItem(value)) {
        if (value.length !== names.length) throw new ValueError(`compile: ${arg} has ${value.length} entries, but the model has ${names.length} outputs (${names.join(", ")})`);
        return value as T[];
      }
      if (typeof value === "object" && value !== null && !Array.isArray(value) && !isItem(value)) {
        const record = value as { readonly [k: string]: T };
        const unknown = Object.keys(record).filter((k) => !names.includes(k));
        if (unknown.length > 0) throw new ValueError(`compile: ${arg} names unknown outputs ${unknown.join(", ")} (outputs are ${names.join(", ")})`);
        return names.map((n) => record[n]);
      }
      return names.map(() => value as T);
    };
    const isLossItem = (v: unknown): boolean => typeof v === "string" || typeof v === "function" || (typeof v === "object" && v !== null && "apply" in v);
    const losses = perOutput(options.loss, "loss", isLossItem);
    const weights = perOutput(options.lossWeights, "lossWeights", (v) => typeof v === "number");
    // metrics: a flat list applies to every output; a list of lists or an object is per output.
    const m = options.metrics;
    let metricLists: MetricIdentifier[][];
    if (m === undefined) metricLists = names.map(() => []);
    else if (Array.isArray(m)) {
      metricLists = m.length > 0 && m.every((e) => Array.isArray(e)) && names.length > 1
        ? perOutput(m as readonly MetricIdentifier[][], "metrics", () => false).map((l) => [...(l ?? [])])
        : names.map(() => [...(m as MetricIdentifier[])]);
    } else if (typeof m === "object" && m !== null) {
      metricLists = perOutput(m as { readonly [k: string]: MetricIdentifier | readonly MetricIdentifier[] }, "metrics", () => false).map((v) =>
        v === undefined ? [] : Array.isArray(v) ? [...v] : [v as MetricIdentifier],
      );
    } else throw new ValueError(`compile: metrics must be a list or an object by output name, got ${describeValue(m)}`);
    this.targets = names.map((name, i) => {
      const id = losses[i];
      if (id === undefined || id === null) throw new ValueError(`compile: no loss for output '${name}'`);
      const w = weights[i] ?? 1;
      if (typeof w !== "number" || !Number.isFinite(w)) throw new ValueError(`compile: lossWeights for '${name}' must be a finite number, got ${describeValue(w)}`);
      return { name, loss: getLoss(id), lossName: identifierName(id, "loss"), weight: w, metricIds: metricLists[i], metrics: null };
    });
  }

  private get outputNames(): string[] {
    const outs = this.model.outputs;
    return outs.length > 0 ? outs.map((o) => o.sourceLayer.name) : ["output"];
  }

  private get inputNames(): string[] {
    const ins = this.model.inputs;
    return ins.length > 0 ? ins.map((x) => x.sourceLayer.name) : [];
  }

  /** Metrics are created on the first batch, when `accuracy` can be resolved from the targets' shapes. */
  private ensureMetrics(ys: readonly Tensor[], preds: readonly Tensor[]): void {
    this.targets.forEach((t, i) => {
      if (t.metrics !== null) return;
      t.metrics = t.metricIds.map((id) => getMetric(id, { lossName: t.lossName, yTrueShape: ys[i].shape, yPredShape: preds[i].shape }));
    });
  }

  /** Log names: loss, then each output's loss (several outputs), then metrics. */
  get metricsNames(): string[] {
    const multi = this.targets.length > 1;
    const names = ["loss"];
    if (multi) for (const t of this.targets) names.push(`${t.name}_loss`);
    for (const t of this.targets) {
      for (const [k, id] of t.metricIds.entries()) {
        const n = t.metrics?.[k]?.name ?? identifierName(id, `metric_${k}`);
        names.push(multi ? `${t.name}_${n}` : n);
      }
    }
    return names;
  }

  private outputsOf(x: Tensor[], training: boolean): Tensor[] {
    const input = x.length === 1 ? x[0] : x;
    return this.model.applyMulti(input, { training });
  }

  /** The weighted total loss, and each output's loss when there are several. */
  private computeLoss(ys: readonly Tensor[], preds: readonly Tensor[], sw: Tensor | null, withRegularization: boolean): { total: Tensor; perOutput: Tensor[] } {
    if (preds.length !== this.targets.length) {
      throw new ValueError(`fit: the model returned ${preds.length} outputs, but ${this.targets.length} losses were compiled`);
    }
    const perOutput = this.targets.map((t, i) => t.loss.apply(ys[i], preds[i], sw ?? undefined));
    let total = perOutput.reduce((acc: Tensor | null, l, i) => {
      const w = this.targets[i].weight;
      const term = w === 1 ? l : mul(l, w);
      return acc === null ? term : add(acc, term);
    }, null) as Tensor;
    if (withRegularization) {
      const reg = this.model.regularizationLoss();
      if (reg !== null) total = add(total, reg);
    }
    return { total, perOutput };
  }

  private updateMetrics(ys: readonly Tensor[], preds: readonly Tensor[], sw: Tensor | null, loss: number, perOutput: readonly Tensor[], size: number): void {
    this.lossTracker.sum += loss * size;
    this.lossTracker.count += size;
    this.ensureMetrics(ys, preds);
    noGrad(() => {
      this.targets.forEach((t, i) => {
        for (const m of t.metrics ?? []) m.update(ys[i], preds[i], sw ?? undefined);
      });
    });
    if (this.targets.length > 1) {
      perOutput.forEach((l, i) => {
        const tr = (this.outputLossTrackers[i] ??= { sum: 0, count: 0 });
        tr.sum += l.dataSync()[0] * size;
        tr.count += size;
      });
    }
  }

  private outputLossTrackers: { sum: number; count: number }[] = [];

  private resetMetrics(): void {
    this.lossTracker.sum = 0;
    this.lossTracker.count = 0;
    this.outputLossTrackers = [];
    for (const t of this.targets) for (const m of t.metrics ?? []) m.reset();
  }

  private logs(prefix = ""): Logs {
    // Keras 3 lists metrics before the loss (the bar shows `accuracy: … - loss: …`).
    const logs: Logs = {};
    const mean = (t: { sum: number; count: number }): number => (t.count === 0 ? NaN : t.sum / t.count);
    const multi = this.targets.length > 1;
    for (const t of this.targets) {
      for (const m of t.metrics ?? []) logs[`${prefix}${multi ? `${t.name}_` : ""}${m.name}`] = m.result();
    }
    if (multi) this.targets.forEach((t, i) => (logs[`${prefix}${t.name}_loss`] = mean(this.outputLossTrackers[i] ?? { sum: 0, count: 0 })));
    logs[`${prefix}loss`] = mean(this.lossTracker);
    return logs;
  }

  private classWeights(ys: readonly Tensor[], classWeight: Readonly<Record<number, number>>): Tensor {
    if (ys.length !== 1) throw new ValueError("fit: classWeight needs a single-output model (use sampleWeight for several outputs)");
    const keys = Object.keys(classWeight).map(Number);
    if (keys.some((k) => !Number.isInteger(k) || k < 0)) throw new ValueError(`fit: classWeight keys must be class indices, got ${Object.keys(classWeight).join(", ")}`);
    const table = new Float32Array(Math.max(...keys) + 1).fill(1);
    for (const k of keys) table[k] = classWeight[k];
    const y = ys[0];
    const labels = y.rank >= 2 && y.shape[y.rank - 1] > 1 ? argMax(y, { axis: -1 }) : (y.rank >= 2 ? squeeze(y, [-1]) : y).cast("int32");
    const max = Math.max(...labels.dataSync());
    if (max >= table.length) throw new ValueError(`fit: classWeight has no entry for class ${max} (it covers 0..${table.length - 1})`);
    return gather(tensor(table, [table.length], "float32"), labels.reshape([-1])).reshape([labels.shape[0] ?? 1, ...(labels.rank > 1 ? labels.shape.slice(1) : [])]);
  }

  /** One training step on a batch: forward, loss, gradients, optimizer, constraints, metrics. Returns the loss. */
  private trainStep(batch: Batch, classWeight: Readonly<Record<number, number>> | undefined): void {
    if (batch.y === null) throw new ValueError("fit: targets (y) are required");
    const ys = batch.y;
    tidy(() => {
      const sw = classWeight !== undefined ? this.classWeights(ys, classWeight) : batch.sampleWeight;
      this.model.clearCallLosses();
      const tape = new GradientTape();
      let preds: Tensor[];
      let total: Tensor;
      let perOutput: Tensor[];
      try {
        preds = this.outputsOf(batch.x, true);
        ({ total, perOutput } = this.computeLoss(ys, preds, sw, true));
      } catch (error) {
        tape.stop();
        throw error;
      }
      const vars = this.model.trainableWeights;
      const grads = tape.gradient(total, vars, { unconnectedGradients: "none" });
      this.optimizer.applyGradients(grads, vars);
      this.model.applyConstraints();
      this.updateMetrics(ys, preds, sw, total.dataSync()[0], perOutput, batch.size);
    });
  }

  private testStep(batch: Batch): void {
    if (batch.y === null) throw new ValueError("evaluate: targets (y) are required");
    const ys = batch.y;
    noGrad(() =>
      tidy(() => {
        this.model.clearCallLosses();
        const preds = this.outputsOf(batch.x, false);
        const { total, perOutput } = this.computeLoss(ys, preds, batch.sampleWeight, true);
        this.updateMetrics(ys, preds, batch.sampleWeight, total.dataSync()[0], perOutput, batch.size);
      }),
    );
  }

  // ---- epochs over arrays or datasets -----------------------------------------------------------------------

  /** Batches of arrays, shuffled or in order, as views or gathered copies. */
  private *arrayBatches(x: Tensor[], y: Tensor[] | null, sw: Tensor | null, n: number, batchSize: number, shuffled: boolean, steps: number | null): Generator<Batch> {
    const order = shuffled ? tidy(() => shuffle(range(0, n, 1, "int32"))) : null;
    const count = Math.min(Math.ceil(n / batchSize), steps ?? Infinity);
    try {
      for (let b = 0; b < count; b++) {
        const start = b * batchSize;
        const end = Math.min(n, start + batchSize);
        if (order === null) {
          yield { x: sliceRows(x, start, end), y: y === null ? null : sliceRows(y, start, end), sampleWeight: sw === null ? null : sliceRows([sw], start, end)[0], size: end - start, owned: true };
        } else {
          const idx = sliceRows([order], start, end)[0];
          yield { x: takeRows(x, idx), y: y === null ? null : takeRows(y, idx), sampleWeight: sw === null ? null : takeRows([sw], idx)[0], size: end - start, owned: true };
          idx.dispose();
        }
      }
    } finally {
      order?.dispose();
    }
  }

  private sourceBatches(source: BatchSource, op: string, steps: number | null): AsyncGenerator<Batch> {
    return sourceBatches(source, this.inputNames, this.outputNames, op, steps);
  }

  /** Turns fit/evaluate data into a per-epoch batch factory. */
  private prepare(
    x: ModelData | BatchSource,
    y: ModelData | undefined,
    sampleWeight: Tensor | undefined,
    batchSize: number,
    op: string,
  ): { batches: (shuffled: boolean, steps: number | null) => Iterable<Batch> | AsyncIterable<Batch>; steps: number | null; samples: number | null; arrays: { x: Tensor[]; y: Tensor[] | null; sw: Tensor | null; n: number } | null } {
    if (isBatchSource(x)) {
      if (y !== undefined) throw new ValueError(`${op}: y must not be given with a dataset (its elements hold the targets)`);
      const size = (x as { size?: unknown }).size;
      const steps = typeof size === "number" && Number.isFinite(size) ? size : Array.isArray(x) ? x.length : null;
      return { batches: (_s, steps) => this.sourceBatches(x, op, steps), steps, samples: null, arrays: null };
    }
    const xs = toTensorList(x as ModelData, this.inputNames, "inputs", op);
    const ys = y === undefined ? null : toTensorList(y, this.outputNames, "targets", op);
    const n = sampleCount(ys === null ? [xs] : [xs, ys], op);
    if (sampleWeight !== undefined && (!(sampleWeight instanceof Tensor) || sampleWeight.shape[0] !== n)) {
      throw new ValueError(`${op}: sampleWeight must be a tensor with ${n} rows (one weight per sample), got ${describeValue(sampleWeight)}`);
    }
    const sw = sampleWeight ?? null;
    return {
      batches: (shuffled, steps) => this.arrayBatches(xs, ys, sw, n, batchSize, shuffled, steps),
      steps: Math.ceil(n / batchSize),
      samples: n,
      arrays: { x: xs, y: ys, sw, n },
    };
  }

  async fit(x: ModelData | BatchSource, yArg?: ModelData | FitOptions, optionsArg?: FitOptions): Promise<History> {
    const [y, options] = splitArgs<FitOptions>(yArg, optionsArg);
    assertOptionsObject(options, "fit");
    const epochs = options.epochs === undefined ? 1 : assertPositiveInt(options.epochs, "fit", "epochs");
    const batchSize = options.batchSize === undefined ? 32 : assertPositiveInt(options.batchSize, "fit", "batchSize");
    const verbose = options.verbose ?? 1;
    if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ValueError(`fit: verbose must be 0, 1 or 2, got ${describeValue(verbose)}`);
    const initialEpoch = options.initialEpoch ?? 0;
    if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new ValueError(`fit: initialEpoch must be a non-negative integer, got ${describeValue(initialEpoch)}`);
    const stepsPerEpoch = options.stepsPerEpoch === undefined ? null : assertPositiveInt(options.stepsPerEpoch, "fit", "stepsPerEpoch");
    const validationFreq = options.validationFreq === undefined ? 1 : assertPositiveInt(options.validationFreq, "fit", "validationFreq");
    const split = options.validationSplit ?? 0;
    if (typeof split !== "number" || !(split >= 0 && split < 1)) throw new ValueError(`fit: validationSplit must be in [0, 1), got ${describeValue(split)}`);
    if (options.classWeight !== undefined && options.sampleWeight !== undefined) throw new ValueError("fit: give classWeight or sampleWeight, not both");

    let train = this.prepare(x, y, options.sampleWeight, batchSize, "fit");
    let validation: ReturnType<Trainer["prepare"]> | null = null;
    const valBatch = options.validationBatchSize ?? batchSize;
    if (split > 0) {
      if (train.arrays === null) throw new ValueError("fit: validationSplit needs arrays; give a dataset as validationData instead");
      if (options.validationData !== undefined) throw new ValueError("fit: give validationSplit or validationData, not both");
      const { x: ax, y: ay, sw, n } = train.arrays;
      const cut = Math.floor(n * (1 - split));
      if (cut === 0 || cut === n) throw new ValueError(`fit: validationSplit ${split} of ${n} samples leaves an empty training or validation set`);
      const part = (list: Tensor[] | null, a: number, b: number): Tensor[] | null => (list === null ? null : sliceRows(list, a, b));
      const trainW = sw === null ? undefined : sliceRows([sw], 0, cut)[0];
      const valW = sw === null ? undefined : sliceRows([sw], cut, n)[0];
      train = this.prepare(part(ax, 0, cut)!, part(ay, 0, cut) ?? undefined, trainW, batchSize, "fit");
      validation = this.prepare(part(ax, cut, n)!, part(ay, cut, n) ?? undefined, valW, valBatch, "fit");
    } else if (options.validationData !== undefined) {
      const vd = options.validationData;
      if (isBatchSource(vd)) validation = this.prepare(vd, undefined, undefined, valBatch, "fit");
      else {
        if (!Array.isArray(vd) || vd.length < 2) throw new ValueError("fit: validationData must be [x, y], [x, y, sampleWeight] or a dataset");
        validation = this.prepare(vd[0], vd[1], vd[2], valBatch, "fit");
      }
    }

    const history = new History();
    const userCallbacks = toCallbacks(options.callbacks, "fit");
    // Keras's order: the user's callbacks, then History, then the bar.
    const callbacks = new CallbackList([...userCallbacks, history, ...progressBar(userCallbacks, verbose)] as Callback[]);
    const model = this.model as unknown as CallbackModel;
    callbacks.setModel(model);
    const steps = stepsPerEpoch ?? train.steps;
    const params = { epochs, steps, samples: train.samples, verbose, batchSize, metrics: [...this.metricsNames, ...(validation ? this.metricsNames.map((n) => `val_${n}`) : [])] };
    callbacks.setParams(params);
    this.model.stopTraining = false;
    // Per-batch hooks and logs only where a callback has them (a quiet fit with epoch callbacks skips them).
    const batchBegin = implementsHook(callbacks, ["onTrainBatchBegin", "onBatchBegin"]);
    const batchEnd = implementsHook(callbacks, ["onTrainBatchEnd", "onBatchEnd"]);
    await callbacks.call("onTrainBegin", {});
    // A callback restoring a checkpoint (backupAndRestore) sets the epoch to resume from.
    const startEpoch = this.model.resumeEpoch ?? initialEpoch;
    this.model.resumeEpoch = null;
    for (let epoch = startEpoch; epoch < epochs && !this.model.stopTraining; epoch++) {
      this.resetMetrics();
      await callbacks.call("onEpochBegin", epoch, {});
      let b = 0;
      for await (const batch of train.batches(options.shuffle ?? true, stepsPerEpoch)) {
        if (batchBegin) {
          await callbacks.call("onTrainBatchBegin", b, { batch: b, size: batch.size });
          await callbacks.call("onBatchBegin", b, { batch: b, size: batch.size });
        }
        try {
          this.trainStep(batch, options.classWeight);
        } finally {
          releaseBatch(batch);
        }
        if (batchEnd) {
          const logs = this.logs();
          await callbacks.call("onTrainBatchEnd", b, logs);
          await callbacks.call("onBatchEnd", b, logs);
        }
        b++;
        if (this.model.stopTraining) break;
        await yieldToEventLoop();
      }
      if (b === 0) throw new ValueError("fit: the training data produced no batches");
      if (params.steps === null) params.steps = b;
      const epochLogs = this.logs();
      if (validation !== null && (epoch + 1) % validationFreq === 0) {
        const valLogs = await this.runEvaluation(validation, options.validationSteps ?? null, new CallbackList([]));
        for (const [k, v] of Object.entries(valLogs)) epochLogs[`val_${k}`] = v;
      }
      await callbacks.call("onEpochEnd", epoch, epochLogs);
    }
    await callbacks.call("onTrainEnd", {});
    return history;
  }

  private async runEvaluation(data: ReturnType<Trainer["prepare"]>, steps: number | null, callbacks: CallbackList): Promise<Logs> {
    this.resetMetrics();
    await callbacks.call("onTestBegin", {});
    const batchBegin = implementsHook(callbacks, ["onTestBatchBegin"]);
    const batchEnd = implementsHook(callbacks, ["onTestBatchEnd"]);
    let b = 0;
    for await (const batch of data.batches(false, steps)) {
      if (batchBegin) await callbacks.call("onTestBatchBegin", b, {});
      try {
        this.testStep(batch);
      } finally {
        releaseBatch(batch);
      }
      if (batchEnd) await callbacks.call("onTestBatchEnd", b, this.logs());
      b++;
      await yieldToEventLoop();
    }
    if (b === 0) throw new ValueError("evaluate: the data produced no batches");
    const logs = this.logs();
    await callbacks.call("onTestEnd", logs);
    return logs;
  }

  async evaluate(x: ModelData | BatchSource, yArg?: ModelData | EvaluateOptions, optionsArg?: EvaluateOptions): Promise<number | number[]> {
    const [y, options] = splitArgs<EvaluateOptions>(yArg, optionsArg);
    assertOptionsObject(options, "evaluate");
    const batchSize = options.batchSize === undefined ? 32 : assertPositiveInt(options.batchSize, "evaluate", "batchSize");
    const steps = options.steps === undefined ? null : assertPositiveInt(options.steps, "evaluate", "steps");
    const data = this.prepare(x, y, options.sampleWeight, batchSize, "evaluate");
    const verbose = options.verbose ?? 1;
    const userCallbacks = toCallbacks(options.callbacks, "evaluate");
    const callbacks = new CallbackList([...userCallbacks, ...progressBar(userCallbacks, verbose)]);
    callbacks.setModel(this.model as unknown as CallbackModel);
    callbacks.setParams({ epochs: 1, steps: steps ?? data.steps, samples: data.samples, verbose, batchSize, metrics: this.metricsNames });
    return this.reported(await this.runEvaluation(data, steps, callbacks));
  }

  trainOnBatch(x: ModelData, y: ModelData, options: { sampleWeight?: Tensor; classWeight?: Record<number, number> } = {}): number | number[] {
    const xs = toTensorList(x, this.inputNames, "inputs", "trainOnBatch");
    const ys = toTensorList(y, this.outputNames, "targets", "trainOnBatch");
    const size = sampleCount([xs, ys], "trainOnBatch");
    this.resetMetrics();
    this.trainStep({ x: xs, y: ys, sampleWeight: options.sampleWeight ?? null, size }, options.classWeight);
    return this.reported(this.logs());
  }

  testOnBatch(x: ModelData, y: ModelData, options: { sampleWeight?: Tensor } = {}): number | number[] {
    const xs = toTensorList(x, this.inputNames, "inputs", "testOnBatch");
    const ys = toTensorList(y, this.outputNames, "targets", "testOnBatch");
    const size = sampleCount([xs, ys], "testOnBatch");
    this.resetMetrics();
    this.testStep({ x: xs, y: ys, sampleWeight: options.sampleWeight ?? null, size });
    return this.reported(this.logs());
  }

  /** What evaluate and the on-batch methods return: the loss alone, or `[loss, ...]` in `metricsNames` order. */
  private reported(logs: Logs): number | number[] {
    const values = this.metricsNames.map((n) => logs[n]);
    return values.length === 1 ? values[0] : values;
  }

  /** Inference in batches; concatenates the batches' outputs. Works on compiled and uncompiled models. */
  static predict(model: Model, x: ModelData, options: PredictOptions): Tensor | Tensor[] {
    assertOptionsObject(options, "predict");
    const batchSize = options.batchSize === undefined ? 32 : assertPositiveInt(options.batchSize, "predict", "batchSize");
    const names = model.inputs.map((i) => i.sourceLayer.name);
    const xs = toTensorList(x, names, "inputs", "predict");
    const n = sampleCount([xs], "predict");
    const steps = options.steps === undefined ? Infinity : assertPositiveInt(options.steps, "predict", "steps");
    const parts: Tensor[][] = [];
    let single = true;
    noGrad(() => {
      for (let start = 0, b = 0; start < n && b < steps; start += batchSize, b++) {
        const end = Math.min(n, start + batchSize);
        const batch = start === 0 && end === n ? xs : sliceRows(xs, start, end);
        const out = tidy(() => {
          const o = model.applyMulti(batch.length === 1 ? batch[0] : batch, { training: false });
          single = o.length === 1;
          return o.map((t) => keep(t));
        });
        parts.push(out);
      }
    });
    if (parts.length === 0) throw new ValueError("predict: no samples to predict");
    const outs = parts[0].map((_, k) => (parts.length === 1 ? parts[0][k] : concat(parts.map((p) => p[k]), 0)));
    if (parts.length > 1) for (const p of parts) for (const t of p) t.dispose();
    return single ? outs[0] : outs;
  }
}
