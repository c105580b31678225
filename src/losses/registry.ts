/**
 * Name → loss resolution (the only place names become classes): camelCase, snake_case and class names, and the
 * Keras and TF.js aliases (mse, mae, mape, msle, bce, kld, logcosh, huber_loss, cosineProximity, …). Also the
 * reverse for saving: a loss's Keras class name comes from its class's static `className` (never its JS name,
 * which minifiers rename), for built-in classes and user classes registered with `registerLoss` only.
 */
import { ValueError } from "../core/errors.js";
import { describeValue } from "../ops/convert.js";
import { nameKey, snakeToCamel } from "../utils/serialization.js";
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  CategoricalHinge,
  CosineSimilarity,
  Hinge,
  Huber,
  KLDivergence,
  LogCosh,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  Poisson,
  SparseCategoricalCrossentropy,
  SquaredHinge,
} from "./classes.js";
import { ownClassName, registrableClassName } from "./common.js";
import { Loss, LossFunctionWrapper, type LossConfig, type LossFunction } from "./loss.js";

type LossClass = { readonly className: string; fromConfig(config: object): Loss } & (new () => Loss);

/** A user's Loss class as registerLoss takes it: its own static className and (inherited) fromConfig. */
export type RegistrableLossClass = (abstract new (...args: never[]) => Loss) & { readonly className: string; fromConfig(config: object): Loss };

interface Entry {
  cls: LossClass;
  /** The Keras function name (snake_case), the canonical name. */
  canonical: string;
  names: string[];
}

function entry(cls: LossClass, canonical: string, aliases: string[] = []): Entry {
  const names = new Set([cls.className, canonical, snakeToCamel(canonical), ...aliases]);
  return { cls, canonical, names: [...names] };
}

const ENTRIES: readonly Entry[] = [
  entry(MeanSquaredError, "mean_squared_error", ["mse", "MSE"]),
  entry(MeanAbsoluteError, "mean_absolute_error", ["mae", "MAE"]),
  entry(MeanAbsolutePercentageError, "mean_absolute_percentage_error", ["mape", "MAPE"]),
  entry(MeanSquaredLogarithmicError, "mean_squared_logarithmic_error", ["msle", "MSLE"]),
  entry(Huber, "huber", ["huber_loss", "huberLoss"]),
  entry(LogCosh, "log_cosh", ["logcosh"]),
  entry(CosineSimilarity, "cosine_similarity", ["cosine_proximity", "cosineProximity"]),
  entry(BinaryCrossentropy, "binary_crossentropy", ["bce", "BCE"]),
  entry(CategoricalCrossentropy, "categorical_crossentropy"),
  entry(SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"),
  entry(KLDivergence, "kl_divergence", ["kld", "KLD", "kullback_leibler_divergence", "kullbackLeiblerDivergence"]),
  entry(Poisson, "poisson"),
  entry(Hinge, "hinge"),
  entry(SquaredHinge, "squared_hinge"),
  entry(CategoricalHinge, "categorical_hinge"),
];

/** User classes registered with registerLoss, by className. */
const CUSTOM = new Map<string, RegistrableLossClass>();

const BY_NAME = new Map<string, Entry>();
for (const e of ENTRIES) for (const n of e.names) BY_NAME.set(n, e);
/** Built-in names as nameKey sees them, which user classes may not take. */
const BUILTIN_KEYS = new Set(ENTRIES.flatMap((e) => e.names.map(nameKey)));
const BUILTIN_CLASSES = new Set<unknown>(ENTRIES.map((e) => e.cls));

/** The loss names getLoss accepts (snake_case and camelCase forms; class names and aliases work too). */
export function lossNames(): string[] {
  return ENTRIES.flatMap((e) => [e.canonical, snakeToCamel(e.canonical)]);
}

function unknown(op: string, name: string): ValueError {
  const known = [...ENTRIES.map((e) => e.canonical), ...CUSTOM.keys()].join(", ");
  return new ValueError(`${op}: unknown loss ${JSON.stringify(name)}; known losses: ${known} (camelCase, class names and aliases such as mse, mae, bce, kld also work)`);
}

/** The Keras function name of a loss name or alias ("mse" → "mean_squared_error"), or null when unknown. */
export function canonicalLossName(name: string): string | null {
  return BY_NAME.get(name)?.canonical ?? null;
}

/**
 * Resolves a loss identifier to a Loss: a name (camelCase, snake_case, class name or Keras/TF.js alias, or the
 * className of a registered user class) gives a new instance with default options; a Loss is returned as is; a function of (yTrue, yPred) is wrapped in a
 * LossFunctionWrapper. `tn.losses.getLoss("mse")`, `tn.losses.getLoss("sparse_categorical_crossentropy")`
 */
export function getLoss(identifier: string | Loss | LossFunction): Loss {
  const op = "getLoss";
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === "function") return new LossFunctionWrapper(identifier);
  if (typeof identifier !== "string") {
    throw new ValueError(`${op}: identifier must be a loss name, a Loss or a function (yTrue, yPred) => Tensor, got ${describeValue(identifier)}`);
  }
  const e = BY_NAME.get(identifier);
  if (e !== undefined) return new e.cls();
  const custom = CUSTOM.get(identifier);
  if (custom === undefined) throw unknown(op, identifier);
  return custom.fromConfig({});
}

/**
 * Rebuilds a loss from its class name and config (as written by `getConfig`), through the registry only.
 * `tn.losses.deserializeLoss("Huber", {delta: 2})`
 */
export function deserializeLoss(className: string, config: Partial<LossConfig> = {}): Loss {
  const op = "deserializeLoss";
  if (typeof className !== "string") throw new ValueError(`${op}: className must be a string, got ${describeValue(className)}`);
  const cls = BY_NAME.get(className)?.cls ?? CUSTOM.get(className);
  if (cls === undefined) throw unknown(op, className);
  return cls.fromConfig(config);
}

/**
 * Registers a user's Loss subclass so saved models name it by its own static `className` and load it back
 * (deserializeLoss, getLoss by that name). Built-in names are refused; registering a name again replaces its class.
 * `class Scaled extends tn.losses.Loss { static className = "Scaled"; call(y, p) {…} }; tn.losses.registerLoss(Scaled)`
 */
export function registerLoss(cls: RegistrableLossClass): void {
  const op = "registerLoss";
  const name = registrableClassName(cls, Loss, op, "tn.losses.Loss");
  if (BUILTIN_KEYS.has(nameKey(name))) throw new ValueError(`${op}: ${JSON.stringify(name)} is the name of a built-in loss; choose another className`);
  CUSTOM.set(name, cls);
}

/** A loss as data: its Keras class name and config, and whether its class is a user's (registered with registerLoss). */
export interface SerializedLoss {
  className: string;
  config: LossConfig;
  custom: boolean;
}

/**
 * The Keras class name and config of a loss whose class is built in or registered (the class's static className,
 * never its JS name). `tn.losses.serializeLoss(new tn.losses.Huber({delta: 2}))` → {className: "Huber", config: {…, delta: 2}, custom: false}
 */
export function serializeLoss(loss: Loss): SerializedLoss {
  const op = "serializeLoss";
  if (!(loss instanceof Loss)) throw new ValueError(`${op}: expects a Loss, got ${describeValue(loss)}`);
  const cls = loss.constructor;
  if (BUILTIN_CLASSES.has(cls)) return { className: (cls as LossClass).className, config: loss.getConfig(), custom: false };
  const name = ownClassName(cls);
  if (CUSTOM.get(name) === cls) return { className: name, config: loss.getConfig(), custom: true };
  if (loss instanceof LossFunctionWrapper) {
    throw new ValueError(`${op}: a LossFunctionWrapper (${loss.name}) holds a function, which cannot be saved as data`);
  }
  throw new ValueError(
    `${op}: class ${name} is not a built-in or registered loss; give it its own static className and register it with tn.losses.registerLoss(cls) first`,
  );
}
