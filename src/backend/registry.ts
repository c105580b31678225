/** Backend registry: `setBackend`, `getBackend`, `backends`, and the choice of the active backend. */
import { BackendError } from "../core/errors.js";
import type { Backend } from "./backend.js";
import type { Primitive } from "./primitives.js";

interface Registration {
  factory: () => Backend;
  priority: number;
  instance: Backend | null;
  failure: Error | null;
}

const registry = new Map<string, Registration>();
let active: Backend | null = null;

/**
 * Registers a backend. The highest-priority backend that initializes becomes the default. A factory that throws
 * marks the backend unavailable (its error is reported by `setBackend`).
 */
export function registerBackend(name: string, factory: () => Backend, priority = 0): void {
  registry.set(name, { factory, priority, instance: null, failure: null });
  if (active !== null && active.name === name) active = null;
}

function instantiate(name: string): Backend {
  const reg = registry.get(name);
  if (reg === undefined) {
    throw new BackendError(`setBackend: unknown backend "${name}"; registered: ${[...registry.keys()].join(", ")}`);
  }
  if (reg.instance !== null) return reg.instance;
  if (reg.failure !== null) throw new BackendError(`setBackend: backend "${name}" is unavailable: ${reg.failure.message}`);
  try {
    reg.instance = reg.factory();
    return reg.instance;
  } catch (error) {
    reg.failure = error instanceof Error ? error : new Error(String(error));
    throw new BackendError(`setBackend: backend "${name}" is unavailable: ${reg.failure.message}`);
  }
}

/** Makes `name` the active backend. Tensors made before stay where they are and still work. */
export function setBackend(name: string): void {
  active = instantiate(name);
}

/** The active backend, choosing the best available one on first use. */
export function activeBackend(): Backend {
  if (active !== null) return active;
  const ordered = [...registry.entries()].sort((a, b) => b[1].priority - a[1].priority);
  for (const [name] of ordered) {
    try {
      active = instantiate(name);
      return active;
    } catch {
      // Try the next one; `cpu` always initializes.
    }
  }
  throw new BackendError("no backend is registered (import the cpu backend)");
}

export function getBackend(): string {
  return activeBackend().name;
}

/** Names of the registered backends, best first. */
export function backends(): string[] {
  return [...registry.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([name]) => name);
}

/** The reference backend every kernel falls back to. */
export function cpuBackend(): Backend {
  return instantiate("cpu");
}

/** The backend that runs `prim`: the active one when it has the kernel, else cpu. */
export function backendFor(prim: Primitive): Backend {
  const backend = activeBackend();
  return backend.kernels[prim] !== undefined ? backend : cpuBackend();
}

export interface BackendInfo {
  name: string;
  /** Primitives the backend runs itself; the rest fall back to cpu. */
  kernels: string[];
  [key: string]: unknown;
}

export function backendInfo(name?: string): BackendInfo {
  const backend = name === undefined ? activeBackend() : instantiate(name);
  return { ...backend.info(), name: backend.name, kernels: Object.keys(backend.kernels).sort() };
}
