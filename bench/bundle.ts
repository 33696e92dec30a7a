/**
 * Bundles a Lambda entry the way the stack does (lib/bundling.ts: esbuild, CJS, node22, minified, an
 * external source map, the YAML parser left out, zod's English locale alone, the configuration compiled
 * in as JSON) and measures it, with what is in it (esbuild's metafile) by package.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { BUNDLE_EXTERNALS, functionBuildOptions } from '../lib/bundling';

/** A bundled entry and its size (the code file; its source map and metafile are beside it). */
export interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Modules left out: a bundle that leaves out the AWS SDK loads it from node_modules, as Lambda's runtime does. */
  readonly external: readonly string[];
  /** Bytes of output by package (`lambdas/...` for the product's own folders), largest first. */
  readonly packages: ReadonlyArray<readonly [string, number]>;
}

/** How to bundle: the stack's settings unless told otherwise. */
export interface BundleOptions {
  /** The configuration's JSON text, compiled in as the stack does. */
  readonly configJson?: string;
  /** The configuration file's text, for an earlier checkout that compiled the file's text in (`__JIT_CONFIG_YAML__`). */
  readonly configText?: string;
  /** @default lib/bundling.ts's BUNDLE_EXTERNALS */
  readonly external?: readonly string[];
  /** @default lib/bundling.ts's (zod's English locale alone, what no function runs left out) */
  readonly plugins?: Plugin[];
  /** The stack's build options of another checkout (its lib/bundling.ts), for a before/after comparison. @default this one's */
  readonly buildOptions?: (entry: string, outfile: string, configJson?: string) => BuildOptions;
}

/** Bundles `entry` to a temporary folder with the same options as the CDK functions. */
export async function bundle(name: string, entry: string, options: BundleOptions = {}): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), `jit-bench-${name.replace(/[^\w-]/g, '_')}-`));
  const file = join(dir, 'index.js');
  const configJson = options.configJson;
  const base = (options.buildOptions ?? functionBuildOptions)(entry, file, configJson);
  const external = [...(options.external ?? base.external ?? BUNDLE_EXTERNALS)];
  const result = await build({
    ...base,
    metafile: true,
    external,
    // An earlier checkout read the file's text from `__JIT_CONFIG_YAML__`: it gets its configuration compiled in too.
    ...(options.configText !== undefined
      ? { define: { ...base.define, __JIT_CONFIG_YAML__: JSON.stringify(options.configText) } }
      : {}),
    plugins: options.plugins ?? base.plugins ?? [],
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(result.metafile));
  // Lambda's runtime finds the AWS SDK it ships for ES modules too (NODE_PATH, which node's own ES module
  // loader ignores): a split bundle that leaves the SDK out finds it in a node_modules beside it instead.
  if (base.format === 'esm' && external.some((e) => e.startsWith('@aws-sdk'))) {
    symlinkSync(join(__dirname, '../node_modules'), join(dir, 'node_modules'), 'dir');
  }
  // Every code file the function ships: its entry, and the chunks a bundle split at its dynamic imports has.
  const outputs = Object.entries(result.metafile.outputs).filter(([path]) => !path.endsWith('.map'));
  // The entry sits in `dir` itself; a chunk of a dynamic import names its module as an entry point too.
  const entryOutput = outputs.find(([path, o]) => o.entryPoint !== undefined && dirname(resolve(path)) === dir)?.[0];
  if (!entryOutput) throw new Error(`bundling ${name} wrote no entry file`);
  const byPackage = new Map<string, number>();
  for (const [, output] of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const key = packageOf(input);
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  const code = Buffer.concat(outputs.map(([path]) => readFileSync(resolve(path))));
  return {
    name,
    file: resolve(entryOutput),
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    external,
    packages: [...byPackage].sort((a, b) => b[1] - a[1]),
  };
}

/** `node_modules/@smithy/core/dist/x.js` -> `@smithy/core`; zod's locales apart; `lambdas/slack/app.ts` -> `lambdas/slack`. */
export function packageOf(input: string): string {
  if (/zod\/v4\/locales\//.test(input)) return 'zod (locales)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (pkg?.[1]) return pkg[1];
  return input.split('/').slice(-3, -1).join('/');
}
