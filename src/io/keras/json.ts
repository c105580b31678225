/**
 * JSON read from files, with limits checked before parsing: the text's size, and the nesting depth (scanned, so a
 * "JSON bomb" of deep nesting never reaches the parser or the recursive code after it). `__proto__` keys, which no
 * Keras config has, are refused so file data can never reach an object's prototype.
 */
import { FileFormatError } from "../../core/errors.js";

/** A JSON object read from a file. */
export type JsonObject = { [key: string]: unknown };

export interface JsonLimits {
  /** Characters of text. */
  maxLength: number;
  /** Nesting of arrays and objects. */
  maxDepth: number;
}

/** Keras configs are a few MB at most and nest about 15 deep. */
export const CONFIG_LIMITS: JsonLimits = { maxLength: 32 * 2 ** 20, maxDepth: 128 };

/** The deepest nesting of `[`/`{` outside strings (stops early past `limit`). */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return deepest;
}

function refuseProtoKeys(value: unknown, where: string): void {
  // Iterative: the depth is bounded already, but a wide document should not recurse either.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === "object" && item !== null) stack.push(item);
    } else if (typeof v === "object" && v !== null) {
      for (const key of Object.keys(v)) {
        if (key === "__proto__") throw new FileFormatError(`${where}: the JSON has a "__proto__" key, which is not allowed`);
        const item = (v as JsonObject)[key];
        if (typeof item === "object" && item !== null) stack.push(item);
      }
    }
  }
}

/** Parses JSON text from a file; `where` ("model.keras: config.json") starts every error message. */
export function parseJson(text: string, where: string, limits: JsonLimits = CONFIG_LIMITS): unknown {
  if (text.length > limits.maxLength) {
    throw new FileFormatError(`${where}: the JSON is ${text.length} characters long, more than the ${limits.maxLength} allowed`);
  }
  const depth = nestingDepth(text, limits.maxDepth);
  if (depth > limits.maxDepth) {
    throw new FileFormatError(`${where}: the JSON nests more than ${limits.maxDepth} levels deep`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(`${where}: invalid JSON (${(error as Error).message})`);
  }
  refuseProtoKeys(value, where);
  return value;
}

/** Decodes UTF-8 bytes (invalid sequences are an error, not replacement characters). */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new FileFormatError(`${where}: the text is not valid UTF-8`);
  }
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Keys whose numbers Keras writes as Python floats. Python reads `0` as an int and some Keras constructors
 * insist on floats (SGD's momentum), so these are written with a decimal point (`0.0`).
 */
const FLOAT_KEYS = new Set([
  "beta_1",
  "beta_2",
  "clipnorm",
  "clipvalue",
  "decay",
  "delta",
  "dropout",
  "ema_momentum",
  "epsilon",
  "factor",
  "gain",
  "global_clipnorm",
  "initial_accumulator_value",
  "l1",
  "l2",
  "label_smoothing",
  "learning_rate",
  "mask_value",
  "maxval",
  "mean",
  "minval",
  "momentum",
  "offset",
  "rate",
  "recurrent_dropout",
  "rho",
  "scale",
  "stddev",
  "value",
  "weight_decay",
]);

function numberText(n: number, asFloat: boolean): string {
  if (!Number.isFinite(n)) return "null";
  const text = JSON.stringify(n);
  return asFloat && Number.isInteger(n) && !text.includes("e") ? `${text}.0` : text;
}

/** JSON text as Python's json.dumps writes Keras configs (`, ` and `: ` separators, floats as floats). */
export function stringifyKerasJson(value: unknown, key: string | null = null): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return numberText(value, key !== null && FLOAT_KEYS.has(key));
  if (typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => stringifyKerasJson(v, key)).join(", ")}]`;
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}: ${stringifyKerasJson(v, k)}`);
    }
    return `{${parts.join(", ")}}`;
  }
  return "null";
}
