/** Cold start: every function bundle's size and module-initialisation time, beside a minimal Bolt-on-Lambda baseline. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Bundle, bundle } from './bundle';
import { median, round } from './stats';

const ROOT = resolve(__dirname, '..');
const RUNS = 10;

/** One function's cold-start figures. */
export interface ColdStartRow {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly initMsMedian: number;
  /** Init time relative to the Bolt baseline's. */
  readonly ratioToBaseline: number;
  /** Bundle size relative to the Bolt baseline's (raw, gzip). */
  readonly bytesRatio: number;
  readonly gzipRatio: number;
}

/** Time to load a bundle in a fresh node process, in ms. */
function initTime(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));process.exit(0)`;
  return Number(
    execFileSync(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    }),
  );
}

/**
 * Bundles every handler and the baseline, and measures them in one run: `RUNS` rounds, each
 * loading every bundle once in turn, so a busy moment of the machine weighs on all of them alike.
 */
export async function measureColdStarts(runs = RUNS): Promise<{ baseline: ColdStartRow; functions: ColdStartRow[]; runs: number }> {
  const handlersDir = join(ROOT, 'lambdas/handlers');
  const entries = readdirSync(handlersDir).filter((f) => f.endsWith('.ts'));
  const bundles: Bundle[] = [await bundle('bolt-baseline', join(ROOT, 'bench/baseline/bolt-lambda.ts'))];
  for (const entry of entries) bundles.push(await bundle(entry.replace(/\.ts$/, ''), join(handlersDir, entry)));
  const samples = bundles.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) bundles.forEach((b, i) => samples[i]?.push(initTime(b.file)));
  const medians = samples.map((s) => median(s));
  const baselineMs = medians[0] ?? Number.NaN;
  const base = bundles[0];
  const rows = bundles.map(
    (b, i): ColdStartRow => ({
      name: b.name,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      initMsMedian: round(medians[i] ?? Number.NaN),
      ratioToBaseline: round((medians[i] ?? Number.NaN) / baselineMs),
      bytesRatio: round(b.bytes / (base?.bytes ?? Number.NaN)),
      gzipRatio: round(b.gzipBytes / (base?.gzipBytes ?? Number.NaN)),
    }),
  );
  const [baseline, ...functions] = rows;
  if (!baseline) throw new Error('no baseline bundle');
  return { baseline, functions, runs };
}
