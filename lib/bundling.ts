/**
 * How every function of the product is bundled, in one place: `cdk synth` (lib/constructs/jit-function.ts
 * through lib/bundle-function.ts) and `npm run bench` (bench/bundle.ts) both build with these options,
 * so the figures are of what ships.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
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

/**
 * zod's locale index with English alone. zod's classic API exports every locale (`z.locales`), so
 * each bundle would carry some forty of them (a quarter MB to parse at every cold start); the product
 * speaks English, the language zod sets by default.
 */
export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    // The index zod's classic API imports (`../locales/index.js`); its English module is imported directly.
    build.onResolve({ filter: /[\\/]locales[\\/]index\.c?js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: args.path, namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => {
      const english = createRequire(__filename).resolve('zod/v4/locales/en.js');
      return {
        contents: `export { default as en } from ${JSON.stringify(english)};`,
        loader: 'js',
        resolveDir: dirname(english),
      };
    });
  },
};

/** The esbuild options of a function's bundle: CJS for Node 22, minified, a source map beside it. */
export function functionBuildOptions(entry: string, outfile: string, configJson?: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    // A package's ES module build first: esbuild drops what a function does not import from it (the AWS
    // SDK's clients ship every command in one CommonJS file, parsed whole at each cold start otherwise).
    mainFields: ['module', 'main'],
    minify: true,
    // The map ships beside the bundle to read a stack trace with; NODE_OPTIONS does not load it (jit-function.ts).
    sourcemap: true,
    external: [...BUNDLE_EXTERNALS],
    plugins: [zodEnglishOnly],
    // The configuration travels inside the bundle, so what runs is what was validated at synth.
    ...(configJson !== undefined ? { define: configDefine(configJson) } : {}),
    // Warnings and errors show; esbuild's size table would be noise in every synth.
    logLevel: 'warning',
  };
}
