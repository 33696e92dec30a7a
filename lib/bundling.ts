/**
 * How every function of the product is bundled, in one place: `cdk synth` (lib/constructs/jit-function.ts)
 * and `npm run bench` (bench/bundle.ts) both build from these settings, so the figures are of what ships.
 */
import { BUNDLED_CONFIG_IDENTIFIER } from '../lambdas/config/bundled';

/**
 * Modules left out of every bundle. The YAML parser: a deployed function reads the configuration
 * compiled into it as JSON, so only a YAML file named by `JIT_CONFIG` would need it (and says so).
 */
export const BUNDLE_EXTERNALS: readonly string[] = ['yaml'];

/** esbuild's `define` that compiles the configuration's JSON text (lambdas/config/compile.ts) into a bundle. */
export function configDefine(configJson: string): Record<string, string> {
  // A string literal of the JSON: V8 parses JSON.parse('...') faster than the same object written as code.
  return { [BUNDLED_CONFIG_IDENTIFIER]: JSON.stringify(configJson) };
}
