import type { RunFigures } from '../../bench/targets';
import { checkTargets, TARGETS } from '../../bench/targets';

const summary = (p50: number, p99: number) => ({ n: 10, p50, p90: p99, p99, max: p99, mean: p50 });
const coldRow = (name: string, x: number) => ({ name, coldRequestRatioToBaseline: x });
const awsRow = (p99: number) => ({ latencyMs: summary(p99 / 2, p99) });

/** A run's figures, every target met unless `over` changes one. */
function figures(over: Partial<Record<string, number>> = {}): RunFigures {
  const v = (k: string, d: number): number => over[k] ?? d;
  return {
    cold: { functions: [coldRow('slack-ingress', v('ingressX', 1.05)), coldRow('grant-access', v('taskX', 0.9))] },
    ack: {
      floorMs: summary(2, 10),
      ratioToFloor: { a: { p50: 3, p99: v('ackX', 1.5) }, b: { p50: 3, p99: 1.2 } },
      approveToGrantMs: summary(v('post50', 5), v('post99', 25)),
    },
    ackAws: { warm: { a: awsRow(v('awsWarm', 500)) }, cold: { a: awsRow(v('awsCold', 1400)) } },
    start: { readyMs: summary(v('start', 1600), 1700) },
    cost: { levels: [{ stateTransitionsMax: v('transitions', 8) }] },
    usdPer1000: v('usd', 0.238),
  } as unknown as RunFigures;
}

describe('checkTargets', () => {
  it('meets every target with figures inside every limit', () => {
    const rows = checkTargets(figures());
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => !r.met)).toEqual([]);
  });

  it.each([
    ['ackX', 2.01, /Slack ack p99/],
    ['post50', 6.1, /POST p50/],
    ['post99', 31, /POST p99/],
    ['ingressX', 1.2, /slack-ingress cold/],
    ['taskX', 1.01, /every task cold/],
    ['awsWarm', 601, /warm p99/],
    ['awsCold', 1501, /cold p99/],
    ['start', 3001, /npm start/],
    ['usd', 0.246, /per 1,000/],
    ['transitions', 9, /state transitions/],
  ])('misses exactly one target when %s is %d', (key, value, name) => {
    const missed = checkTargets(figures({ [key]: value })).filter((r) => !r.met);
    expect(missed).toHaveLength(1);
    expect(missed[0]?.target).toMatch(name);
  });

  it('reads ratios to the floor measured in the same run, not absolute times', () => {
    const rows = checkTargets(figures({ post50: 3 * 2 }));
    expect(rows.find((r) => /POST p50/.test(r.target))).toMatchObject({ measured: 3, met: true });
    expect(TARGETS.approveToPostXFloor).toBe(3);
  });
});
