/**
 * The configuration compiled into a deployed function's bundle. The CDK stack validates the YAML file
 * at synth, converts it to JSON (lambdas/config/compile.ts) and hands that JSON to esbuild as the
 * constant `__JIT_CONFIG_JSON__` (`define`), so each bundle carries the very configuration that was
 * checked and needs no YAML parser to read it; outside a bundle there is none.
 */

declare const __JIT_CONFIG_JSON__: string | undefined;

/** The identifier esbuild replaces with the configuration's JSON text (see lib/bundling.ts). */
export const BUNDLED_CONFIG_IDENTIFIER = '__JIT_CONFIG_JSON__';

/** The configuration's JSON text compiled into this bundle, or undefined when running from source. */
export function bundledConfigJson(): string | undefined {
  // `typeof` of an undeclared global is 'undefined', never a ReferenceError; in a bundle it is a string literal.
  return typeof __JIT_CONFIG_JSON__ === 'string' ? __JIT_CONFIG_JSON__ : undefined;
}
