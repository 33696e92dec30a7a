/** Runs `npm start`'s entry point as its own process, the way a person would, and reads what it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** A started local stack process. */
export interface StartedProcess {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** The URL printed after a label such as `Slack sandbox`. */
  url(label: string): string;
  /** Milliseconds from spawn to the `ready` line. */
  readonly readyAfterMs: number;
  stop(): Promise<number | null>;
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Spawns `tsx bin/local.ts` with the arguments and waits for its `ready` line. */
export async function startProcess(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<StartedProcess> {
  const started = Date.now();
  const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/local.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const readyAfterMs = await new Promise<number>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = (): void => {
      if (/^ready/m.test(out)) {
        clearTimeout(timer);
        resolveReady(Date.now() - started);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    url(label) {
      const match = new RegExp(`${label}\\s+(\\S+)`).exec(out);
      if (!match?.[1]) throw new Error(`no "${label}" line in:\n${out}`);
      return match[1];
    },
    readyAfterMs,
    stop: () =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null) return resolveStop(child.exitCode);
        child.once('exit', (code) => resolveStop(code));
        child.kill('SIGINT');
      }),
  };
}
