import type { AccessRequest } from '../../lambdas/domain/request';
import { entryComment, grantKeyOf } from '../../lambdas/lifecycle/grant';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { OntapTransientError } from '../../lambdas/ontap/errors';
import { OVERDUE_GRANTS_METRIC, RECONCILER_METRICS } from '../../lambdas/runtime/metrics';
import { type FakePorts, fakePorts, metricValues } from '../support/fakes';
import { at, pendingRequest, requestIn } from '../support/requests';

/** `n` grants live past their end (each its own account, entry and lock), in fakes whose clock is well past it. */
function overdue(n: number): { f: FakePorts; requests: AccessRequest[] } {
  const f = fakePorts({ now: at(70) });
  const requests = Array.from({ length: n }, (_, i) => {
    const account = `user${i}`;
    const request = requestIn(
      'ACTIVE',
      pendingRequest({ requester: { slackUserId: `U0USER${i}`, ontapAccount: account } }),
    );
    const key = grantKeyOf(request);
    f.store.put(request);
    f.store.putLock(key, request.id, at(62));
    f.ontap.putEntry({ ownerUuid: key.svmUuid, account: key.account, comment: entryComment(request) });
    return request;
  });
  return { f, requests };
}

const metric = (f: FakePorts, name: string): number[] => metricValues(f.logger, name);

describe('reconcile', () => {
  it('publishes its metrics on an idle pass, zeros included, and writes nothing', async () => {
    const f = fakePorts();
    f.store.put(pendingRequest());
    const result = await reconcile(f.ports, f.logger);
    expect(result).toMatchObject({ due: 0, repaired: 0, retrying: 0, more: false, overdueStillLive: [] });
    expect(metric(f, RECONCILER_METRICS.passes)).toEqual([1]);
    expect(metric(f, RECONCILER_METRICS.due)).toEqual([0]);
    expect(metric(f, OVERDUE_GRANTS_METRIC)).toEqual([0]);
    expect(f.store.writes).toBe(0);
    expect(await f.store.reconcilerCursor()).toBeUndefined();
  });

  it('ends every overdue grant, releases their locks and counts it', async () => {
    const { f, requests } = overdue(3);
    const result = await reconcile(f.ports, f.logger);
    // Three requests and their three locks are due; a lock looked at while its grant is live waits for it.
    expect(result).toMatchObject({ due: 6, events: { overdue: 3, revoked: 3 } });
    expect(result.repaired + result.retrying).toBe(6);
    for (const r of requests) expect((await f.store.get(r.id)).status).toBe('EXPIRED');
    expect(f.ontap.entries.size).toBe(0);
    expect(f.store.heldLocks()).toEqual([]);
    expect(metric(f, RECONCILER_METRICS.repaired)).toEqual([result.repaired]);
    expect(metric(f, OVERDUE_GRANTS_METRIC)).toEqual([0]);

    // A second pass finds nothing left to do.
    await expect(reconcile(f.ports, f.logger)).resolves.toMatchObject({ due: 0 });
  });

  it('files a repair that failed for a later pass, backing off, and reports the grant still live', async () => {
    const { f, requests } = overdue(1);
    const [request] = requests as [AccessRequest];
    f.ontap.fail('removeJitUser', { error: new OntapTransientError('unreachable', 'network'), always: true });
    const result = await reconcile(f.ports, f.logger);
    expect(result).toMatchObject({ retrying: 2, overdueStillLive: [request.id] });
    expect((await f.store.getStored(request.id)).repair).toEqual({ attempts: 1, nextAt: at(70.5) });
    expect(metric(f, OVERDUE_GRANTS_METRIC)).toEqual([1]);

    // Before its time it is not due again; after it, it is.
    await expect(reconcile(f.ports, f.logger)).resolves.toMatchObject({ due: 0 });
    f.clock.set(at(71));
    await expect(reconcile(f.ports, f.logger)).resolves.toMatchObject({ due: 2, retrying: 2 });
    expect((await f.store.getStored(request.id)).repair?.attempts).toBe(2);
  });

  it('reads at most its page budget, keeps where it stopped, and the next pass goes on from there', async () => {
    const { f } = overdue(3);
    const first = await reconcile(f.ports, f.logger, { pageSize: 2, pageBudget: 1 });
    expect(first).toMatchObject({ due: 2, more: true });
    expect(await f.store.reconcilerCursor()).toBeDefined();
    const second = await reconcile(f.ports, f.logger, { pageSize: 2, pageBudget: 5 });
    expect(second.more).toBe(false);
    expect(await f.store.reconcilerCursor()).toBeUndefined();
  });

  it('moves on from a cluster that does not answer, and puts its other items off to the next pass', async () => {
    const { f, requests } = overdue(4);
    f.ontap.hang('removeJitUser');
    // A deadline of 0 ms: a call that never answers always loses it, however loaded the machine.
    const result = await reconcile(f.ports, f.logger, { itemDeadlineMs: 0, clusterTimeouts: 2, perCluster: 1 });
    expect(result.repaired).toBe(0);
    expect(result.retrying).toBe(result.due);
    // Two items missed their deadline; the rest were filed for later without calling the cluster.
    expect(f.ontap.count('removeJitUser')).toBe(2);
    expect(result.overdueStillLive).toEqual(expect.arrayContaining(requests.map((r) => r.id)));
  });
});
