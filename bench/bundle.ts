/**
 * Bundles a Lambda entry the way the stack does (lib/constructs/jit-function.ts: esbuild, CJS,
 * node22, minified, an external source map, the configuration compiled in) and measures it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLED_CONFIG_IDENTIFIER } from '../lambdas/config/bundled';

/** A bundled entry and its size (the code file; its source map is beside it). */
export interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Bundles `entry` to a temporary folder with the same options as the CDK functions, `configText` compiled in when given. */
export async function bundle(name: string, entry: string, options: { configText?: string } = {}): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), `jit-bench-${name}-`));
  const file = join(dir, 'index.js');
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    sourcemap: true,
    ...(options.configText !== undefined
      ? { define: { [BUNDLED_CONFIG_IDENTIFIER]: JSON.stringify(options.configText) } }
      : {}),
    logLevel: 'silent',
  });
  const code = readFileSync(file);
  return { name, file, bytes: code.length, gzipBytes: gzipSync(code).length };
}
