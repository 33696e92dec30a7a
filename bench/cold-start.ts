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
}

/** Median time to load a bundle in `RUNS` fresh node processes. */
function initTime(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));process.exit(0)`;
  const samples = Array.from({ length: RUNS }, () =>
    Number(
      execFileSync(process.execPath, ['-e', script], {
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        encoding: 'utf8',
      }),
    ),
  );
  return median(samples);
}

/** Bundles every handler and the baseline, and measures them in one run. */
export async function measureColdStarts(): Promise<{ baseline: ColdStartRow; functions: ColdStartRow[] }> {
  const handlersDir = join(ROOT, 'lambdas/handlers');
  const entries = readdirSync(handlersDir).filter((f) => f.endsWith('.ts'));
  const baselineBundle = await bundle('bolt-baseline', join(ROOT, 'bench/baseline/bolt-lambda.ts'));
  const baselineMs = initTime(baselineBundle.file);
  const row = (b: Bundle, ms: number): ColdStartRow => ({
    name: b.name,
    bytes: b.bytes,
    gzipBytes: b.gzipBytes,
    initMsMedian: round(ms),
    ratioToBaseline: round(ms / baselineMs),
  });
  const functions: ColdStartRow[] = [];
  for (const entry of entries) {
    const b = await bundle(entry.replace(/\.ts$/, ''), join(handlersDir, entry));
    functions.push(row(b, initTime(b.file)));
  }
  return { baseline: row(baselineBundle, baselineMs), functions };
}
