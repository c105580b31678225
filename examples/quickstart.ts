/**
 * Quickstart: fit y = 2x + 1 by gradient descent with a GradientTape.   Run: npm run example
 */
import * as tn from "../src/index.js";

// Data: 32 points on the line y = 2x + 1, with a little deterministic "noise".
const xsArray = Array.from({ length: 32 }, (_, i) => i / 8 - 2);
const ysArray = xsArray.map((x, i) => 2 * x + 1 + 0.05 * Math.sin(7 * i));
const xs = tn.tensor(xsArray);
const ys = tn.tensor(ysArray);

// Parameters: variables are the mutable tensors a tape watches automatically.
const w = tn.variable(tn.tensor(0), { name: "w" });
const b = tn.variable(tn.tensor(0), { name: "b" });
const learningRate = 0.05;

console.log(`backend: ${tn.getBackend()}`);
for (let step = 0; step <= 60; step++) {
  const tape = new tn.GradientTape();
  const prediction = xs.mul(w).add(b);
  const loss = prediction.sub(ys).square().sum().div(xs.size); // mean squared error
  const [dw, db] = tape.gradient(loss, [w, b]);
  w.assign(w.sub(dw.mul(learningRate)));
  b.assign(b.sub(db.mul(learningRate)));
  if (step % 10 === 0) console.log(`step ${String(step).padStart(3)}  loss ${loss.dataSync()[0].toFixed(6)}`);
}
console.log(`learned w = ${w.dataSync()[0].toFixed(3)}, b = ${b.dataSync()[0].toFixed(3)} (true: 2, 1)`);
