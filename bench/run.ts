/**
 * `npm run bench`: every benchmark of the product, on this machine, in one run.
 *
 *   1. cold start: every function bundle (bytes, gzip, module initialisation) beside a Bolt baseline
 *   2. Slack acknowledgement latency per request kind, against the floor and the floor of its own
 *      DynamoDB calls in series; approval to grant
 *   2b. the same requests under the AWS-like latency profile, warm and cold, with the calls before the answer
 *   2c. `npm start`: command to `ready`, median of 5 starts
 *   3. cost of one approved lifecycle, counted, priced; and how it grows with the table's contents
 *   4. lifecycles per second at 1, 10, 100 and 500 concurrent requesters, with peak memory
 *   5. one reconciler pass: reads, writes and time with 0, 1,000 and 10,000 stored requests
 *
 * Prints a table per section and writes everything to bench/results/latest.json.
 * `BENCH_QUICK=1` runs a few rounds of each instead (a smoke test, not figures to quote).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { measureColdStarts } from './cold-start';
import { startBenchStack } from './local';
import { priceLifecycle } from './pricing';
import { printTable } from './report';
import { ACK_KINDS, DYNAMO_CALLS_IN_SERIES, measureAck } from './sections/ack';
import { ackAwsRows, measureAckAws } from './sections/ack-aws';
import { measureLifecycleCost } from './sections/lifecycle-cost';
import { measureReconcilePass } from './sections/reconcile-pass';
import { measureScale } from './sections/scale';
import { measureStart } from './sections/start';
import { round } from './stats';
import { checkTargets, TARGETS } from './targets';
import { SPEED } from './workload';

const QUICK = process.env.BENCH_QUICK === '1';
const RESULTS = resolve(__dirname, 'results', 'latest.json');

/** The machine's 1-minute load average (other work on it shows in every figure). */
const load = (): number => round(loadavg()[0] ?? Number.NaN, 2);

/** Seconds and load average at start and end of each section. */
type Timings = Record<string, { seconds: number; loadAtStart: number; loadAtEnd: number }>;

async function section<T>(name: string, run: () => Promise<T>, timings: Timings): Promise<T> {
  const loadAtStart = load();
  process.stdout.write(`\n== ${name} (load average ${loadAtStart}) ...\n`);
  const started = performance.now();
  const result = await run();
  timings[name] = { seconds: round((performance.now() - started) / 1000, 1), loadAtStart, loadAtEnd: load() };
  process.stdout.write(`   (${timings[name].seconds} s, load average now ${timings[name].loadAtEnd})\n`);
  return result;
}

async function main(): Promise<void> {
  const started = performance.now();
  const timings: Timings = {};
  const machine = {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 2 ** 30, 1),
    freeMemoryGb: round(freemem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  process.stdout.write(
    `ontap-jit-approvals benchmarks${QUICK ? ' (BENCH_QUICK: smoke run, figures not representative)' : ''}\n`,
  );
  process.stdout.write(
    `machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB, node ${machine.node}, load average ${load()}; business time ${SPEED}x\n`,
  );

  // 1. Cold start, first, while nothing else of the benchmark runs.
  const cold = await section('cold start', () => measureColdStarts(QUICK ? 3 : 10), timings);
  const target = (name: string): string =>
    name === 'bolt-baseline'
      ? ''
      : name === 'slack-ingress'
        ? `<= ${TARGETS.ingressColdXBaseline}x`
        : `<= ${TARGETS.taskColdXBaseline}x`;
  printTable(
    `Cold start: bundle size and module initialisation, median of ${cold.runs} fresh node processes each (x = ratio to the Bolt baseline)`,
    [cold.baseline, ...cold.functions].map((r) => ({
      bundle: r.name,
      bytes: r.bytes,
      'gzip bytes': r.gzipBytes,
      'x bytes': r.bytesRatio,
      'x gzip': r.gzipRatio,
      'init ms': r.initMsMedian,
      'x init': r.ratioToBaseline,
    })),
  );
  printTable(
    'Cold request: init + first invocation against the local stack (same processes; ms, medians)',
    [cold.baseline, ...cold.functions].map((r) => ({
      bundle: r.name,
      'init ms': r.initMsMedian,
      '1st invocation ms': r.firstInvocationMsMedian,
      '2nd invocation ms': r.secondInvocationMsMedian,
      'init + 1st ms': r.coldRequestMsMedian,
      'x init + 1st': r.coldRequestRatioToBaseline,
      'cpu ms': r.coldCpuMsMedian,
      'x cpu': r.coldCpuRatioToBaseline,
      target: target(r.name),
      failures: r.failures,
      'first event': r.event,
    })),
  );
  printTable(
    'What NODE_OPTIONS=--enable-source-maps would cost (the stack no longer sets it): same bundles, fewer runs (ms, medians)',
    cold.withSourceMaps.map((r) => {
      const without = [cold.baseline, ...cold.functions].find((f) => f.name === r.name);
      return {
        bundle: r.name,
        'init ms': r.initMsMedian,
        'init + 1st ms': r.coldRequestMsMedian,
        'init + 1st without ms': without?.coldRequestMsMedian ?? '',
        'added ms': without ? round(r.coldRequestMsMedian - without.coldRequestMsMedian, 1) : '',
      };
    }),
  );

  printTable(
    "As on AWS, where each function's first HTTPS call (Slack's auth.test for the baseline, DynamoDB's for the product) builds node's root certificate store; here only ONTAP's call is HTTPS (ms, medians, fewer runs)",
    cold.withRootStore.map((r) => ({
      bundle: r.name,
      'init + 1st ms': r.coldRequestMsMedian,
      'x init + 1st': r.coldRequestRatioToBaseline,
      'cpu ms': r.coldCpuMsMedian,
      'x cpu': r.coldCpuRatioToBaseline,
    })),
  );

  // 2. Acknowledgement latency and approval to grant.
  const ack = await section(
    'Slack acknowledgement latency',
    async () => {
      const b = await startBenchStack();
      try {
        return await measureAck(b, QUICK ? 20 : 1000, QUICK ? 5 : 30);
      } finally {
        await b.close();
      }
    },
    timings,
  );
  printTable(
    `Slack acknowledgement latency, POST /slack/events over loopback HTTP (ms; ${ack.rounds} rounds after ${ack.warmupRounds} warm-up; x = ratio to the floor)`,
    [
      ...ACK_KINDS.map((k) => ({
        request: k,
        ...ack.latencyMs[k],
        'x floor p50': ack.ratioToFloor[k].p50,
        'x floor p99': ack.ratioToFloor[k].p99,
        'x own calls p50': ack.ratioToCallFloor[k]?.p50 ?? '',
        'x own calls p99': ack.ratioToCallFloor[k]?.p99 ?? '',
      })),
      { request: 'floor: signature check + one conditional write', ...ack.floorMs, 'x floor p50': 1, 'x floor p99': 1 },
      {
        request: 'floor of 2 DynamoDB calls in series (read, conditional write)',
        ...ack.callFloorsMs[2],
        'x floor p50': round(ack.callFloorsMs[2].p50 / ack.floorMs.p50),
        'x floor p99': round(ack.callFloorsMs[2].p99 / ack.floorMs.p99),
      },
      {
        request: 'floor of 3 DynamoDB calls in series (read, conditional write, write)',
        ...ack.callFloorsMs[3],
        'x floor p50': round(ack.callFloorsMs[3].p50 / ack.floorMs.p50),
        'x floor p99': round(ack.callFloorsMs[3].p99 / ack.floorMs.p99),
      },
    ],
  );
  process.stdout.write(
    `  x own calls = over the floor of the kind's own DynamoDB calls in series (${ACK_KINDS.map(
      (k) => `${k.split(': ').pop()} ${DYNAMO_CALLS_IN_SERIES[k]}`,
    ).join(', ')}): what Bolt, parsing, authorization and rendering add to the calls the invariants require\n`,
  );
  printTable('Approval to grant: Approve click sent -> JIT POST arriving at the ONTAP simulator (ms)', [
    { path: 'Approve -> POST /api/security/jit-privilege-users', ...ack.approveToGrantMs },
  ]);
  process.stdout.write(
    `  non-200 answers: ${ack.failures}; lifecycles started ${ack.lifecyclesStarted}, ran to their end ${ack.lifecyclesSucceeded}\n`,
  );

  // 2b. Slack's answer under the AWS-like latency profile, warm and from a fresh function process.
  const ackAws = await section(
    'Slack acknowledgement under the aws latency profile',
    () => measureAckAws(QUICK ? 2 : 20, QUICK ? 1 : 5),
    timings,
  );
  printTable(
    `Slack acknowledgement under the aws profile (${Object.entries(ackAws.profile)
      .map(([seam, ms]) => `${seam} ${ms} ms`)
      .join(
        ', ',
      )}; ms; ${ackAws.warmRounds} warm, ${ackAws.coldRounds} cold rounds; calls = dependency calls before the answer)`,
    ackAwsRows(ackAws),
  );

  // 2c. npm start, from the command to the ready line.
  const start = await section('npm start to ready', () => measureStart(QUICK ? 2 : 5), timings);
  printTable('npm start: command to the ready line (ms)', [
    {
      start: `definition cached (${start.runs} starts)`,
      ...start.readyMs,
      target: `p50 <= ${start.targetMs}`,
      met: start.met ? 'met' : 'MISSED',
    },
    { start: 'definition synthesized (cache emptied)', p50: start.uncachedMs },
  ]);

  // 3. Cost per lifecycle and its growth with the table's contents.
  const cost = await section(
    'lifecycle cost and growth',
    async () => {
      const b = await startBenchStack();
      try {
        return await measureLifecycleCost(b, QUICK ? [0, 1000] : [0, 1000, 10_000], QUICK ? 5 : 20);
      } finally {
        await b.close();
      }
    },
    timings,
  );
  printTable(
    'One approved lifecycle, counted (means per lifecycle; workflow = task functions, ingress = the Slack requests)',
    cost.levels.map((l) => ({
      'preloaded items': l.preloadedItems,
      lifecycles: `${l.succeeded}/${l.lifecycles}`,
      transitions: l.stateTransitions,
      'transitions max': l.stateTransitionsMax,
      'task invocations': l.taskInvocations,
      'ingress requests': l.ingressRequests,
      'wf reads': l.workflowReads,
      'wf writes': l.workflowWrites,
      'ingress reads': l.ingressReads,
      'ingress writes': l.ingressWrites,
      RRU: l.readRequestUnits,
      WRU: l.writeRequestUnits,
    })),
  );
  printTable('Growth of the per-lifecycle counts from an empty table to the fullest (relative change; 0 = flat)', [
    cost.growth,
  ]);
  const base = cost.levels[0];
  if (!base) throw new Error('no lifecycle counts');
  const bill = priceLifecycle(base);
  printTable(`Cost per approved lifecycle at ${bill.prices.region} list prices of ${bill.prices.asOf} (USD)`, [
    ...bill.lines.map((l) => ({
      item: l.item,
      quantity: l.quantity,
      unit: l.unit,
      'per 1,000 lifecycles': l.usdPer1000,
    })),
    { item: 'total', quantity: '', unit: '', 'per 1,000 lifecycles': bill.usdPer1000 },
  ]);
  process.stdout.write(
    `  Secrets Manager: ${bill.secretCallsWorstCase} calls per lifecycle if no container were ever reused; total then $${bill.usdPer1000WorstCaseSecrets} per 1,000\n`,
  );

  // 4. Throughput and memory.
  const scale = await section(
    'scale',
    async () => {
      const b = await startBenchStack();
      try {
        return await measureScale(b, QUICK ? [1, 10] : [1, 10, 100, 500], (c) =>
          QUICK ? 2 : c === 1 ? 10 : c === 10 ? 5 : 1,
        );
      } finally {
        await b.close();
      }
    },
    timings,
  );
  printTable(
    'Whole lifecycles on the local stack, one process, time-scaled (one-minute windows)',
    scale.map((l) => ({
      concurrent: l.concurrency,
      lifecycles: `${l.succeeded}/${l.lifecycles}`,
      seconds: l.seconds,
      'lifecycles/s': l.lifecyclesPerSecond,
      'Slack req/s': l.slackRequestsPerSecond,
      'lifecycle p50 ms': l.lifecycleMs.p50,
      'lifecycle p99 ms': l.lifecycleMs.p99,
      'ack p50 ms': l.ackMs.p50,
      'ack p99 ms': l.ackMs.p99,
      'RSS before MB': l.rssBeforeMb,
      'peak RSS MB': l.peakRssMb,
      'heap before MB': l.heapBeforeMb,
      'peak heap MB': l.peakHeapMb,
    })),
  );

  // 5. The reconciler: flat in stored requests, linear in those needing work.
  const passes = await section(
    'reconciler pass',
    () => measureReconcilePass([0, 1000, 10_000], QUICK ? [0, 5] : [0, 20, 100]),
    timings,
  );
  printTable(
    'One reconciler pass (DynamoDB calls and wall time; work = live grants past their end, each revoked)',
    passes.map((p) => ({
      'stored requests': p.storedRequests,
      'needing work': p.needingWork,
      due: p.due,
      repaired: p.repaired,
      reads: p.reads,
      writes: p.writes,
      ms: p.ms,
    })),
  );

  // Targets.
  const targets = checkTargets({ cold, ack, ackAws, start, cost, usdPer1000: bill.usdPer1000 });
  printTable(
    'Targets',
    targets.map((t) => ({ ...t, met: t.met ? 'met' : 'MISSED' })),
  );

  const totalSeconds = round((performance.now() - started) / 1000, 1);
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ at: new Date().toISOString(), quick: QUICK, machine, speed: SPEED, seconds: totalSeconds, sections: timings, coldStart: cold, ack, ackAws, start, lifecycleCost: { ...cost, bill }, scale, reconcilePass: passes, targets }, null, 2)}\n`,
  );
  process.stdout.write(`\nall figures: ${RESULTS}\ntotal ${totalSeconds} s\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
