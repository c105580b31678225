/**
 * Preloaded into every test process by scripts/run-tests.ts (`--import ./test/setup.ts`): loads the Node entry point
 * (which registers the `native` backend when its addon is built) and makes TENSILE_BACKEND (default "cpu") the
 * active backend, so the same suite runs on each backend.
 */
import { setBackend } from "../src/node.js";

setBackend(process.env.TENSILE_BACKEND ?? "cpu");
