/**
 * The grant started on what the approval named (its lock's key and end, the requester and the policy):
 * the lock, the requester's lookup and the read go out at once, and nothing reaches the cluster before
 * the read has confirmed them. Every ordering of the three keeps one grant per lock and grants nothing
 * to a requester the stored request does not name or who no longer qualifies.
 */
import { type GrantAhead, grantAhead, minRemainingSeconds } from '../../lambdas/domain/approval-route';
import type { AccessRequest } from '../../lambdas/domain/request';
import { GrantConflictError, RequestClosedError, RequestInvalidError } from '../../lambdas/lifecycle/errors';
import { grantAccess, grantKeyOf } from '../../lambdas/lifecycle/grant';
import { OntapTransientError } from '../../lambdas/ontap/errors';
import { fakePorts } from '../support/fakes';
import { at, pendingRequest, requestIn, T0 } from '../support/requests';

/** An approved request in the fakes, and the Grant task's input carrying what the approval named. */
function approvedAhead(request: AccessRequest = requestIn('APPROVED'), changes: Partial<GrantAhead> = {}) {
  const f = fakePorts();
  f.store.put(request);
  const policy = f.ports.config.policies.find((p) => p.name === request.policy);
  const ahead = grantAhead(request, T0, minRemainingSeconds(policy));
  if (!ahead) throw new Error('the request names no grant ahead');
  const input = {
    requestId: request.id,
    start: T0,
    sessionValiditySeconds: 1800,
    decision: { ahead: { ...ahead, ...changes } },
  };
  return { ...f, request, ahead, input };
}

/** Records, in order, when the lock, the requester's lookup and the read are asked for and when the read answers. */
function watch(f: ReturnType<typeof approvedAhead>): { order: string[]; releaseRead: () => void } {
  const order: string[] = [];
  let releaseRead: () => void = () => undefined;
  const read = new Promise<void>((resolve) => {
    releaseRead = resolve;
  });
  const get = f.store.getStored.bind(f.store);
  f.store.getStored = async (id) => {
    order.push('read asked');
    await read;
    order.push('read answered');
    return get(id);
  };
  const acquire = f.store.acquireGrantLock.bind(f.store);
  f.store.acquireGrantLock = async (...args) => {
    order.push(`lock ${args[0].account}`);
    return acquire(...args);
  };
  const requesterNow = f.directory.requesterNow.bind(f.directory);
  f.directory.requesterNow = async (...args) => {
    order.push(`lookup ${args[0]}`);
    return requesterNow(...args);
  };
  return { order, releaseRead };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a grant started on what the approval named', () => {
  it('asks for the lock and the requester with the read, and grants on them once the read confirms them', async () => {
    const f = approvedAhead();
    const { order, releaseRead } = watch(f);
    const run = grantAccess(f.ports, f.input, f.logger);
    await settle();
    expect(order).toEqual(['lookup U0ALICE', 'lock alice', 'read asked']);
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    releaseRead();
    await expect(run).resolves.toEqual({ window: { start: T0, end: at(60) }, endTimeoutSeconds: 3600 });
    // Nothing asked twice.
    expect(order).toEqual(['lookup U0ALICE', 'lock alice', 'read asked', 'read answered']);
    expect(f.store.heldLocks()).toEqual([{ key: grantKeyOf(f.request), requestId: f.request.id, until: at(60) }]);
    expect(f.ontap.count('ensureJitUser')).toBe(1);
    expect((await f.store.get(f.request.id)).status).toBe('ACTIVE');
  });

  it('lock taken, request found cancelled: the lock is given back, nothing granted, both sides shown where it stands', async () => {
    const f = approvedAhead();
    f.store.force(f.request.id, { type: 'CANCEL', by: 'U0BOB', at: at(1), reason: 'not needed' });
    await expect(grantAccess(f.ports, f.input, f.logger)).rejects.toThrow(RequestClosedError);
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    expect(f.store.heldLocks()).toEqual([]);
    expect(f.notifier.shown('requester')).toEqual(['CANCELLED']);
  });

  it('request cancelled after an earlier try made the entry: that entry is removed before the lock is given back', async () => {
    const f = approvedAhead();
    f.ontap.fail('ensureJitUser', { error: new OntapTransientError('timed out', 'timeout'), afterWork: true });
    await expect(grantAccess(f.ports, f.input, f.logger)).rejects.toThrow(OntapTransientError);
    expect(f.ontap.entries.size).toBe(1);
    f.store.force(f.request.id, { type: 'CANCEL', by: 'U0BOB', at: at(1), reason: 'not needed' });

    await expect(grantAccess(f.ports, f.input, f.logger)).rejects.toThrow(RequestClosedError);
    expect(f.ontap.entries.size).toBe(0);
    expect(f.store.heldLocks()).toEqual([]);
  });

  it('a live grant found at the read (an earlier try recorded it) is that grant: entry and lock kept, nothing made again', async () => {
    const f = approvedAhead();
    const first = await grantAccess(f.ports, f.input, f.logger);
    await expect(grantAccess(f.ports, f.input, f.logger)).resolves.toEqual(first);
    expect(f.ontap.count('ensureJitUser')).toBe(1);
    expect(f.ontap.entries.size).toBe(1);
    expect(f.store.heldLocks()).toEqual([{ key: grantKeyOf(f.request), requestId: f.request.id, until: at(60) }]);
  });

  it('lock held by another request: refused, the other lock untouched, nothing sent to the cluster', async () => {
    const f = approvedAhead();
    f.store.putLock(grantKeyOf(f.request), 'JIT-OTHER', at(30));
    const run = grantAccess(f.ports, f.input, f.logger);
    await expect(run).rejects.toThrow(GrantConflictError);
    await expect(run).rejects.toThrow('JIT-OTHER');
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    expect(f.store.heldLocks()).toEqual([{ key: grantKeyOf(f.request), requestId: 'JIT-OTHER', until: at(30) }]);
  });

  it('requester gone: the request closes, the lock taken ahead is given back, nothing granted', async () => {
    const f = approvedAhead();
    f.directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    await expect(grantAccess(f.ports, f.input, f.logger)).rejects.toThrow(RequestClosedError);
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    expect(f.store.heldLocks()).toEqual([]);
    expect((await f.store.get(f.request.id)).status).toBe('FAILED');
  });

  it('requester gone after an earlier try made the entry: that entry is removed before the lock is given back', async () => {
    const f = approvedAhead();
    f.ontap.fail('ensureJitUser', { error: new OntapTransientError('timed out', 'timeout'), afterWork: true });
    await expect(grantAccess(f.ports, f.input, f.logger)).rejects.toThrow(OntapTransientError);
    expect(f.ontap.entries.size).toBe(1);
    f.directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });

    await expect(grantAccess(f.ports, f.input, f.logger)).rejects.toThrow(RequestClosedError);
    expect(f.ontap.entries.size).toBe(0);
    expect(f.store.heldLocks()).toEqual([]);
    expect((await f.store.get(f.request.id)).status).toBe('FAILED');
  });

  it("naming another account's lock: that lock is given back, the request's own taken, its own account granted", async () => {
    const f = approvedAhead(undefined, { account: 'mallory' });
    const { order, releaseRead } = watch(f);
    releaseRead();
    await expect(grantAccess(f.ports, f.input, f.logger)).resolves.toMatchObject({ window: { start: T0 } });
    expect(order).toEqual(['lookup U0ALICE', 'lock mallory', 'read asked', 'read answered', 'lock alice']);
    expect(f.store.heldLocks()).toEqual([{ key: grantKeyOf(f.request), requestId: f.request.id, until: at(60) }]);
    expect([...f.ontap.entries.values()].map((e) => e.account)).toEqual(['alice']);
    expect(JSON.stringify(f.logger.lines)).toContain('another lock or requester than the request names');
  });

  it('naming another requester who qualifies, while the stored one is gone: decided on the stored one', async () => {
    const f = approvedAhead(undefined, { requester: 'U0DAVE' });
    f.directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    const { order, releaseRead } = watch(f);
    releaseRead();
    await expect(grantAccess(f.ports, f.input, f.logger)).rejects.toThrow(RequestClosedError);
    expect(order).toContain('lookup U0ALICE');
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    expect(f.store.heldLocks()).toEqual([]);
    expect((await f.store.get(f.request.id)).status).toBe('FAILED');
  });

  it('naming another end: the lock is taken again with the end the request gives, never let go meanwhile', async () => {
    const f = approvedAhead(undefined, { until: at(600) });
    const release = f.store.releaseGrantLock.bind(f.store);
    const released: string[] = [];
    f.store.releaseGrantLock = async (key, id) => {
      released.push(id);
      return release(key, id);
    };
    await expect(grantAccess(f.ports, f.input, f.logger)).resolves.toMatchObject({ window: { end: at(60) } });
    expect(released).toEqual([]);
    expect(f.store.heldLocks()).toEqual([{ key: grantKeyOf(f.request), requestId: f.request.id, until: at(60) }]);
  });

  it('a read that fails leaves the lock taken ahead; the retry takes it again and grants once', async () => {
    const f = approvedAhead();
    const get = f.store.getStored.bind(f.store);
    let failures = 1;
    f.store.getStored = async (id) => {
      if (failures-- > 0)
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
          name: 'ThrottlingException',
        });
      return get(id);
    };
    await expect(grantAccess(f.ports, f.input, f.logger)).rejects.toThrow('Rate of requests');
    expect(f.store.heldLocks()).toEqual([{ key: grantKeyOf(f.request), requestId: f.request.id, until: at(60) }]);
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    await expect(grantAccess(f.ports, f.input, f.logger)).resolves.toMatchObject({ window: { start: T0 } });
    expect(f.ontap.entries.size).toBe(1);
    expect(f.store.heldLocks()).toHaveLength(1);
  });

  it('a window too short from the start it was given: the lock taken ahead is given back, nothing granted', async () => {
    const scheduled = requestIn('APPROVED', pendingRequest({ requestedStart: at(0) }));
    const f = approvedAhead(scheduled);
    f.clock.set(at(50));
    const run = grantAccess(f.ports, { ...f.input, start: at(50) }, f.logger);
    await expect(run).rejects.toThrow(RequestInvalidError);
    expect(f.ontap.count('ensureJitUser')).toBe(0);
    expect(f.store.heldLocks()).toEqual([]);
  });

  it('an input naming nothing ahead grants as before: the read first', async () => {
    const f = approvedAhead();
    const { order, releaseRead } = watch(f);
    releaseRead();
    const { decision: _, ...plain } = f.input;
    await expect(grantAccess(f.ports, plain, f.logger)).resolves.toMatchObject({ window: { start: T0 } });
    expect(order).toEqual(['read asked', 'read answered', 'lock alice', 'lookup U0ALICE']);
  });
});
