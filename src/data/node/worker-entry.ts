/** The worker_threads script of `map(fn, {parallel})` on Node (see ../parallel/worker-core.ts). */
import { getPriority, setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import "../../backend/cpu/index.js";
import * as image from "../image/node.js";
import { WORKER_NICE, type ToWorker } from "../parallel/protocol.js";
import { serveWorker } from "../parallel/worker-core.js";
import { workerLibWith } from "../parallel/worker-lib.js";

/**
 * WORKER_NICE steps below the thread that started the worker. On Linux a thread has its own nice value, and
 * `setPriority(0, …)` in a worker sets only that thread's; elsewhere it would set the whole process's, so it is left
 * alone.
 */
function lowerPriority(): void {
  if (process.platform !== "linux") return;
  try {
    setPriority(0, Math.min(19, getPriority(0) + WORKER_NICE));
  } catch {
    // Not allowed here (a sandbox): the worker runs at the normal priority.
  }
}

const port = parentPort;
if (port === null) throw new Error("tensile data worker: this script runs only as a worker thread");
serveWorker(
  {
    post: (message, transfer) => port.postMessage(message, transfer),
    onMessage: (handler) => port.on("message", (message: ToWorker) => handler(message)),
    lowerPriority,
  },
  workerLibWith(image),
);
