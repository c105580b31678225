/**
 * Module hooks for lazy-h5wasm.test.ts: records in the file named by TENSILE_MODULE_LOG every module URL that
 * resolves into the h5wasm package.
 */
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const log = process.env.TENSILE_MODULE_LOG;
  if (log && /[\\/]node_modules[\\/]h5wasm[\\/]/.test(result.url)) appendFileSync(log, `${result.url}\n`);
  return result;
}
