/**
 * The targets `npm run bench` holds the product to, checked against one run's figures. Ratios are
 * to the floor or the Bolt baseline measured in the same run (machines differ, ratios hold);
 * absolute limits only where Slack or a person sets them.
 */
import type { ColdStartResult } from './cold-start';
import type { AckResult } from './sections/ack';
import type { AckAwsResult } from './sections/ack-aws';
import type { LifecycleCostResult } from './sections/lifecycle-cost';
import type { StartResult } from './sections/start';

/** The limits, in one place. */
export const TARGETS = {
  /** Every Slack request kind's acknowledgement p99, over the floor's p99 (loopback). */
  ackP99XFloor: 2,
  /** Approve click to the JIT POST, over the floor, at p50 and at p99 (loopback). */
  approveToPostXFloor: 3,
  /** Cold invocation (init + first request) over the Bolt baseline's. */
  ingressColdXBaseline: 1.1,
  taskColdXBaseline: 1.0,
  /** Under the AWS-like latency profile, every kind's p99 (ms). */
  awsWarmP99Ms: 600,
  awsColdP99Ms: 1500,
  /** `npm start` to `ready`, median (ms). */
  startP50Ms: 3000,
  /** Cost and transitions per approved lifecycle must not rise above where they stood. */
  usdPer1000: 0.245,
  stateTransitions: 8,
} as const;

/** One target and how the run fared. */
export interface TargetRow {
  readonly target: string;
  readonly measured: number;
  readonly met: boolean;
}

/** The figures the targets are checked against. */
export interface RunFigures {
  readonly cold: ColdStartResult;
  readonly ack: AckResult;
  readonly ackAws: AckAwsResult;
  readonly start: StartResult;
  readonly cost: LifecycleCostResult;
  readonly usdPer1000: number;
}

const worst = (values: readonly number[]): number => Math.max(...values);

/** Each target with the run's figure for it. */
export function checkTargets(f: RunFigures): TargetRow[] {
  const t = TARGETS;
  const ackX = worst(Object.values(f.ack.ratioToFloor).map((r) => r.p99));
  const post = f.ack.approveToGrantMs;
  const postX50 = post.p50 / f.ack.floorMs.p50;
  const postX99 = post.p99 / f.ack.floorMs.p99;
  const ingress = f.cold.functions.find((r) => r.name === 'slack-ingress');
  const tasks = f.cold.functions.filter((r) => r.name !== 'slack-ingress');
  const ingressX = ingress?.coldRequestRatioToBaseline ?? Number.POSITIVE_INFINITY;
  const taskX = worst(tasks.map((r) => r.coldRequestRatioToBaseline));
  const awsWarm = worst(Object.values(f.ackAws.warm).map((r) => r.latencyMs.p99));
  const awsCold = worst(Object.values(f.ackAws.cold).map((r) => r.latencyMs.p99));
  const transitions = worst(f.cost.levels.map((l) => l.stateTransitionsMax));
  const row = (target: string, measured: number, limit: number): TargetRow => ({
    target,
    measured: Math.round(measured * 1000) / 1000,
    met: measured <= limit,
  });
  return [
    row(`Slack ack p99 <= ${t.ackP99XFloor}x floor p99 (worst kind, loopback)`, ackX, t.ackP99XFloor),
    row(`Approve -> POST p50 <= ${t.approveToPostXFloor}x floor p50`, postX50, t.approveToPostXFloor),
    row(`Approve -> POST p99 <= ${t.approveToPostXFloor}x floor p99`, postX99, t.approveToPostXFloor),
    row(`slack-ingress cold (init + 1st) <= ${t.ingressColdXBaseline}x baseline`, ingressX, t.ingressColdXBaseline),
    row(`every task cold (init + 1st) <= ${t.taskColdXBaseline}x baseline (worst)`, taskX, t.taskColdXBaseline),
    row(`aws profile warm p99 <= ${t.awsWarmP99Ms} ms (worst kind)`, awsWarm, t.awsWarmP99Ms),
    row(`aws profile cold p99 <= ${t.awsColdP99Ms} ms (worst kind)`, awsCold, t.awsColdP99Ms),
    row(`npm start ready p50 <= ${t.startP50Ms} ms`, f.start.readyMs.p50, t.startP50Ms),
    row(`<= $${t.usdPer1000} per 1,000 approved lifecycles`, f.usdPer1000, t.usdPer1000),
    row(`<= ${t.stateTransitions} state transitions per approved lifecycle`, transitions, t.stateTransitions),
  ];
}
