import { Logger } from '../../lambdas/runtime/logger';
import { METRIC_NAMESPACE, OVERDUE_GRANTS_METRIC } from '../../lambdas/runtime/metrics';
import { OVERDUE_GRACE_SECONDS, sweepOverdueGrants } from '../../lambdas/workflow/sweep';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest, requestIn } from '../support/requests';

const dynamo = useDynamo();

/** A logger collecting its lines, parsed. */
function collectingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { log: new Logger({ task: 'sweep' }, 'info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)), lines };
}

const clockAt = (iso: string) => ({ now: () => Date.parse(iso) });

describe('the overdue-grant sweep (dynalite)', () => {
  // Windows in requests.ts end at T0 + 62 minutes.
  const end = at(62);

  beforeAll(async () => {
    const { store } = dynamo();
    await store.create(requestIn('ACTIVE', pendingRequest({ id: '20261122-SWEEP0000001' })));
    await store.create(requestIn('REVOKE_FAILED', pendingRequest({ id: '20261122-SWEEP0000002' })));
    await store.create(requestIn('REVOKED', pendingRequest({ id: '20261122-SWEEP0000003' })));
    await store.create(requestIn('PENDING', pendingRequest({ id: '20261122-SWEEP0000004' })));
  });

  it('counts nothing while the grants are within their window or its grace period, and says so with a zero', async () => {
    const { log, lines } = collectingLogger();
    const graceEnds = Date.parse(end) + OVERDUE_GRACE_SECONDS * 1000;
    const ends: string[] = [];
    const result = await sweepOverdueGrants({ store: dynamo().store, clock: { now: () => graceEnds - 1000 } }, log, async (id) => {
      ends.push(id);
      return { status: 'EXPIRED' };
    });
    expect(result).toEqual({ overdue: 0, requestIds: [], ended: [], stillLive: [] });
    expect(ends).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ [OVERDUE_GRANTS_METRIC]: 0 })]);
  });

  it('finds live grants (active or revoke-failed) past their end and grace, logs each, ends what it can, and publishes what is still live in EMF', async () => {
    const { log, lines } = collectingLogger();
    // The first ends this time; the second's cluster still refuses.
    const result = await sweepOverdueGrants({ store: dynamo().store, clock: clockAt(at(62 + 60)) }, log, async (id) => {
      if (id === '20261122-SWEEP0000002') throw new Error('cluster unreachable');
      return { status: 'EXPIRED' };
    });
    expect(result).toEqual({
      overdue: 2,
      requestIds: ['20261122-SWEEP0000001', '20261122-SWEEP0000002'],
      ended: ['20261122-SWEEP0000001'],
      stillLive: ['20261122-SWEEP0000002'],
    });
    expect(lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ message: 'the sweep could not end the grant', requestId: '20261122-SWEEP0000002' }),
    ]);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({ message: 'grant live past its end', requestId: '20261122-SWEEP0000001', status: 'ACTIVE', windowEnd: end, overdueSeconds: 3600 }),
      expect.objectContaining({ requestId: '20261122-SWEEP0000002', status: 'REVOKE_FAILED', cluster: 'cluster1', account: 'alice' }),
    ]);
    const metric = lines.find((l) => '_aws' in l);
    expect(metric).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Metrics: [{ Name: OVERDUE_GRANTS_METRIC, Unit: 'Count' }] }] },
      [OVERDUE_GRANTS_METRIC]: 1,
    });
  });
});
