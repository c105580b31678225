import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tn from "../../src/index.js";
import * as data from "../../src/data/node/index.js";
import type * as nodeImage from "../../src/data/image/node.js";
import { assertClose } from "../helpers/assert.js";
import { CHUNK_MAX } from "../../src/data/parallel/pool.js";
import { WORKER_NICE } from "../../src/data/parallel/protocol.js";
import { dataPlatform, setDataPlatform } from "../../src/data/platform.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const FNS = new URL("./worker-fns.ts", import.meta.url);

// Track the worker threads started and stopped, and the elements of each task message sent to them.
const running: boolean[] = [];
const chunks: number[] = [];
const threads = {
  get started(): number {
    return running.length;
  },
};
const create = dataPlatform().createWorker!;
setDataPlatform({
  createWorker: () => {
    const handle = create();
    const k = running.push(true) - 1;
    return {
      ...handle,
      post: (message, transfer) => {
        const m = message as { type: string; elements?: unknown[] };
        if (m.type === "task") chunks.push(m.elements!.length);
        handle.post(message, transfer);
      },
      terminate: () => {
        running[k] = false;
        handle.terminate();
      },
    };
  },
});
/** Workers started since `mark` (a `threads.started` value) and still running. */
const liveSince = (mark: number): number => running.slice(mark).filter(Boolean).length;

function plain(v: unknown): unknown {
  if (v instanceof tn.Tensor) return { dtype: v.dtype, values: v.arraySync() };
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail("expected an error");
}

test("map({parallel: 2}) gives the serial results in order; tensors, objects and strings cross; the pool serves later epochs", async () => {
  const source = data.fromTensorSlices({ x: tn.tensor([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14]]), id: ["a", "b", "c", "d", "e", "f", "g"] });
  // Self-contained: only its argument and `tn` (the ops, injected in the worker).
  const fn = ({ x, id }: { x: tn.Tensor; id: string }): { y: tn.Tensor; n: tn.Tensor; id: string } => ({
    y: tn.mul(x, 2),
    n: tn.cast(tn.sum(x), "int32"),
    id: id.toUpperCase(),
  });
  const parallel = source.map(fn, { parallel: 2 });
  assert.equal(parallel.size, 7);
  const serial = (await source.map(fn).toArray()).map(plain);
  const started = threads.started;
  assert.deepEqual((await parallel.toArray()).map(plain), serial);
  assert.equal(threads.started - started, 2, "two worker threads");
  assert.deepEqual((serial[6] as { n: unknown }).n, { dtype: "int32", values: 27 });
  // The next iteration (epoch) reuses the parked workers.
  assert.deepEqual((await parallel.batch(7).toArray()).length, 1);
  assert.equal(threads.started - started, 2);
  // A module export, given as a URL or a path; ordered: false yields everything, as results finish.
  const tripled = await source.map<{ x: tn.Tensor; label: string }>({ module: FNS, export: "triple" }, { parallel: 2 }).toArray();
  assert.deepEqual(tripled.map((e) => plain(e.x)), (await source.toArray()).map((e) => plain(tn.mul(e.x, 3))));
  const unordered = await data.range(12).map(async (n: number) => {
    await new Promise((r) => setTimeout(r, n === 0 ? 150 : 1));
    return n * n;
  }, { parallel: 2, ordered: false }).toArray();
  assert.deepEqual([...unordered].sort((a, b) => a - b), [0, 1, 4, 9, 16, 25, 36, 49, 64, 81, 100, 121]);
  assert.notEqual(unordered[0], 0, "the slow first element does not hold the others back");
});

test("parallel map sends a cheap function's elements in chunks: same results, errors name the element, few messages", async () => {
  const n = 3000;
  const source = data.fromTensorSlices(tn.randomUniform([n, 4], -1, 1, "float32", 5));
  const fn = (x: tn.Tensor): tn.Tensor => tn.relu(tn.mul(x, 3));
  const serial = (await source.map(fn).batch(500).toArray()).map(plain);
  const mark = chunks.length;
  const parallel = (await source.map(fn, { parallel: 2 }).batch(500).toArray()).map(plain);
  assert.deepEqual(parallel, serial);
  const sent = chunks.slice(mark);
  assert.equal(sent.reduce((a, b) => a + b, 0), n, "every element sent once");
  assert.equal(sent[0], 1, "the first chunk holds one element (the function is not timed yet)");
  assert.ok(sent.length < n / 8, `${sent.length} messages for ${n} elements`);
  assert.ok(Math.max(...sent) <= CHUNK_MAX);
  // An error inside a chunk: the elements before it arrive in order, the error names its element.
  const seen: number[] = [];
  const e = await caught(
    (async () => {
      for await (const v of data.range(2000).map((k: number) => {
        if (k === 1234) throw new RangeError(`bad ${k}`);
        return k * 2;
      }, { parallel: 2 })) seen.push(v);
    })(),
  );
  assert.match(e.message, /map: the function threw on element 1234 \(in worker thread \d\): RangeError: bad 1234/);
  assert.equal((e as data.PipelineError).index, 1234);
  assert.deepEqual(seen, Array.from({ length: 1234 }, (_, k) => 2 * k));
  // Unordered, chunked: every element once.
  const unordered = await data.range(1000).map((k: number) => k + 1, { parallel: 2, ordered: false }).toArray();
  assert.deepEqual([...unordered].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, k) => k + 1));
  // An element that cannot be sent (a function) fails with its own index, even inside a chunk.
  const withFn = data.range(600).map((k: number) => (k === 500 ? { f: () => k } : { f: k }));
  const e2 = await caught(withFn.map((x: { f: unknown }) => x, { parallel: 2 }).toArray());
  assert.match(e2.message, /map: element 500 cannot be sent to a worker thread: .*could not be cloned/);
});

test("parallel map: workers run below the main thread's priority on Linux (lowPriority: false keeps it)", { skip: process.platform !== "linux" }, async () => {
  const main = getPriority(0);
  const niceness = { module: FNS, export: "niceness" };
  const low = await data.range(2).map<number>(niceness, { parallel: 2 }).toArray();
  const normal = await data.range(2).map<number>(niceness, { parallel: 2, lowPriority: false }).toArray();
  const lowered = Math.min(19, main + WORKER_NICE);
  assert.deepEqual(low, [lowered, lowered]);
  assert.deepEqual(normal, [main, main]);
  assert.equal(getPriority(0), main, "the main thread's priority is unchanged");
  assert.throws(() => data.range(2).map((x: number) => x, { parallel: 2, lowPriority: 1 as never }), /map: lowPriority must be a boolean, got 1/);
});

test("a function sent as source text uses tn.image in the worker: the same results as on the main thread", async () => {
  const images = tn.randomUniform([5, 10, 12, 3], 0, 255, "float32", 7);
  const source = data.fromTensorSlices({ img: images, i: tn.range(0, 5, 1, "int32") });
  // Every helper family: geometry (crop, resize, flips), the affine transform (rotation), color; seeded per element.
  const augment = ({ img, i }: { img: tn.Tensor; i: tn.Tensor }): { a: tn.Tensor; b: tn.Tensor; c: tn.Tensor } => {
    const seed = 100 + i.dataSync()[0];
    const cropped = tn.image.randomCrop(img, [8, 8], { seed });
    const resized = tn.image.resize(tn.image.centerCrop(img, [9, 9]), [6, 7], { method: "bilinear" });
    const turned = tn.image.randomRotation(tn.image.randomFlipLeftRight(cropped, { seed: seed + 1 }), 25, { seed: seed + 2 });
    const colored = tn.image.randomContrast(tn.image.randomBrightness(tn.image.rescale(turned, 1 / 255), 0.2, { seed: seed + 3 }), 0.7, 1.3, { seed: seed + 4 });
    return {
      a: tn.image.normalize(colored, { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] }),
      b: tn.image.flipUpDown(tn.image.rotate(resized, 90)),
      c: tn.image.adjustContrast(tn.image.adjustBrightness(tn.image.resize(img, [4, 4], { method: "nearest" }), 3), 1.5),
    };
  };
  const started = threads.started;
  const inWorkers = await source.map(augment, { parallel: 2 }).toArray();
  assert.equal(threads.started - started, 2);
  const onMain = await source.map(augment).toArray();
  assert.equal(inWorkers.length, 5);
  for (let k = 0; k < 5; k++) {
    for (const key of ["a", "b", "c"] as const) {
      assert.deepEqual(inWorkers[k][key].shape, onMain[k][key].shape);
      assertClose(inWorkers[k][key], onMain[k][key], { atol: 1e-5, rtol: 1e-5, message: `element ${k}, ${key}` });
    }
  }
  // The seeds differ per element, so the random helpers did not all draw the same (a test of the comparison itself).
  assert.notDeepEqual(onMain[0].a.arraySync(), onMain[1].a.arraySync());
});

test("on Node, the worker's tn.image also reads files (readImage): decoding in parallel matches the main thread", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tensile-worker-image-"));
  try {
    const pictures = [0, 1, 2, 3].map((k) => tn.cast(tn.randomUniform([5 + k, 4, 3], 0, 256, "int32", 20 + k), "uint8"));
    const paths = pictures.map((p, k) => {
      const path = join(dir, `p${k}.png`);
      writeFileSync(path, tn.image.encodePng(p));
      return path;
    });
    const read = async (path: string): Promise<tn.Tensor> => (tn.image as typeof nodeImage).readImage(path, { channels: 1 });
    const decoded = await data.array(paths).map(read, { parallel: 2 }).toArray();
    for (let k = 0; k < 4; k++) {
      const gray = tn.image.decodePng(tn.image.encodePng(pictures[k]), { channels: 1 });
      assert.equal(decoded[k].dtype, "uint8");
      assert.deepEqual(decoded[k].arraySync(), gray.arraySync());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("parallel map: a throwing function surfaces its error with the element's index; nothing hangs", async () => {
  const mark = threads.started;
  const seen: number[] = [];
  const ds = data.range(8).map((n: number) => {
    if (n === 5) throw new RangeError(`no ${n}`);
    return n;
  }, { parallel: 2 });
  let error: Error | null = null;
  try {
    for await (const n of ds) seen.push(n);
  } catch (e) {
    error = e as Error;
  }
  assert.ok(error instanceof data.PipelineError, String(error));
  assert.match(error.message, /map: the function threw on element 5 \(in worker thread \d\): RangeError: no 5/);
  assert.equal((error as data.PipelineError).index, 5);
  assert.equal(((error as data.PipelineError).cause as Error).name, "RangeError");
  assert.deepEqual(seen, [0, 1, 2, 3, 4], "the elements before it were delivered in order");
  // A function using a variable from its scope fails in the worker, and the error says why.
  const factor = 3;
  const e2 = await caught(data.range(3).map((n: number) => n * factor, { parallel: 2 }).toArray());
  assert.match(e2.message, /ReferenceError: factor is not defined; the function was sent to the worker as source text, so it cannot use variables/);
  // Module functions: an error, a worker thread that exits, a missing export.
  const e3 = await caught(data.range(6).map({ module: fileURLToPath(FNS), export: "dispatch" }, { parallel: 2 }).toArray());
  assert.match(e3.message, /element 3 .*TypeError: dispatch cannot take 3/);
  const e4 = await caught(data.array([5, 0, 1]).map({ module: FNS, export: "dispatch" }, { parallel: 2 }).toArray());
  assert.match(e4.message, /map: worker thread \d failed: Error: the worker thread exited with code 7/);
  const e5 = await caught(data.range(2).map({ module: FNS, export: "nope" }, { parallel: 2 }).toArray());
  assert.match(e5.message, /the function could not be set up in worker thread \d: TypeError: .*worker-fns\.ts has no function export 'nope' \(its function exports: dispatch, niceness, triple\)/);
  assert.throws(() => data.range(2).map(Math.sqrt, { parallel: 2 }), /map: a function run on workers must have source text, got a native or bound function/);
  assert.equal(liveSince(mark), 0, "failed iterations stop their workers");
});

test("parallel map: a function that never returns fails with the timeout and its worker is stopped", async () => {
  const mark = threads.started;
  const t0 = performance.now();
  const e = await caught(data.array([0, 4, 1]).map({ module: FNS, export: "dispatch" }, { parallel: 2, timeout: 300 }).toArray());
  assert.ok(e instanceof data.PipelineError);
  assert.match(e.message, /map: element 1 did not finish within 300 ms \(timeout\) in worker thread \d, which was stopped/);
  assert.equal((e as data.PipelineError).index, 1);
  assert.ok(performance.now() - t0 < 20_000);
  // A synchronous endless loop too (only a worker can be stopped mid-loop).
  const e2 = await caught(data.range(3).map((n: number) => {
    while (n === 2) {
      /* forever */
    }
    return n;
  }, { parallel: 2, timeout: 300 }).toArray());
  assert.match(e2.message, /element 2 did not finish within 300 ms/);
  assert.equal(liveSince(mark), 0);
});

test("parallel map: stopping early (break, take) stops the workers; at most ~2n elements are in flight", async () => {
  const mark = threads.started;
  let pulled = 0;
  const counted = data.fromGenerator(function* () {
    for (let i = 0; i < 1000; i++) {
      pulled++;
      yield i;
    }
  });
  // A function slow enough (≥ 1 ms) to travel one element per message: at most 2n = 4 in flight.
  const ds = counted.map(async (n: number) => {
    await new Promise((r) => setTimeout(r, 3));
    return n + 1;
  }, { parallel: 2 });
  for await (const n of ds) {
    if (n === 1) {
      await new Promise((r) => setTimeout(r, 200)); // a slow consumer
      assert.ok(pulled <= 6, `pulled ${pulled} elements ahead of a slow consumer`);
    }
    if (n === 3) break;
  }
  // A cheap function travels in chunks: still bounded (2n chunks in flight and the one being read, each of at most
  // CHUNK_MAX elements), far from all 1000.
  pulled = 0;
  for await (const n of counted.map((n: number) => n + 1, { parallel: 2 })) {
    if (n === 200) {
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(pulled <= 200 + 5 * CHUNK_MAX + 2, `pulled ${pulled} elements ahead of a slow consumer`);
      break;
    }
  }
  assert.equal(liveSince(mark), 0, "break stopped the workers");
  assert.deepEqual(await ds.take(2).toArray(), [1, 2]);
  assert.equal(liveSince(mark), 0, "take stopped the workers");
  assert.deepEqual(await ds.prefetch(3).take(2).toArray(), [1, 2]);
  assert.equal(liveSince(mark), 0, "take after prefetch stopped the workers");
});

test("parallel map leaves nothing that keeps the process alive (finished, stopped and abandoned iterations)", () => {
  const script = `
    import * as data from ${JSON.stringify(join(HERE, "../../src/data/node/index.ts"))};
    const ds = data.range(20).map((n) => n * 2, { parallel: 2 });
    const all = await ds.toArray();
    for await (const x of ds) if (x === 4) break;
    const it = data.range(100).map((n) => n, { parallel: 2 })[Symbol.asyncIterator]();
    await it.next();
    console.log("done", all.length);
  `;
  const t0 = performance.now();
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000, cwd: join(HERE, "../..") });
  assert.equal(child.status, 0, `exit ${child.status} ${child.signal ?? ""}: ${child.stderr}`);
  assert.match(child.stdout, /done 20/);
  assert.ok(performance.now() - t0 < 60_000);
});
