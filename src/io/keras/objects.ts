/**
 * The small objects inside Keras configs, both ways: initializers, regularizers and constraints (Keras 3 writes
 * `{module, class_name, config, registered_name}`, Keras 2 `{class_name, config}`), activations (names), and dtype
 * policies (`{class_name: "DTypePolicy", config: {name}}` or a plain dtype string). Nothing here resolves a class:
 * names go to Tensile's registries when the layer is built.
 */
import { FileFormatError } from "../../core/errors.js";
import { isJsonObject, type JsonObject } from "./json.js";
import { keyFromKeras, keyToKeras, valueToKeras } from "./names.js";

/** A serialized Keras object as Keras 3 writes it. */
export interface KerasObject {
  module: string | null;
  class_name: string;
  config: JsonObject;
  registered_name: string | null;
  [key: string]: unknown;
}

/** An error about a file's config, starting with where it is ("model.keras: layer 'dense'"). */
export function configError(where: string, message: string): FileFormatError {
  return new FileFormatError(`${where}: ${message}`);
}

// ---- Tensile → Keras ----------------------------------------------------------------------------------------

/** Class names Keras spells differently from Tensile. */
const CLASS_TO_KERAS: Readonly<Record<string, string>> = { OrthogonalInitializer: "Orthogonal", IdentityInitializer: "Identity" };

/** Values of these keys are option names in camelCase in Tensile and snake_case in Keras. */
const ENUM_KEYS = new Set(["mode", "distribution", "dataFormat", "interpolation", "reduction", "summationMethod"]);

/** A config with camelCase keys as Keras writes it (snake_case keys, enum values in snake_case). */
export function plainConfigToKeras(config: { readonly [key: string]: unknown }): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    const v = ENUM_KEYS.has(key) && typeof value === "string" ? valueToKeras(value) : value;
    Object.defineProperty(out, keyToKeras(key), { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `{className, config}` (Tensile) → Keras 3's serialized object in `module` (keras.initializers…). */
export function objectToKeras(serialized: { className: string; config: { readonly [key: string]: unknown } } | null, module: string): KerasObject | null {
  if (serialized === null) return null;
  return {
    module,
    class_name: CLASS_TO_KERAS[serialized.className] ?? serialized.className,
    config: plainConfigToKeras(serialized.config),
    registered_name: null,
  };
}

/** Keras 3's dtype policy object for a dtype name. */
export function dtypePolicyToKeras(dtype: string): KerasObject {
  return { module: "keras", class_name: "DTypePolicy", config: { name: dtype }, registered_name: null };
}

/** An activation name as Keras writes it ("leakyRelu" → "leaky_relu"). */
export function activationToKeras(name: string): string {
  return valueToKeras(name);
}

// ---- Keras → Tensile ----------------------------------------------------------------------------------------

/** Keras-only keys of initializer configs, accepted with these values. */
const INERT_INITIALIZER_KEYS: Readonly<Record<string, (v: unknown) => boolean>> = {
  input_axes: (v) => v === null,
  output_axes: (v) => v === null,
  dtype: () => true,
};

/** Classes whose Keras config Tensile does not take as is. */
const INITIALIZER_ALIASES: Readonly<Record<string, string>> = { Orthogonal: "OrthogonalInitializer", IdentityInitializer: "Identity" };

/** Keras names that are functions rather than classes (the form Keras 3 gives custom functions). */
function refuseCode(value: JsonObject, where: string): void {
  const cls = value.class_name;
  if (cls === "__lambda__" || cls === "function" || cls === "Lambda") {
    const name = typeof value.config === "string" ? ` '${value.config}'` : "";
    throw configError(where, `a serialized function${name} cannot be loaded: it would run code from the file`);
  }
}

/**
 * A Keras initializer, regularizer or constraint (string name, `{class_name, config}` with or without Keras 3's
 * module fields) as Tensile's `{className, config}` with camelCase keys; null stays null.
 */
export function objectFromKeras(value: unknown, where: string, kind: "initializer" | "regularizer" | "constraint"): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (!isJsonObject(value) || typeof value.class_name !== "string") {
    throw configError(where, `expected a serialized ${kind} ({class_name, config}) or a name, got ${JSON.stringify(value)?.slice(0, 100)}`);
  }
  refuseCode(value, where);
  const raw = value.config ?? {};
  if (!isJsonObject(raw)) throw configError(where, `the config of ${kind} ${value.class_name} must be an object`);
  const config: JsonObject = {};
  for (const [key, v] of Object.entries(raw)) {
    if (kind === "initializer" && Object.prototype.hasOwnProperty.call(INERT_INITIALIZER_KEYS, key)) {
      if (INERT_INITIALIZER_KEYS[key](v)) continue;
      throw configError(where, `initializer ${value.class_name}: option ${key}=${JSON.stringify(v)} is not supported`);
    }
    Object.defineProperty(config, keyFromKeras(key), { value: v, enumerable: true, writable: true, configurable: true });
  }
  const className = kind === "initializer" ? INITIALIZER_ALIASES[value.class_name] ?? value.class_name : value.class_name;
  return { className, config };
}

/** A Keras activation (a name, or Keras 3's `{class_name: "function", config: name}` for built-ins) as a name. */
export function activationFromKeras(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (isJsonObject(value)) {
    // Keras 3 writes built-in functions as {module: "keras.activations", class_name: "function", config: "relu"}.
    const module = value.module;
    if (value.class_name === "function" && typeof value.config === "string" && (module === "keras.activations" || module === "builtins" || module === undefined)) {
      return value.config;
    }
    refuseCode(value, where);
    throw configError(where, `activation ${JSON.stringify(value.class_name)} (a layer or custom object) is not supported; use an activation name`);
  }
  throw configError(where, `activation must be a name, got ${JSON.stringify(value)}`);
}

/** Tensile's float dtype for a Keras dtype or dtype policy (mixed and half precision compute in float32 here). */
export function dtypeFromKeras(value: unknown, where: string): "float32" | "float64" | null {
  if (value === null || value === undefined) return null;
  let name: unknown = value;
  if (isJsonObject(value)) {
    const cls = value.class_name;
    if (cls !== "DTypePolicy" && cls !== "FloatDTypePolicy" && cls !== "Policy") {
      throw configError(where, `dtype policy ${JSON.stringify(cls)} is not supported`);
    }
    name = isJsonObject(value.config) ? value.config.name : undefined;
  }
  switch (name) {
    case "float32":
    case "mixed_float16":
    case "mixed_bfloat16":
    case "float16":
    case "bfloat16":
      return "float32";
    case "float64":
      return "float64";
    default:
      throw configError(where, `dtype ${JSON.stringify(name)} is not supported (expected float32, float64, or a mixed-precision policy)`);
  }
}

/** Tensile's dtype for an InputLayer's Keras dtype. */
export function inputDtypeFromKeras(value: unknown, where: string): "float32" | "float64" | "int32" | "uint8" | "bool" {
  const name = isJsonObject(value) && isJsonObject(value.config) ? value.config.name : value;
  switch (name) {
    case undefined:
    case null:
    case "float32":
    case "float16":
    case "bfloat16":
    case "mixed_float16":
    case "mixed_bfloat16":
      return "float32";
    case "float64":
      return "float64";
    case "int8":
    case "int16":
    case "int32":
    case "int64":
    case "uint16":
    case "uint32":
    case "uint64":
      return "int32";
    case "uint8":
      return "uint8";
    case "bool":
      return "bool";
    default:
      throw configError(where, `input dtype ${JSON.stringify(name)} is not supported`);
  }
}
