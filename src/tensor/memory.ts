import { storageCounters } from "./storage.js";
import { liveTensorCount } from "./tensor.js";

export interface MemoryInfo {
  /** Tensors created and neither disposed nor garbage collected. */
  numTensors: number;
  /** Distinct buffers behind them (reshapes and views share one). */
  numDataBuffers: number;
  /** Bytes held by those buffers. */
  numBytes: number;
}

/** Live tensors and bytes: a test can prove a training loop leaks nothing. */
export function memory(): MemoryInfo {
  const { storages, bytes } = storageCounters();
  return { numTensors: liveTensorCount(), numDataBuffers: storages, numBytes: bytes };
}
