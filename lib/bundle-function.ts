/**
 * Bundles one function for `cdk synth`: `node --import tsx lib/bundle-function.ts <entry> <outdir>`,
 * the configuration's JSON on stdin (empty for none). A process of its own because CDK bundles
 * synchronously and esbuild runs plugins (lib/bundling.ts) only in its asynchronous API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { functionBuildOptions } from './bundling';

async function main(): Promise<void> {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) throw new Error('usage: bundle-function.ts <entry> <outdir> < configuration.json');
  const configJson = readFileSync(0, 'utf8');
  await build(functionBuildOptions(entry, join(outdir, 'index.js'), configJson === '' ? undefined : configJson));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
