/** `loadModel` and `model.save` dispatch: formats by name and by content, paths, URLs, Files and IO handlers. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tn from "../../src/index.js";
import * as io from "../../src/io/index.js";
import { inputsFor, mlp, predictValues, randomizeWeights } from "./models.js";

const dir = mkdtempSync(join(tmpdir(), "tensile-load-"));
const model = mlp();
randomizeWeights(model, 31);
const x = inputsFor("mlp");
const expected = predictValues(model, x);
const folder = join(dir, "tfjs");
await model.save(join(folder, "model.json"));

test("formats are told by name, and by content for bytes", () => {
  assert.deepEqual(
    ["a.keras", "a.weights.h5", "a.H5", "a.hdf5", "model.json", "w.safetensors", "http://h/m.json?v=2", "a.bin"].map(io.formatOfName),
    ["keras", "weights-h5", "h5", "h5", "tfjs", "safetensors", "tfjs", null],
  );
  const bytes = (xs: number[]) => new Uint8Array(xs);
  assert.equal(io.formatOfBytes(bytes([0x50, 0x4b, 3, 4, 0])), "keras");
  assert.equal(io.formatOfBytes(bytes([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])), "h5");
  assert.equal(io.formatOfBytes(io.writeSafetensors([])), "safetensors");
  assert.equal(io.formatOfBytes(new TextEncoder().encode('  {"modelTopology": {}}')), "tfjs");
  assert.equal(io.formatOfBytes(bytes([1, 2, 3])), null);
});

test("loadModel reads model.json from a path, a file:// URL, and browser Files (model.json + shards)", async () => {
  assert.deepEqual(predictValues(await io.loadModel(join(folder, "model.json")), x), expected);
  assert.deepEqual(predictValues(await io.loadModel(`file://${join(folder, "model.json")}`), x), expected);
  const files = readdirSync(folder).map((name) => new File([readFileSync(join(folder, name))], name));
  assert.deepEqual(predictValues(await io.loadModel(files), x), expected);
  await assert.rejects(io.loadModel(files.filter((f) => f.name.endsWith(".json"))), /names the weight file '.*\.bin'; give a path, a URL or the list of files/);
  await assert.rejects(io.loadModel(files.filter((f) => !f.name.endsWith(".json"))), /cannot tell the file's format/);
});

test("loadModel fetches model.json and its shards from http(s) URLs; model.save POSTs them as TF.js's http handler", async () => {
  const requests: string[] = [];
  let posted: Buffer | null = null;
  const server = createServer(async (req: IncomingMessage, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      posted = Buffer.concat(chunks);
      res.end("ok");
      return;
    }
    const path = join(folder, decodeURIComponent((req.url ?? "").replace(/^\/models\//, "")));
    if (!req.url?.startsWith("/models/") || !existsSync(path)) {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    res.end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const loaded = await io.loadModel(`${base}/models/model.json`);
    assert.deepEqual(predictValues(loaded, x), expected);
    assert.equal(requests.length, 2);
    assert.match(requests[1], /^GET \/models\/model-[0-9a-f]{8}\.group1-shard1of1\.bin$/);
    await assert.rejects(io.loadModel(`${base}/missing/model.json`), /fetching '.*\/missing\/model\.json' failed with HTTP 404/);
    await model.save(`${base}/upload`);
    const body = posted!.toString("latin1");
    assert.match(body, /name="model\.json"; filename="model\.json"/);
    assert.match(body, /name="model\.weights\.bin"; filename="model\.weights\.bin"/);
    assert.match(body, /"paths":\["\.\/model\.weights\.bin"\]/);
    assert.ok(posted!.length > model.countParams() * 4);
  } finally {
    server.close();
  }
});

test("loadModel and save refuse what they cannot do, with clear errors", async () => {
  const weights = join(dir, "w.safetensors");
  await model.saveWeights(weights);
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => io.loadModel(weights), /w\.safetensors is a safetensors file, which holds weights only: build the model and call model\.loadWeights/],
    [() => io.loadModel(io.writeSafetensors([])), /holds weights only/],
    [() => io.loadModel(new Uint8Array([9, 9, 9])), /cannot tell the file's format/],
    [() => io.loadModel(join(dir, "nothing.json")), /cannot read '.*nothing\.json': no such file or folder/],
    [() => io.loadModel("downloads://m"), /downloads:\/\/ is for saving/],
    [() => io.loadModel("indexeddb://m"), /indexeddb:\/\/ needs a browser with IndexedDB/],
    [() => io.loadModel({ save: async () => ({}) } as never), /the IO handler has no load\(\) method/],
    [() => io.loadModel(42 as never), /expects a path, a URL, bytes, a File or an IO handler, got 42/],
    [() => io.loadModel(join(folder, "model.json"), { strct: true } as never), /unknown option "strct"/],
    [() => model.save(join(dir, "m.safetensors")), /names a weights-only format; use model\.saveWeights/],
    [() => model.save(join(dir, "m.bin")), /cannot tell the format of '.*m\.bin' from its name/],
    [() => model.save("indexeddb://m"), /needs a browser with IndexedDB/],
    [() => model.save("downloads://m"), /downloads:\/\/ needs a browser page/],
    [() => model.save(join(dir, "m.json"), { shardSize: 0 }), /shardSize must be a positive integer/],
    [() => model.save(""), /target must be a path/],
  ];
  for (const [run, message] of cases) await assert.rejects(run(), (e: unknown) => e instanceof tn.TensileError && message.test((e as Error).message));
});

test("the Keras formats dispatch to src/io/keras (or say clearly that it is missing)", async () => {
  const kerasModule = join(dirname(fileURLToPath(import.meta.url)), "../../src/io/keras/index.ts");
  const path = join(dir, "m.keras");
  if (!existsSync(kerasModule)) {
    await assert.rejects(model.save(path), /the Keras formats \(\.keras, \.h5\) are not available/);
    return;
  }
  await model.save(path);
  assert.deepEqual(predictValues(await io.loadModel(path), x), expected);
  assert.deepEqual(predictValues(await io.loadModel(readFileSync(path)), x), expected, "bytes are recognized as a .keras zip");
  const h5 = join(dir, "m.h5");
  await model.save(h5);
  assert.deepEqual(predictValues(await io.loadModel(h5), x), expected);
  assert.deepEqual(predictValues(await io.loadModel(readFileSync(h5)), x), expected, "bytes are recognized as HDF5");
  // Keras's include_optimizer and compile options pass through.
  const compiled = mlp();
  compiled.compile({ optimizer: "adam", loss: "mse" });
  await compiled.fit(tn.ones([2, 4]), tn.ones([2, 3]), { epochs: 1, verbose: 0 });
  for (const file of [join(dir, "c.keras"), join(dir, "c.h5")]) {
    await compiled.save(file);
    assert.equal((await io.loadModel(file)).optimizer.iterations, 1, file);
    assert.equal((await io.loadModel(file, { compile: false })).isCompiled, false, file);
    await compiled.save(file, { includeOptimizer: false });
    assert.equal((await io.loadModel(file)).optimizer.iterations, 0, file);
  }
  await assert.rejects(compiled.save(h5, { includeOptimizer: "yes" }), /includeOptimizer must be a boolean, got "yes"/);
  await assert.rejects(io.loadModel(h5, { compile: 1 } as never), /compile must be a boolean, got 1/);
});
