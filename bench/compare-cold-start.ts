/**
 * Cold starts of another checkout's functions beside this one's, in the same run:
 *
 *   git worktree add /tmp/before <commit> && npx tsx bench/compare-cold-start.ts /tmp/before [runs] [--before-source-maps]
 *     [--root-store]
 *
 * Both sets are bundled by this checkout's bench/bundle.ts, the configuration compiled in, and measured
 * in the same rounds against this checkout's local stack, each beside the Bolt baseline bundled as that set is. The other
 * checkout's functions are bundled with its own lib/bundling.ts options, or, when it has none, with nothing
 * left out and every zod locale, as its stack did then; `--before-source-maps` runs them (and their
 * baseline) with `--enable-source-maps`, as the stack deployed them before that. `--root-store` has every
 * process, the baselines' too, build node's root certificate store in its first invocation, as the first
 * HTTPS call does on AWS (bench/cold-start.ts `rootStoreFirst`; locally only the ONTAP tasks call over TLS).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BundleOptions } from './bundle';
import {
  againstFirst,
  BASELINE,
  type BundleSpec,
  type ColdStartRow,
  measureBundles,
  productBundles,
} from './cold-start';
import { printTable } from './report';

/**
 * How the other checkout's stack bundled its functions: its own lib/bundling.ts when it has one (the
 * Bolt baseline of that set bundled the same way); else nothing left out and every zod locale, as its
 * stack did before lib/bundling.ts.
 */
async function bundlingOf(other: string): Promise<BundleSpec['options']> {
  const file = join(other, 'lib/bundling.ts');
  if (!existsSync(file)) return { external: [], plugins: [] };
  const theirs = (await import(file)) as { functionBuildOptions: NonNullable<BundleOptions['buildOptions']> };
  return { buildOptions: theirs.functionBuildOptions };
}

async function main(): Promise<void> {
  const [other, runsText] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!other)
    throw new Error(
      'usage: npx tsx bench/compare-cold-start.ts <other checkout> [runs] [--before-source-maps] [--root-store]',
    );
  const runs = Number(runsText ?? 10);
  const beforeMaps = process.argv.includes('--before-source-maps');
  const rootStore = process.argv.includes('--root-store') ? { rootStoreFirst: true } : {};
  const options = await bundlingOf(resolve(other));
  const beforeSpecs: BundleSpec[] = [
    { ...BASELINE, name: 'before:bolt-baseline', options: { ...options, external: [] } },
    ...productBundles(join(resolve(other), 'lambdas/handlers'), 'before:', options),
  ];
  const afterSpecs = [BASELINE, ...productBundles(resolve(__dirname, '../lambdas/handlers'), 'after:')];
  let before: ColdStartRow[];
  let after: ColdStartRow[];
  if (beforeMaps) {
    before = await measureBundles(beforeSpecs, runs, { sourceMaps: true, ...rootStore });
    after = await measureBundles(afterSpecs, runs, rootStore);
  } else {
    // Both sets in the same rounds, so a busy moment of the machine weighs on before and after alike.
    const rows = await measureBundles([...beforeSpecs, ...afterSpecs], runs, rootStore);
    before = rows.slice(0, beforeSpecs.length);
    after = againstFirst(rows.slice(beforeSpecs.length));
  }
  const how = rootStore.rootStoreFirst ? ', root certificate store built in each first invocation' : '';
  const row = (r: ColdStartRow) => ({
    bundle: r.name,
    bytes: r.bytes,
    'init ms': r.initMsMedian,
    'x init': r.ratioToBaseline,
    '1st ms': r.firstInvocationMsMedian,
    '1st cpu ms': r.firstInvocationCpuMsMedian,
    'init + 1st ms': r.coldRequestMsMedian,
    'x init + 1st': r.coldRequestRatioToBaseline,
    'cpu ms': r.coldCpuMsMedian,
    'x cpu': r.coldCpuRatioToBaseline,
  });
  printTable(
    `Before (${other}${beforeMaps ? ', with --enable-source-maps' : ''}), ${runs} runs each, medians${how}`,
    before.map(row),
  );
  printTable(`After (this checkout), ${runs} runs each, medians${how}`, after.map(row));
  // The baselines differ when the checkouts bundle differently (Bolt's bundle too): the after set against the before one's.
  const old = before[0];
  if (old) {
    printTable(
      'After, against the before baseline (init + 1st, and its CPU)',
      after.map((r) => ({
        bundle: r.name,
        'x init + 1st': Math.round((r.coldRequestMsMedian / old.coldRequestMsMedian) * 100) / 100,
        'x cpu': Math.round((r.coldCpuMsMedian / old.coldCpuMsMedian) * 100) / 100,
      })),
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
