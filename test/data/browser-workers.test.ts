/**
 * `map(fn, {parallel})` in a real browser: the same pool code over web workers. Bundles the page
 * (test/data/browser-entry.ts) and the worker script (src/data/parallel/worker-entry.ts) with esbuild for the
 * browser and serves them from a local HTTP server (module workers need a real origin) to headless Chromium
 * (TENSILE_CHROMIUM=/path, or TENSILE_SKIP_BROWSER=1 to skip).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import type { BrowserWorkersResult } from "./browser-entry.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.TENSILE_CHROMIUM ?? "/usr/bin/chromium";
const skip = process.env.TENSILE_SKIP_BROWSER === "1" ? "TENSILE_SKIP_BROWSER=1" : false;

async function bundle(entry: string): Promise<string> {
  const result = await build({ entryPoints: [entry], bundle: true, platform: "browser", format: "esm", target: "es2022", write: false, logLevel: "silent" });
  return result.outputFiles[0].text;
}

test("parallel map runs on web workers in headless Chromium: order, tensors, errors with the index", { skip, timeout: 120_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}; set TENSILE_CHROMIUM or TENSILE_SKIP_BROWSER=1`);
  const [page, worker] = await Promise.all([bundle(resolve(HERE, "browser-entry.ts")), bundle(resolve(HERE, "../../src/data/parallel/worker-entry.ts"))]);
  assert.doesNotMatch(worker, /\brequire\(|from\s*["']node:/, "the worker script references Node modules");
  const files: Record<string, string> = {
    "/": `<!doctype html><html><head><title>workers</title><script>globalThis.__workerUrl = "/worker.js";</script><script type="module" src="/page.js"></script></head><body></body></html>`,
    "/page.js": page,
    "/worker.js": worker,
  };
  const server = createServer((req, res) => {
    const body = files[req.url ?? ""];
    res.writeHead(body === undefined ? 404 : 200, { "content-type": req.url === "/" ? "text/html" : "text/javascript" });
    res.end(body ?? "");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await tab.waitForFunction(() => "__result" in globalThis, undefined, { timeout: 60_000 });
    const result = await tab.evaluate(() => (globalThis as unknown as { __result: BrowserWorkersResult }).__result);
    assert.equal(result.error, undefined, result.error);
    assert.deepEqual(errors, []);
    assert.deepEqual(result.squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    assert.deepEqual(result.doubled, [[0, 0], [2, 2], [4, 4], [6, 6]]);
    assert.equal(result.flipped?.page.length, 4);
    assert.deepEqual(result.flipped?.page[0].length, 3, "resized to 3 rows");
    assert.deepEqual(result.flipped?.worker, result.flipped?.page);
    assert.match(result.failure ?? "", /map: the function threw on element 3 \(in worker thread \d\): Error: three/);
  } finally {
    await browser.close();
    server.close();
  }
});
