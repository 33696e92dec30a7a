/**
 * Cold starts of another checkout's functions beside this one's, in the same run:
 *
 *   git worktree add /tmp/before <commit> && npx tsx bench/compare-cold-start.ts /tmp/before [runs] [--before-source-maps]
 *
 * Both sets are bundled by this checkout's bench/bundle.ts, the configuration compiled in, and measured
 * against this checkout's local stack, each beside the Bolt baseline. The other checkout's functions
 * are bundled with nothing left out and every zod locale, as its stack did before lib/bundling.ts; `--before-source-maps`
 * runs them (and their baseline) with `--enable-source-maps`, as the stack deployed them before that.
 */
import { join, resolve } from 'node:path';
import { BASELINE, type ColdStartRow, measureBundles, productBundles } from './cold-start';
import { printTable } from './report';

async function main(): Promise<void> {
  const [other, runsText] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!other)
    throw new Error('usage: npx tsx bench/compare-cold-start.ts <other checkout> [runs] [--before-source-maps]');
  const runs = Number(runsText ?? 10);
  const beforeMaps = process.argv.includes('--before-source-maps');
  const before = await measureBundles(
    [BASELINE, ...productBundles(join(resolve(other), 'lambdas/handlers'), 'before:', { external: [], plugins: [] })],
    runs,
    { sourceMaps: beforeMaps },
  );
  const after = await measureBundles(
    [BASELINE, ...productBundles(resolve(__dirname, '../lambdas/handlers'), 'after:')],
    runs,
  );
  const row = (r: ColdStartRow) => ({
    bundle: r.name,
    bytes: r.bytes,
    'init ms': r.initMsMedian,
    'x init': r.ratioToBaseline,
    '1st ms': r.firstInvocationMsMedian,
    '1st cpu ms': r.firstInvocationCpuMsMedian,
    'init + 1st ms': r.coldRequestMsMedian,
    'x init + 1st': r.coldRequestRatioToBaseline,
  });
  printTable(
    `Before (${other}${beforeMaps ? ', with --enable-source-maps' : ''}), ${runs} runs each, medians`,
    before.map(row),
  );
  printTable(`After (this checkout), ${runs} runs each, medians`, after.map(row));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
