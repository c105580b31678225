/**
 * `tn.loadModel`, and `model.save` / `saveWeights` / `loadWeights` (the ModelIO that src/models calls): the format
 * follows the name (`.keras`, `.h5`, `.weights.h5`, `model.json`, `.safetensors`) or, for bytes, the contents; the
 * place follows the scheme (a path on Node, `indexeddb://`, `downloads://`, `http(s)://`) or is an IO handler.
 * Saves to paths are atomic.
 */
import { FileFormatError, ValueError } from "../core/errors.js";
import { assertOptionsObject, describeValue } from "../ops/convert.js";
import { readOptions } from "../utils/serialization.js";
import { Model, type ModelIO } from "../models/model.js";
import { asBytes, decodeUtf8, encodeUtf8, parseJson } from "./bytes.js";
import { DOWNLOADS_SCHEME, INDEXEDDB_SCHEME, downloadFiles, downloadName, indexedDbPath, loadFromIndexedDb, saveToIndexedDb } from "./browser.js";
import { baseOf, dirOf, fileExists, joinPath, readFile, removeFile, stripFileScheme, writeFileAtomic } from "./files.js";
import { kerasFormats } from "./keras-bridge.js";
import { readSafetensorsHeader, readSafetensorsEntry, writeSafetensors } from "./safetensors.js";
import {
  detectFormat,
  formatOfName,
  isBlobLike,
  isHandler,
  isUrl,
  readSingle,
  shardReader,
  type BlobLike,
  type FetchLike,
  type FileFormat,
  type ModelSource,
  type SaveTarget,
} from "./sources.js";
import { DEFAULT_SHARD_BYTES, artifactsInfo, artifactsToModel, loadShards, modelJsonFor, modelToArtifacts, parseModelJson, shardBytes } from "./tfjs/artifacts.js";
import type { ModelArtifacts, SaveResult } from "./types.js";
import { assignWeights, weightArrays } from "./weights.js";

export interface LoadOptions {
  /** Require every weight of the model to be in the file and every tensor of the file to be used (default true). */
  strict?: boolean;
  /** The file's name in errors (and for detecting the format of bytes). */
  fileName?: string;
  /** `fetch` for URLs (default: the global fetch). */
  fetchFunc?: FetchLike;
  /** Passed to fetch for URLs. */
  requestInit?: Record<string, unknown>;
  /** Keras files: compile the model as the file says and restore the optimizer's state (default true). */
  compile?: boolean;
}

export interface SaveOptions {
  /** The largest weight shard of the TF.js format, in bytes (default 4 MB). */
  shardSize?: number;
  fetchFunc?: FetchLike;
  requestInit?: Record<string, unknown>;
  /** Keras files (.keras, .h5): write the optimizer's state of a compiled model (default true, as Keras). */
  includeOptimizer?: boolean;
}

const LOAD_KEYS = ["strict", "fileName", "fetchFunc", "requestInit", "compile"];
const SAVE_KEYS = ["shardSize", "fetchFunc", "requestInit", "includeOptimizer"];

function loadOptions(options: unknown, op: string): LoadOptions {
  if (options === undefined) return {};
  assertOptionsObject(options, op);
  const o = readOptions(options as LoadOptions, op, LOAD_KEYS);
  if (o.strict !== undefined && typeof o.strict !== "boolean") throw new ValueError(`${op}: strict must be a boolean, got ${describeValue(o.strict)}`);
  if (o.fileName !== undefined && typeof o.fileName !== "string") throw new ValueError(`${op}: fileName must be a string, got ${describeValue(o.fileName)}`);
  if (o.fetchFunc !== undefined && typeof o.fetchFunc !== "function") throw new ValueError(`${op}: fetchFunc must be a function, got ${describeValue(o.fetchFunc)}`);
  if (o.compile !== undefined && typeof o.compile !== "boolean") throw new ValueError(`${op}: compile must be a boolean, got ${describeValue(o.compile)}`);
  return o;
}

function saveOptions(options: unknown, op: string): SaveOptions {
  if (options === undefined) return {};
  assertOptionsObject(options, op);
  const o = readOptions(options as SaveOptions, op, SAVE_KEYS);
  if (o.shardSize !== undefined && !(Number.isSafeInteger(o.shardSize) && o.shardSize > 0)) {
    throw new ValueError(`${op}: shardSize must be a positive integer (bytes), got ${describeValue(o.shardSize)}`);
  }
  if (o.includeOptimizer !== undefined && typeof o.includeOptimizer !== "boolean") {
    throw new ValueError(`${op}: includeOptimizer must be a boolean, got ${describeValue(o.includeOptimizer)}`);
  }
  return o;
}

/** `model`, or a ValueError naming `op`. */
export function checkModel(model: unknown, op: string): Model {
  if (!(model instanceof Model)) throw new ValueError(`${op}: expects a Model, got ${describeValue(model)}`);
  return model;
}

const WEIGHTS_ONLY = (op: string, name: string, format: FileFormat): FileFormatError =>
  new FileFormatError(
    `${op}: ${name} is a ${format === "safetensors" ? "safetensors" : ".weights.h5"} file, which holds weights only: build the model and call model.loadWeights(...)`,
  );

// ---- loading ------------------------------------------------------------------------------------------------

/**
 * Loads a model: a `.keras`, legacy `.h5` or TF.js `model.json` file (a path on Node, an http(s) URL, bytes, a
 * File or a list of Files for model.json and its shards), `indexeddb://name`, or an IO handler with `load()`.
 * `const model = await tn.loadModel("model.keras")`
 */
export async function loadModel(source: ModelSource, options?: LoadOptions): Promise<Model> {
  const op = "loadModel";
  const o = loadOptions(options, op);
  if (typeof source === "string" && source.startsWith(INDEXEDDB_SCHEME)) {
    return artifactsToModel(await loadFromIndexedDb(indexedDbPath(source, op), op), `${op}: ${source}`, o);
  }
  if (typeof source === "string" && source.startsWith(DOWNLOADS_SCHEME)) {
    throw new ValueError(`${op}: downloads:// is for saving; load from a File (an <input type=file>), a URL or indexeddb://`);
  }
  if (isHandler(source)) {
    if (typeof source.load !== "function") throw new ValueError(`${op}: the IO handler has no load() method`);
    return artifactsToModel(await source.load(), `${op}: IO handler`, o);
  }
  if (Array.isArray(source)) return loadFromFiles(source as readonly BlobLike[], op, o);
  if (typeof source === "string" && formatOfName(source) === "tfjs") {
    const { bytes, name } = await readSingle(source, op, o);
    return loadModelJson(bytes, name, shardReader(isUrl(source) ? source : stripFileScheme(source), op, o), o);
  }
  const { bytes, name } = await readSingle(source as string | Uint8Array | ArrayBuffer | BlobLike, op, o);
  const format = detectFormat(o.fileName ?? name, bytes, op);
  const fileName = o.fileName ?? name;
  switch (format) {
    case "keras":
      return (await kerasFormats(op)).loadKeras(bytes, { fileName, compile: o.compile });
    case "h5":
      return (await kerasFormats(op)).loadLegacyH5(bytes, { fileName, compile: o.compile });
    case "tfjs":
      return loadModelJson(bytes, fileName, async (path) => {
        throw new ValueError(`${op}: ${fileName} names the weight file '${path}'; give a path, a URL or the list of files so it can be read`);
      }, o);
    default:
      throw WEIGHTS_ONLY(op, fileName, format);
  }
}

async function loadModelJson(bytes: Uint8Array, name: string, read: (path: string) => Promise<Uint8Array>, o: LoadOptions): Promise<Model> {
  const where = `loadModel: ${name}`;
  const parsed = parseModelJson(parseJson(decodeUtf8(bytes, where), where), where);
  const artifacts = await loadShards(parsed, read, where);
  return artifactsToModel(artifacts, where, o);
}

/** A model.json and its shards given as browser Files (TF.js's `browserFiles`), or a single file of another format. */
async function loadFromFiles(files: readonly BlobLike[], op: string, o: LoadOptions): Promise<Model> {
  if (!files.every(isBlobLike) || files.length === 0) throw new ValueError(`${op}: a list source must hold Files (model.json and its weight files), got ${describeValue(files)}`);
  if (files.length === 1) return loadModel(files[0], o);
  const json = files.find((f) => formatOfName(f.name ?? "") === "tfjs");
  if (json === undefined) throw new ValueError(`${op}: among several files, one must be the model.json (got ${files.map((f) => f.name ?? "?").join(", ")})`);
  return loadModelJson(new Uint8Array(await json.arrayBuffer()), json.name ?? "model.json", shardReader(files, op), o);
}

// ---- saving -------------------------------------------------------------------------------------------------

/** `model.save(target)`: see the header. */
async function saveModel(model: Model, target: SaveTarget, options?: Record<string, unknown>): Promise<void> {
  const op = `${model.name}.save`;
  const o = saveOptions(options, op);
  if (isHandler(target)) {
    if (typeof target.save !== "function") throw new ValueError(`${op}: the IO handler has no save() method`);
    await target.save(modelToArtifacts(model));
    return;
  }
  if (typeof target !== "string" || target.length === 0) {
    throw new ValueError(`${op}: target must be a path, a URL (indexeddb://, downloads://, http(s)://) or an IO handler, got ${describeValue(target)}`);
  }
  if (target.startsWith(INDEXEDDB_SCHEME)) {
    const artifacts = modelToArtifacts(model);
    await saveToIndexedDb(indexedDbPath(target, op), artifacts, artifactsInfo(artifacts), op);
    return;
  }
  if (target.startsWith(DOWNLOADS_SCHEME)) return downloadModel(model, downloadName(target), op, o);
  if (isUrl(target)) {
    await postModel(model, target, o, op);
    return;
  }
  const path = stripFileScheme(target);
  const format = formatOfName(path);
  switch (format) {
    case "keras":
      return writeFileAtomic(path, [await (await kerasFormats(op)).saveKeras(model, { includeOptimizer: o.includeOptimizer })], op);
    case "tfjs":
      return saveModelJson(modelToArtifacts(model), path, o.shardSize ?? DEFAULT_SHARD_BYTES, op);
    case "h5":
      return writeFileAtomic(path, [await (await kerasFormats(op)).saveLegacyH5(model, { includeOptimizer: o.includeOptimizer })], op);
    case "weights-h5":
    case "safetensors":
      throw new ValueError(`${op}: '${path}' names a weights-only format; use model.saveWeights('${path}'), or save the model as .keras or model.json`);
    default:
      throw new ValueError(`${op}: cannot tell the format of '${path}' from its name; use a .keras, .h5 or .json (TF.js model.json) file name`);
  }
}

/** Shard names carry a per-save id, so a save never overwrites the shards an older model.json still points to. */
function shardNames(stem: string, count: number): string[] {
  const id = new Uint32Array(1);
  globalThis.crypto.getRandomValues(id);
  const tag = id[0].toString(16).padStart(8, "0");
  return Array.from({ length: count }, (_, i) => `${stem}-${tag}.group1-shard${i + 1}of${count}.bin`);
}

/** Writes model.json and its shards: the shards first, then model.json (atomically), then the old shards go. */
async function saveModelJson(artifacts: ModelArtifacts, path: string, shardSize: number, op: string): Promise<void> {
  const dir = dirOf(path);
  const stem = baseOf(path).replace(/\.json$/i, "");
  const shards = shardBytes(new Uint8Array(artifacts.weightData as ArrayBuffer), shardSize);
  const names = shardNames(stem, shards.length);
  const previous = await previousShards(path, stem, op);
  try {
    for (let i = 0; i < shards.length; i++) await writeFileAtomic(joinPath(dir, names[i]), [shards[i]], op);
    await writeFileAtomic(path, [encodeUtf8(JSON.stringify(modelJsonFor(artifacts, names)))], op);
  } catch (error) {
    for (const name of names) await removeFile(joinPath(dir, name), op).catch(() => undefined);
    throw error;
  }
  for (const name of previous) if (!names.includes(name)) await removeFile(joinPath(dir, name), op).catch(() => undefined);
}

/** The shard files an existing model.json at `path` lists that this writer made (only those are ever removed). */
async function previousShards(path: string, stem: string, op: string): Promise<string[]> {
  if (!(await fileExists(path, op))) return [];
  try {
    const json = JSON.parse(decodeUtf8(await readFile(path, op), path)) as { weightsManifest?: { paths?: unknown[] }[] };
    const pattern = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{8}\\.group\\d+-shard\\d+of\\d+\\.bin$`);
    return (json.weightsManifest ?? []).flatMap((g) => (g.paths ?? []).filter((p): p is string => typeof p === "string" && pattern.test(p)));
  } catch {
    return [];
  }
}

/** TF.js's browserDownloads: `name.json` (or a `.keras` or `.h5` file when the name says so). */
async function downloadModel(model: Model, name: string, op: string, o: SaveOptions): Promise<void> {
  const format = formatOfName(name);
  if (format === "keras" || format === "h5") {
    const keras = await kerasFormats(op);
    const options = { includeOptimizer: o.includeOptimizer };
    const data = format === "keras" ? await keras.saveKeras(model, options) : await keras.saveLegacyH5(model, options);
    downloadFiles([{ name, data, type: "application/octet-stream" }], op);
    return;
  }
  const stem = name.replace(/\.json$/i, "");
  const artifacts = modelToArtifacts(model);
  const weightsName = `${stem}.weights.bin`;
  const json = encodeUtf8(JSON.stringify(modelJsonFor(artifacts, [`./${weightsName}`])));
  downloadFiles(
    [
      { name: `${stem}.json`, data: json, type: "application/json" },
      { name: weightsName, data: new Uint8Array(artifacts.weightData), type: "application/octet-stream" },
    ],
    op,
  );
}

/** TF.js's `http` handler: POSTs model.json and model.weights.bin as multipart form data. */
async function postModel(model: Model, url: string, o: SaveOptions, op: string): Promise<SaveResult> {
  const artifacts = modelToArtifacts(model);
  const form = new FormData();
  const json = JSON.stringify(modelJsonFor(artifacts, ["./model.weights.bin"]));
  form.append("model.json", new Blob([json], { type: "application/json" }), "model.json");
  form.append("model.weights.bin", new Blob([artifacts.weightData], { type: "application/octet-stream" }), "model.weights.bin");
  const f = o.fetchFunc ?? (globalThis as { fetch?: FetchLike }).fetch;
  if (typeof f !== "function") throw new ValueError(`${op}: saving to '${url}' needs fetch (give options.fetchFunc)`);
  const response = await f(url, { method: "POST", ...(o.requestInit ?? {}), body: form });
  if (!response.ok) throw new ValueError(`${op}: saving to '${url}' failed with HTTP ${response.status}`);
  return { modelArtifactsInfo: artifactsInfo(artifacts), responses: [response] };
}

// ---- weights ------------------------------------------------------------------------------------------------

/** `model.saveWeights(target)`: `.safetensors` or `.weights.h5`. */
async function saveWeights(model: Model, target: SaveTarget, options?: Record<string, unknown>): Promise<void> {
  const op = `${model.name}.saveWeights`;
  saveOptions(options, op);
  if (typeof target !== "string" || target.length === 0) throw new ValueError(`${op}: target must be a file path ending in .safetensors or .weights.h5, got ${describeValue(target)}`);
  const downloads = target.startsWith(DOWNLOADS_SCHEME);
  const path = downloads ? downloadName(target) : stripFileScheme(target);
  const format = formatOfName(path);
  let bytes: Uint8Array;
  if (format === "safetensors") bytes = safetensorsOf(model);
  else if (format === "weights-h5") bytes = await (await kerasFormats(op)).saveKerasWeights(model);
  else throw new ValueError(`${op}: '${path}' must end in .safetensors or .weights.h5 (the weights-only formats)`);
  if (downloads) downloadFiles([{ name: path, data: bytes, type: "application/octet-stream" }], op);
  else if (target.startsWith(INDEXEDDB_SCHEME) || isUrl(target)) throw new ValueError(`${op}: weights can be saved to a path or downloads://, not '${target}'`);
  else await writeFileAtomic(path, [bytes], op);
}

/** The model's weights as a safetensors file (keys as in weights.ts). */
export function safetensorsOf(model: Model): Uint8Array {
  return writeSafetensors(weightArrays(model), { format: "tensile" });
}

/** `model.loadWeights(source)`: `.safetensors`, `.weights.h5` or a legacy `.h5`, from a path, URL, File or bytes. */
async function loadWeights(model: Model, source: ModelSource, options?: Record<string, unknown>): Promise<void> {
  const op = `${model.name}.loadWeights`;
  const o = loadOptions(options, op);
  if (isHandler(source) || Array.isArray(source) || (typeof source === "string" && (source.startsWith(INDEXEDDB_SCHEME) || source.startsWith(DOWNLOADS_SCHEME)))) {
    throw new ValueError(`${op}: weights load from a .safetensors or .weights.h5 file (path, URL, File or bytes), got ${describeValue(source)}`);
  }
  const { bytes, name } = await readSingle(source as string | Uint8Array | ArrayBuffer | BlobLike, op, o);
  const fileName = o.fileName ?? name;
  const format = detectFormat(fileName, bytes, op);
  if (format === "safetensors") {
    loadSafetensorsInto(model, bytes, `${op}: ${fileName}`, fileName, o.strict);
    return;
  }
  if (format === "weights-h5" || format === "h5") {
    await (await kerasFormats(op)).loadKerasWeights(model, bytes, { fileName });
    return;
  }
  throw new FileFormatError(`${op}: ${fileName} is a ${format === "keras" ? ".keras" : "model.json"} model file; load it with tn.loadModel, or save weights as .safetensors or .weights.h5`);
}

/** Loads the tensors of a safetensors file into the model's weights (by key). */
function loadSafetensorsInto(model: Model, source: Uint8Array, where: string, fileName: string, strict?: boolean): void {
  const data = asBytes(source, where, "data");
  const header = readSafetensorsHeader(data, fileName);
  // File order is data order (header keys can be reordered by JSON parsing).
  const entries = [...header.entries].sort((a, b) => a.begin - b.begin);
  const tensors = entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype, read: () => readSafetensorsEntry(data, e) }));
  assignWeights(model, tensors, where, { strict });
}

/** The ModelIO src/models calls for `model.save`, `saveWeights` and `loadWeights`. */
export const modelIO: ModelIO = {
  save: (model, target, options) => saveModel(checkModel(model, "save"), target as SaveTarget, options),
  saveWeights: (model, target, options) => saveWeights(checkModel(model, "saveWeights"), target as SaveTarget, options),
  loadWeights: (model, source, options) => loadWeights(checkModel(model, "loadWeights"), source as ModelSource, options),
};
