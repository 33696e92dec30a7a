/**
 * What other bundling choices would do to the Slack endpoint's module initialisation, beside the
 * Bolt baseline, in the same run (init only; median of 10 fresh processes each):
 *
 *   npx tsx bench/bundling-options.ts
 *
 * The variants: as the stack bundles it; with the AWS SDK taken from the Lambda runtime
 * (`externalModules`); also without the YAML parser (a configuration shipped pre-parsed as JSON);
 * also with zod's English messages only (zod's classic API otherwise bundles every locale).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { printTable } from './report';
import { median, round } from './stats';

const ROOT = resolve(__dirname, '..');

/** Replaces zod's locale index with English alone. */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.c?js$/ }, (args) =>
      args.importer.includes('zod') ? { path: args.path, namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(require.resolve('zod/v4/locales/en.js'))};`,
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};

async function variant(
  name: string,
  entry: string,
  extra: { external?: string[]; plugins?: Plugin[] },
): Promise<{ name: string; file: string; bytes: number }> {
  const file = join(mkdtempSync(join(tmpdir(), 'jit-bench-variant-')), 'index.js');
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    logLevel: 'silent',
    ...extra,
  });
  return { name, file, bytes: statSync(file).size };
}

function initMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));process.exit(0)`;
  // The baseline's App checks its token at start: pointed at a closed port, it fails fast and quietly.
  return Number(
    execFileSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', SLACK_API_URL: 'http://127.0.0.1:9/api/' },
    }),
  );
}

async function main(): Promise<void> {
  const ingress = 'lambdas/handlers/slack-ingress.ts';
  const sdk = ['@aws-sdk/*', '@smithy/*'];
  const variants = [
    await variant('bolt-baseline', 'bench/baseline/bolt-lambda.ts', {}),
    await variant('slack-ingress, as the stack bundles it', ingress, {}),
    await variant('+ AWS SDK from the Lambda runtime', ingress, { external: sdk }),
    await variant('+ no YAML parser (configuration as JSON)', ingress, { external: [...sdk, 'yaml'] }),
    await variant("+ zod's English messages only", ingress, { external: [...sdk, 'yaml'], plugins: [zodEnglishOnly] }),
  ];
  const samples = variants.map(() => [] as number[]);
  for (let run = 0; run < 10; run++)
    variants.forEach((v, i) => {
      samples[i]?.push(initMs(v.file));
    });
  const base = median(samples[0] ?? []);
  printTable(
    'Slack endpoint module initialisation under other bundling choices (median of 10; x = ratio to the Bolt baseline)',
    variants.map((v, i) => ({
      variant: v.name,
      bytes: v.bytes,
      'init ms': round(median(samples[i] ?? [])),
      'x init': round(median(samples[i] ?? []) / base),
    })),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
