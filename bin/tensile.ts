/**
 * The `tensile` command-line tool.
 *
 *   tensile summary FILE     the model's table of layers (.keras, .h5, model.json), or a safetensors file's tensors
 *   tensile convert IN OUT   converts a model: IN .keras, .h5 or model.json; OUT .keras, .h5 (legacy Keras),
 *                            model.json (TF.js), .safetensors or .weights.h5 (weights only)
 *
 * Exit codes: 0 success, 1 a file could not be read, converted or written, 2 bad arguments.
 */
import { TensileError } from "../src/core/errors.js";
import type { SafetensorsHeader } from "../src/io/safetensors.js";
import { formatOfName } from "../src/io/sources.js";

/** The library, loaded once the arguments are known to be good (so usage errors answer at once). */
async function library() {
  await import("../src/node.js");
  const io = await import("../src/io/index.js");
  const files = await import("../src/io/files.js");
  return { loadModel: io.loadModel, readSafetensorsHeader: io.readSafetensorsHeader, readFile: files.readFile };
}

const USAGE = `Usage: tensile <command> [arguments]

Commands:
  summary FILE        print the model's layers, output shapes and parameter counts
                      (FILE: .keras, .h5, model.json; or .safetensors: its tensors)
  convert IN OUT      convert a model between formats
                      (IN: .keras, .h5, model.json; OUT: .keras, .h5, model.json, .safetensors, .weights.h5)

Options:
  -h, --help          show this help
  --version           show Tensile's version`;

const VERSION = "0.1.0";

/** A wrong command line (exit code 2). */
class UsageError extends Error {}

async function summary(args: string[], out: (text: string) => void): Promise<void> {
  if (args.length !== 1) throw new UsageError(`summary takes one FILE, got ${args.length} arguments`);
  const [file] = args;
  const format = formatOfName(file);
  if (format === "weights-h5") {
    throw new TensileError(`tensile summary: ${file} holds weights without an architecture; summarize the model file (.keras, .h5, model.json) instead`);
  }
  const lib = await library();
  if (format === "safetensors") {
    out(tensorTable(lib.readSafetensorsHeader(await lib.readFile(file, "tensile summary"), file), file));
    return;
  }
  const model = await lib.loadModel(file);
  model.summary({ printFn: out });
}

/** A safetensors file's tensors: name, dtype, shape, element count. */
function tensorTable(header: SafetensorsHeader, file: string): string {
  const rows = header.entries.map((e) => [e.name, e.fileDType, `(${e.shape.join(", ")})`, String(e.shape.reduce((a, b) => a * b, 1))]);
  const head = ["Tensor", "dtype", "Shape", "Elements"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  const total = header.entries.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
  const meta = [...header.metadata].map(([k, v]) => `  ${k}: ${v.length > 80 ? `${v.slice(0, 77)}...` : v}`);
  return [
    `safetensors: ${file}`,
    line(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    `Total: ${header.entries.length} tensors, ${total} elements`,
    ...(meta.length > 0 ? ["Metadata:", ...meta] : []),
  ].join("\n");
}

async function convert(args: string[], out: (text: string) => void): Promise<void> {
  if (args.length !== 2) throw new UsageError(`convert takes IN and OUT, got ${args.length} arguments`);
  const [input, output] = args;
  const outFormat = formatOfName(output);
  if (outFormat === null) {
    throw new UsageError(`cannot write '${output}': OUT must end in .keras, .h5, .json (TF.js model.json), .safetensors or .weights.h5`);
  }
  const inFormat = formatOfName(input);
  if (inFormat === "safetensors" || inFormat === "weights-h5") {
    throw new TensileError(`tensile convert: ${input} holds weights without an architecture; convert from a model file (.keras, .h5, model.json)`);
  }
  const model = await (await library()).loadModel(input);
  if (outFormat === "safetensors" || outFormat === "weights-h5") await model.saveWeights(output);
  else await model.save(output);
  out(`Converted ${input} → ${output} (${model.countParams()} parameters)`);
}

/** Runs the command line; returns the exit code. */
async function main(argv: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "-h" || command === "--help" || command === "help") {
      (command === undefined ? err : out)(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === "--version") {
      out(VERSION);
      return 0;
    }
    if (command === "summary") await summary(rest, out);
    else if (command === "convert") await convert(rest, out);
    else throw new UsageError(`unknown command '${command}'`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`tensile: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof TensileError) {
      err(`tensile: ${error.message}`);
      return 1;
    }
    err(`tensile: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2), (t) => console.log(t), (t) => console.error(t));
process.exitCode = code;
