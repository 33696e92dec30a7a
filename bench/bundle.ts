/** Bundles a Lambda entry the way the stack does (esbuild, CJS, node22, minified) and measures it. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** A bundled entry and its size. */
export interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Bundles `entry` to a temporary folder with the same options as the CDK functions. */
export async function bundle(name: string, entry: string): Promise<Bundle> {
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
    logLevel: 'silent',
  });
  const code = readFileSync(file);
  return { name, file, bytes: code.length, gzipBytes: gzipSync(code).length };
}
