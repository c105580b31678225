/**
 * Runs in headless Chromium (test/data/browser-workers.test.ts): `map(fn, {parallel: 2})` on web workers, whose
 * script (src/data/parallel/worker-entry.ts, bundled on its own) the page serves from a blob URL.
 */
import * as tn from "../../src/index.js";
import "../../src/index.js"; // the ops and the cpu backend (the namespace above is only used for types)
import * as data from "../../src/data/index.js";

export interface BrowserWorkersResult {
  squares?: number[];
  doubled?: number[][];
  /** tn.image in the web workers and on the page, for the same inputs. */
  flipped?: { worker: number[][][][]; page: number[][][][] };
  error?: string;
  failure?: string;
}

async function run(): Promise<BrowserWorkersResult> {
  data.setWorkerUrl((globalThis as unknown as { __workerUrl: string }).__workerUrl);
  const squares = await data.range(10).map((x: number) => x * x, { parallel: 2 }).toArray();
  // Bundlers rename imports, so a worker function reaches the ops through the `tn` the worker provides.
  const double = new Function("x", "return tn.mul(tn.fill([2], x, 'int32'), 2);") as (x: number) => tn.Tensor;
  const doubled = (await data.range(4).map(double, { parallel: 2 }).toArray()).map((t) => t.arraySync() as number[]);
  // tn.image in a web worker: seeded random flip + resize of a [2, 2, 1] image, against the page's own tn.image.
  const image = new Function(
    "x",
    "return tn.image.resize(tn.image.randomFlipLeftRight(tn.reshape(tn.range(0, 4, 1, 'float32'), [2, 2, 1]), {seed: x}), [3, 2], {method: 'nearest'});",
  ) as (x: number) => tn.Tensor;
  const worker = (await data.range(4).map(image, { parallel: 2 }).toArray()).map((t) => t.arraySync() as number[][][]);
  const page = (await data.range(4).map((x: number) => (new Function("tn", `return (${image.toString()})`)(tn) as typeof image)(x)).toArray()).map(
    (t) => t.arraySync() as number[][][],
  );
  let failure = "";
  try {
    await data.range(5).map((x: number) => {
      if (x === 3) throw new Error("three");
      return x;
    }, { parallel: 2 }).toArray();
  } catch (e) {
    failure = (e as Error).message;
  }
  return { squares, doubled, flipped: { worker, page }, failure };
}

run().then(
  (r) => Object.assign(globalThis, { __result: r }),
  (e: unknown) => Object.assign(globalThis, { __result: { error: String(e) } }),
);
