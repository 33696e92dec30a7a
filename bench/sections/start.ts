/**
 * `npm start` as a person runs it: from the command to the `ready` line, in a process of its own.
 * One start with the workflow definition's cache emptied first (the first start after lib/ changed),
 * then `runs` starts as they usually are (the cache holds the definition); the median is the figure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DEFINITION_CACHE_DIR } from '../../local/stepfunctions/definition-cache';
import { round, type Summary, summarize } from '../stats';

const ROOT = resolve(__dirname, '../..');

/** The `ready` target, in milliseconds (median of the runs). */
export const START_TARGET_MS = 3000;

/** What the section found. */
export interface StartResult {
  readonly runs: number;
  /** Starts with the definition cached. */
  readonly readyMs: Summary;
  /** The one start that synthesized the definition (cache emptied first). */
  readonly uncachedMs: number;
  readonly targetMs: number;
  readonly met: boolean;
}

/** Stops the whole process group the start made (npm, its shell, tsx and node). */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.pid === undefined) return done();
    child.once('exit', () => done());
    process.kill(-child.pid, 'SIGTERM');
  });
}

/** Runs `npm start -- --port 0` and returns the milliseconds to its `ready` line. */
async function readyAfter(): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, JIT_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  try {
    return await new Promise<number>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no ready line within 60 s:\n${out}`)), 60_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/^ready/m.test(out)) {
          clearTimeout(timer);
          resolveReady(performance.now() - started);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code} before ready:\n${out}`));
      });
    });
  } finally {
    await stop(child);
  }
}

/** One uncached start, then `runs` cached ones. */
export async function measureStart(runs: number): Promise<StartResult> {
  rmSync(DEFAULT_DEFINITION_CACHE_DIR, { recursive: true, force: true });
  const uncachedMs = round(await readyAfter());
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await readyAfter());
  const readyMs = summarize(samples);
  return { runs, readyMs, uncachedMs, targetMs: START_TARGET_MS, met: readyMs.p50 <= START_TARGET_MS };
}
