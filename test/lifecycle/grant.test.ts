import type { AccessRequest } from '../../lambdas/domain/request';
import { GrantConflictError, RequestClosedError, RequestInvalidError } from '../../lambdas/lifecycle/errors';
import { cleanUpGrant, entryComment, grantAccess, grantKeyOf } from '../../lambdas/lifecycle/grant';
import { OntapTransientError } from '../../lambdas/ontap/errors';
import { SlackLookupError } from '../../lambdas/slack/errors';
import { FAKE_SVM_UUID } from '../support/fake-ontap';
import { fakePorts } from '../support/fakes';
import { at, pendingRequest, requestIn, T0 } from '../support/requests';

function approved(request: AccessRequest = requestIn('APPROVED')) {
  const f = fakePorts();
  f.store.put(request);
  return { ...f, request, input: { requestId: request.id, start: T0, sessionValiditySeconds: 1800 } };
}

describe('grantAccess', () => {
  it('creates exactly the approved entry, takes the lock, records GRANTED and only then says so', async () => {
    const { ports, store, ontap, notifier, logger, request, input } = approved();
    const out = await grantAccess(ports, input, logger);

    // The first end wait lasts until "ends soon" (15 minutes before the end, the default notice).
    expect(out).toEqual({ window: { start: T0, end: at(60) }, endTimeoutSeconds: 3600 });
    expect([...ontap.entries.values()]).toEqual([
      expect.objectContaining({
        ownerUuid: FAKE_SVM_UUID,
        account: 'alice',
        role: 'vsadmin',
        jitValidity: '3600',
        sessionValidity: '1800',
        startTime: T0,
        comment: entryComment(request),
      }),
    ]);
    expect(store.heldLocks()).toEqual([{ key: grantKeyOf(request), requestId: request.id, until: at(60) }]);
    expect(await store.get(request.id)).toMatchObject({ status: 'ACTIVE', window: { start: T0, end: at(60) } });
    expect(notifier.shown('requester')).toEqual(['ACTIVE']);
    // The requester's card was posted just now, a new message: it tells them; no approval message to thread under.
    expect((await store.get(request.id)).told).toEqual(['granted']);
  });

  it('counts an entry made by a try whose answer was lost as made, and grants once', async () => {
    const { ports, store, ontap, notifier, logger, request, input } = approved();
    ontap.fail('ensureJitUser', { error: new OntapTransientError('timed out', 'timeout'), afterWork: true });
    await expect(grantAccess(ports, input, logger)).rejects.toThrow(OntapTransientError);
    expect((await store.get(request.id)).status).toBe('APPROVED');
    expect(notifier.sent).toEqual([]);

    // The state machine's retry, with the same start: the same entry, found.
    await expect(grantAccess(ports, input, logger)).resolves.toMatchObject({ window: { start: T0, end: at(60) } });
    expect(ontap.entries.size).toBe(1);
    expect((await store.get(request.id)).status).toBe('ACTIVE');
    expect(store.heldLocks()).toHaveLength(1);
  });

  it('refuses while another request holds the grant, and touches neither the cluster nor the other grant', async () => {
    const { ports, store, ontap, logger, request, input } = approved();
    store.putLock(grantKeyOf(request), 'JIT-OTHER', at(30));
    const run = grantAccess(ports, input, logger);
    await expect(run).rejects.toThrow(GrantConflictError);
    await expect(run).rejects.toThrow('JIT-OTHER');
    expect(ontap.count('ensureJitUser')).toBe(0);
    expect(store.heldLocks()).toEqual([{ key: grantKeyOf(request), requestId: 'JIT-OTHER', until: at(30) }]);
  });

  it('grants nothing to a requester who no longer qualifies', async () => {
    const { ports, store, ontap, directory, logger, request, input } = approved();
    directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    await expect(grantAccess(ports, input, logger)).rejects.toThrow(RequestClosedError);
    expect(ontap.count('ensureJitUser')).toBe(0);
    expect(store.heldLocks()).toEqual([]);
    expect((await store.get(request.id)).status).toBe('FAILED');
  });

  it('takes the lock while the requester is checked again: one write fewer before the POST', async () => {
    const { ports, store, directory, logger, request, input } = approved();
    const order: string[] = [];
    const acquire = store.acquireGrantLock.bind(store);
    store.acquireGrantLock = async (...args) => {
      order.push('lock taken');
      return acquire(...args);
    };
    const requesterNow = directory.requesterNow.bind(directory);
    directory.requesterNow = async (...args) => {
      const out = await requesterNow(...args);
      await new Promise((resolve) => setImmediate(resolve));
      order.push('requester checked');
      return out;
    };
    await expect(grantAccess(ports, input, logger)).resolves.toMatchObject({ window: { start: T0 } });
    expect(order).toEqual(['lock taken', 'requester checked']);
    expect(store.heldLocks()).toEqual([{ key: grantKeyOf(request), requestId: request.id, until: at(60) }]);
  });

  it('a requester gone while another grant holds the lock: closed, and the other lock untouched', async () => {
    const { ports, store, directory, ontap, logger, request, input } = approved();
    store.putLock(grantKeyOf(request), 'JIT-OTHER', at(30));
    directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    await expect(grantAccess(ports, input, logger)).rejects.toThrow(RequestClosedError);
    expect(ontap.count('ensureJitUser')).toBe(0);
    expect(store.heldLocks()).toEqual([{ key: grantKeyOf(request), requestId: 'JIT-OTHER', until: at(30) }]);
  });

  it('keeps its lock when Slack could not be asked, so the retry takes it again and grants once', async () => {
    const { ports, store, directory, ontap, logger, request, input } = approved();
    directory.faults.add('lookup', { error: new SlackLookupError('users.info', { cause: new Error('timeout') }) });
    await expect(grantAccess(ports, input, logger)).rejects.toThrow();
    expect(ontap.count('ensureJitUser')).toBe(0);
    expect(store.heldLocks()).toEqual([{ key: grantKeyOf(request), requestId: request.id, until: at(60) }]);
    await expect(grantAccess(ports, input, logger)).resolves.toMatchObject({ window: { start: T0, end: at(60) } });
    expect(ontap.entries.size).toBe(1);
    expect(store.heldLocks()).toHaveLength(1);
  });

  it('stops for a request no longer approved, telling people where it stands', async () => {
    const cancelled = requestIn('CANCELLED');
    const { ports, ontap, notifier, logger, input } = approved(cancelled);
    await expect(grantAccess(ports, input, logger)).rejects.toThrow(RequestClosedError);
    expect(ontap.count('ensureJitUser')).toBe(0);
    expect(notifier.shown('requester')).toEqual(['CANCELLED']);
  });

  it('keeps the requested end of a scheduled window approved late, and refuses when too little is left', async () => {
    const scheduled = requestIn('APPROVED', pendingRequest({ requestedStart: at(0) }));
    const late = approved(scheduled);
    await expect(grantAccess(late.ports, { ...late.input, start: at(20) }, late.logger)).resolves.toMatchObject({
      // Approved at +1 min; the retry at +20 min asks for the same entry: from the approval to the requested end.
      window: { start: at(1), end: at(60) },
    });

    const tooLate = approved(requestIn('APPROVED', pendingRequest({ requestedStart: at(0) })));
    tooLate.clock.set(at(50));
    const run = grantAccess(tooLate.ports, { ...tooLate.input, start: at(50) }, tooLate.logger);
    await expect(run).rejects.toThrow(RequestInvalidError);
    expect(tooLate.ontap.count('ensureJitUser')).toBe(0);
  });

  it('takes the entry back when a cancel lands while it is made, and says it was cancelled, not granted', async () => {
    const { ports, store, ontap, notifier, logger, request, input } = approved();
    // The cancel lands between the entry and the GRANTED write.
    store.interleave(() => store.force(request.id, { type: 'CANCEL', by: 'U0BOB', at: at(2), reason: 'not needed' }));
    await expect(grantAccess(ports, input, logger)).rejects.toThrow(RequestClosedError);
    expect(ontap.entries.size).toBe(0);
    expect(store.heldLocks()).toEqual([]);
    expect(notifier.shown('requester')).toEqual(['CANCELLED']);
    expect(notifier.sent.some((n) => n.status === 'ACTIVE')).toBe(false);
  });

  it('does not fail a recorded grant when Slack cannot be told', async () => {
    const { ports, store, notifier, logger, request, input } = approved();
    notifier.faults.add('requester', { error: new Error('slack down') });
    notifier.faults.add('thread', { error: new Error('slack down') });
    await expect(grantAccess(ports, input, logger)).resolves.toMatchObject({ endTimeoutSeconds: 3600 });
    const stored = await store.getStored(request.id);
    expect(stored.request.status).toBe('ACTIVE');
    expect(stored.notifyRepair).toBe(true);
  });
});

describe('cleanUpGrant', () => {
  it("removes only this request's entry and releases its lock", async () => {
    const { ports, store, ontap, logger, request } = approved();
    const key = grantKeyOf(request);
    store.putLock(key, request.id, at(60));
    ontap.putEntry({ ownerUuid: key.svmUuid, account: key.account, comment: entryComment(request) });
    await expect(cleanUpGrant(ports, request, logger)).resolves.toEqual({ removed: true });
    expect(ontap.entries.size).toBe(0);
    expect(store.heldLocks()).toEqual([]);
  });

  it("leaves another grant's entry and lock alone", async () => {
    const { ports, store, ontap, logger, request } = approved();
    const key = grantKeyOf(request);
    ontap.putEntry({ ownerUuid: key.svmUuid, account: key.account, comment: 'ontap-jit-approvals request JIT-OTHER' });
    store.putLock(key, 'JIT-OTHER', at(60));
    await expect(cleanUpGrant(ports, request, logger)).resolves.toEqual({ removed: false });
    expect(ontap.count('removeJitUser')).toBe(0);
    expect(store.heldLocks()).toHaveLength(1);

    // Its lock, but somebody else's entry (the comment says so): the entry stays, the lock goes.
    store.putLock(key, request.id, at(60));
    await expect(cleanUpGrant(ports, request, logger)).resolves.toEqual({ removed: false });
    expect(ontap.entries.size).toBe(1);
    expect(store.heldLocks()).toEqual([]);
  });

  it('keeps the lock when the cluster cannot be asked, so the clean-up is tried again', async () => {
    const { ports, store, ontap, logger, request } = approved();
    store.putLock(grantKeyOf(request), request.id, at(60));
    ontap.fail('removeJitUser', { error: new OntapTransientError('unreachable', 'network') });
    await expect(cleanUpGrant(ports, request, logger)).rejects.toThrow(OntapTransientError);
    expect(store.heldLocks()).toHaveLength(1);
  });
});
