/**
 * Throughput of whole lifecycles on the local stack (everything in this one process, time-scaled):
 * `c` requesters at once, each going round a lifecycle after the other — a one-line `/jit` request,
 * wait for the approval message, Approve, wait for the grant, its one-minute window (17 real ms)
 * and the revoke. Lifecycles per second are completed lifecycles over the wall time of the level;
 * memory is the process's, sampled every 50 ms.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { BenchStack } from '../local';
import { round, type Summary, summarize } from '../stats';
import { APPROVER, requester } from '../workload';

/** One concurrency level. */
export interface ScaleLevel {
  readonly concurrency: number;
  readonly lifecycles: number;
  readonly succeeded: number;
  readonly seconds: number;
  readonly lifecyclesPerSecond: number;
  /** Slack requests (command + click) answered per second. */
  readonly slackRequestsPerSecond: number;
  /** Submit to end of the revoke, per lifecycle. */
  readonly lifecycleMs: Summary;
  readonly ackMs: Summary;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  /** After a full garbage collection, before the level started. */
  readonly rssBeforeMb: number;
  readonly heapBeforeMb: number;
}

/** Runs each level with `rounds(c)` lifecycles per requester. */
export async function measureScale(
  b: BenchStack,
  levels: readonly number[],
  rounds: (concurrency: number) => number,
): Promise<ScaleLevel[]> {
  const out: ScaleLevel[] = [];
  for (const concurrency of levels) {
    process.stdout.write(`   ${concurrency} concurrent ...\n`);
    out.push(await runLevel(b, concurrency, rounds(concurrency)));
  }
  return out;
}

/** Collects garbage now, so each level's memory starts from what is really held. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function runLevel(b: BenchStack, concurrency: number, rounds: number): Promise<ScaleLevel> {
  const sfn = b.stack.workflow.sfn;
  const mb = (bytes: number): number => round(bytes / 2 ** 20, 1);
  collectGarbage();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const ack: number[] = [];
  const lifecycle: number[] = [];
  let succeeded = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      const user = requester(c).id;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        const line = await b.driver.command(user, 'svm1 vsadmin 1m Benchmark: throughput of whole lifecycles');
        ack.push(line.answer.ms);
        const arn = b.executionOf(line.requestId);
        await sfn.whenWaiting(arn, 'AwaitApproval');
        ack.push((await b.driver.approve(APPROVER, b.driver.approvalMessage(line.requestId))).ms);
        const end = await sfn.waitForExecution(arn);
        lifecycle.push(performance.now() - t0);
        if (end.status === 'SUCCEEDED') succeeded += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  b.simulator.clearCalls();
  return {
    concurrency,
    lifecycles: concurrency * rounds,
    succeeded,
    seconds: round(seconds),
    lifecyclesPerSecond: round((concurrency * rounds) / seconds),
    slackRequestsPerSecond: round(ack.length / seconds),
    lifecycleMs: summarize(lifecycle),
    ackMs: summarize(ack),
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    rssBeforeMb: mb(rssBefore),
    heapBeforeMb: mb(heapBefore),
  };
}
