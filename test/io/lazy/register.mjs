/** `node --import ./register.mjs`: installs hooks.mjs (see lazy-h5wasm.test.ts). */
import { register } from "node:module";

register(new URL("./hooks.mjs", import.meta.url));
