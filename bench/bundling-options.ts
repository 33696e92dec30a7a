/**
 * What other bundling choices would do to a cold invocation (init plus a first request, in fresh
 * processes, against the local stack: bench/cold-start.ts), beside the Bolt baseline, in one run:
 *
 *   npx tsx bench/bundling-options.ts [runs]
 *
 * For the Slack endpoint and the grant task: as the stack bundles them (lib/bundling.ts); with every
 * zod locale; with what no function runs (lib/bundling.ts NEVER_RUN: Bolt's other receivers' undici and
 * iconv-lite); with both and the YAML parser; with the AWS SDK taken from the Lambda runtime (left out of
 * the bundle and loaded from node_modules through NODE_PATH, as the runtime loads the copy it ships).
 */
import { join, resolve } from 'node:path';
import { BUNDLE_EXTERNALS, leaveOutNeverRun, zodEnglishOnly } from '../lib/bundling';
import { BASELINE, type BundleSpec, measureBundles } from './cold-start';
import { printTable } from './report';

const ROOT = resolve(__dirname, '..');

const SDK = ['@aws-sdk/*', '@smithy/*'];

function variants(fn: string): BundleSpec[] {
  const entry = join(ROOT, 'lambdas/handlers', `${fn}.ts`);
  return [
    { name: `as the stack bundles it:${fn}`, entry },
    { name: `with every zod locale:${fn}`, entry, options: { plugins: [leaveOutNeverRun] } },
    { name: `with what no function runs (NEVER_RUN):${fn}`, entry, options: { plugins: [zodEnglishOnly] } },
    { name: `with all three and the YAML parser:${fn}`, entry, options: { external: [], plugins: [] } },
    { name: `+ AWS SDK from the runtime:${fn}`, entry, options: { external: [...BUNDLE_EXTERNALS, ...SDK] } },
  ];
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 10);
  const rows = await measureBundles([BASELINE, ...variants('slack-ingress'), ...variants('grant-access')], runs);
  printTable(
    `Cold invocation under other bundling choices (median of ${runs}; x = ratio to the Bolt baseline)`,
    rows.map((r) => ({
      variant: r.name,
      bytes: r.bytes,
      'init ms': r.initMsMedian,
      '1st ms': r.firstInvocationMsMedian,
      '1st cpu ms': r.firstInvocationCpuMsMedian,
      'init + 1st ms': r.coldRequestMsMedian,
      'x init + 1st': r.coldRequestRatioToBaseline,
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
