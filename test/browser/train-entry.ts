/**
 * Runs in the browser (bundled by browser.test.ts): fits y = 3x - 1 with a one-weight linear model on the cpu
 * backend, using variables and a GradientTape, and publishes the losses on `globalThis.__tensile`.
 */
import * as tn from "../../src/index.js";

export interface BrowserTrainResult {
  backend: string;
  losses: number[];
  w: number;
  b: number;
  error?: string;
}

const target = globalThis as typeof globalThis & { __tensile?: BrowserTrainResult };

function train(): BrowserTrainResult {
  tn.setBackend("cpu");
  const xs = tn.tensor([-2, -1, -0.5, 0, 0.5, 1, 1.5, 2]);
  const ys = xs.mul(3).sub(1);
  const w = tn.variable(tn.tensor(0), { name: "w" });
  const b = tn.variable(tn.tensor(0), { name: "b" });
  const lr = 0.1;
  const losses: number[] = [];
  for (let step = 0; step < 60; step++) {
    const tape = new tn.GradientTape();
    const loss = xs.mul(w).add(b).sub(ys).square().sum().div(xs.size);
    const [dw, db] = tape.gradient(loss, [w, b]);
    w.assign(w.sub(dw.mul(lr)));
    b.assign(b.sub(db.mul(lr)));
    losses.push(loss.dataSync()[0]);
  }
  return { backend: tn.getBackend(), losses, w: w.dataSync()[0], b: b.dataSync()[0] };
}

try {
  target.__tensile = train();
} catch (error) {
  target.__tensile = { backend: "", losses: [], w: NaN, b: NaN, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) };
}
