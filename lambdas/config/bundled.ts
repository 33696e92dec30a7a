/**
 * The configuration compiled into a deployed function's bundle. The CDK stack validates the file at
 * synth and hands its text to esbuild as the constant `__JIT_CONFIG_YAML__` (`define`), so each
 * bundle carries the very configuration that was checked; outside a bundle there is none.
 */

declare const __JIT_CONFIG_YAML__: string | undefined;

/** The identifier esbuild replaces with the configuration text (see lib/constructs/jit-function.ts). */
export const BUNDLED_CONFIG_IDENTIFIER = '__JIT_CONFIG_YAML__';

/** The configuration text compiled into this bundle, or undefined when running from source. */
export function bundledConfigText(): string | undefined {
  // `typeof` of an undeclared global is 'undefined', never a ReferenceError; in a bundle it is a string literal.
  return typeof __JIT_CONFIG_YAML__ === 'string' ? __JIT_CONFIG_YAML__ : undefined;
}
