/**
 * h5wasm (the HDF5 library, a large WebAssembly module) loads only when an HDF5 file is read or written: a child
 * process records every module resolved into the h5wasm package (lazy/hooks.mjs) while it saves and loads
 * model.json and safetensors files (none may appear), then a .keras file (h5wasm must appear, which shows the
 * hook sees it).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

function run(mode: string, log: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const args = ["--import", "tsx", "--import", join(here, "lazy/register.mjs"), join(here, "lazy/child.ts"), mode];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TENSILE_MODULE_LOG: log } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("h5wasm is not loaded by model.json and safetensors saves and loads; a .keras save loads it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tensile-lazy-log-"));
  const plainLog = join(dir, "plain.log");
  const kerasLog = join(dir, "keras.log");
  const [plain, keras] = await Promise.all([run("plain", plainLog), run("keras", kerasLog)]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /plain done/);
  assert.equal(existsSync(plainLog) ? readFileSync(plainLog, "utf8") : "", "", "no h5wasm module was resolved");
  assert.equal(keras.code, 0, keras.stderr);
  assert.match(keras.stdout, /keras done/);
  assert.match(readFileSync(kerasLog, "utf8"), /node_modules[\\/]h5wasm[\\/]/);
});
