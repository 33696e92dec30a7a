import { GrantNotOverError } from '../../lambdas/lifecycle/errors';
import { ENDS_CHANGED, revokeAccess } from '../../lambdas/lifecycle/revoke';
import { OntapTransientError } from '../../lambdas/ontap/errors';
import { liveGrant } from '../support/fakes';
import { at } from '../support/requests';

describe('revokeAccess', () => {
  it('removes the entry, records EXPIRED at the end of the window, releases the lock, then tells everyone', async () => {
    const { ports, store, ontap, notifier, logger, request, clock } = liveGrant();
    clock.set(at(62));
    const out = await revokeAccess(ports, { requestId: request.id, wait: { Error: 'States.Timeout' } }, logger);
    expect(out).toEqual({ status: 'EXPIRED', alreadyGone: false });
    expect(ontap.entries.size).toBe(0);
    expect(store.heldLocks()).toEqual([]);
    expect(notifier.shown('requester')).toEqual(['EXPIRED']);
    expect((await store.get(request.id)).told).toContain('ended');
  });

  it('records REVOKED after "Revoke now"', async () => {
    const { ports, store, logger, request } = liveGrant();
    store.force(request.id, { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(5) });
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).resolves.toEqual({
      status: 'REVOKED',
      alreadyGone: false,
    });
  });

  it('counts an entry already gone (ONTAP ended it, or a lost answer) as removed, and says so', async () => {
    const { ports, ontap, logger, request } = liveGrant();
    ontap.fail('removeJitUser', { error: new OntapTransientError('timed out', 'timeout'), afterWork: true });
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).rejects.toThrow(OntapTransientError);
    // The retry finds nothing to remove: done, not failed.
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).resolves.toEqual({
      status: 'EXPIRED',
      alreadyGone: true,
    });
  });

  it('keeps the grant live and its lock held when the cluster cannot be asked: nobody is told it ended', async () => {
    const { ports, store, ontap, notifier, logger, request } = liveGrant();
    ontap.fail('removeJitUser', { error: new OntapTransientError('unreachable', 'network') });
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).rejects.toThrow(OntapTransientError);
    expect((await store.get(request.id)).status).toBe('ACTIVE');
    expect(store.heldLocks()).toHaveLength(1);
    expect(notifier.sent).toEqual([]);
  });

  it("never removes another grant's entry under the same key", async () => {
    const { ports, store, ontap, logger, request, key } = liveGrant();
    await store.releaseGrantLock(key, request.id);
    store.putLock(key, 'JIT-NEXT', at(120));
    const theirs = { ownerUuid: key.svmUuid, account: key.account, comment: 'ontap-jit-approvals request JIT-NEXT' };
    ontap.putEntry(theirs);
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).resolves.toMatchObject({ status: 'EXPIRED' });
    expect(ontap.count('removeJitUser')).toBe(0);
    expect([...ontap.entries.values()]).toEqual([expect.objectContaining({ comment: theirs.comment })]);
    expect(store.heldLocks()).toEqual([expect.objectContaining({ requestId: 'JIT-NEXT' })]);
  });

  it('leaves an entry whose comment names another grant even while holding the lock', async () => {
    const { ports, ontap, logger, request, key } = liveGrant();
    ontap.putEntry({ ownerUuid: key.svmUuid, account: key.account, comment: 'made by hand' });
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).resolves.toMatchObject({ status: 'EXPIRED' });
    expect(ontap.entries.size).toBe(1);
  });

  it('retries a failed revoke to its end', async () => {
    const { ports, ontap, logger, request } = liveGrant('REVOKE_FAILED');
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).resolves.toEqual({
      status: 'EXPIRED',
      alreadyGone: false,
    });
    expect(ontap.entries.size).toBe(0);
  });

  it('does nothing to a request already ended (the reconciler got there first), and tells nobody twice', async () => {
    const { ports, store, ontap, notifier, logger, request } = liveGrant();
    await revokeAccess(ports, { requestId: request.id }, logger);
    const told = notifier.sent.length;
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).resolves.toEqual({
      status: 'EXPIRED',
      alreadyGone: true,
    });
    expect(ontap.count('removeJitUser')).toBe(1);
    expect(notifier.sent).toHaveLength(told);
    expect((await store.getStored(request.id)).history.filter((e) => e.to === 'EXPIRED')).toHaveLength(1);
  });

  it('does not tell anyone when a concurrent revoke recorded the end first', async () => {
    const { ports, store, notifier, logger, request } = liveGrant();
    store.interleave(() => store.force(request.id, { type: 'REVOKED', at: at(62), alreadyGone: false }));
    await expect(revokeAccess(ports, { requestId: request.id }, logger)).resolves.toMatchObject({
      status: 'EXPIRED',
    });
    expect(notifier.sent).toEqual([]);
    expect(store.heldLocks()).toEqual([]);
  });
});

describe('revokeAccess woken before the end', () => {
  it('revokes nothing, tells "ends soon" once its time has come, and hands back to the wait', async () => {
    const { ports, store, ontap, notifier, logger, request, clock } = liveGrant();
    await store.update(request.id, ['ACTIVE'], (s) => ({ ...s, request: { ...s.request, endsSoonAt: at(47) } }));
    clock.set(at(47));
    const woken = revokeAccess(ports, { requestId: request.id, wait: { Error: 'States.Timeout' } }, logger);
    await expect(woken).rejects.toThrow(GrantNotOverError);
    expect(ontap.entries.size).toBe(1);
    expect(notifier.milestones()).toEqual(['ends-soon']);
    expect((await store.get(request.id)).told).toContain('ends-soon');
    // Woken again (a retried task): nothing told twice.
    await expect(
      revokeAccess(ports, { requestId: request.id, wait: { Error: 'States.Timeout' } }, logger),
    ).rejects.toThrow(GrantNotOverError);
    expect(notifier.milestones()).toEqual(['ends-soon']);
  });

  it('still ends the grant at once for "Revoke now", whatever the time', async () => {
    const { ports, store, ontap, logger, request } = liveGrant();
    store.force(request.id, { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(5) });
    await expect(
      revokeAccess(ports, { requestId: request.id, wait: { reason: 'REVOKE_NOW' } }, logger),
    ).resolves.toEqual({
      status: 'REVOKED',
      alreadyGone: false,
    });
    expect(ontap.entries.size).toBe(0);
  });

  it('a moved end wakes the wait too, and the record says whether it is over', async () => {
    const { ports, ontap, logger, request, clock } = liveGrant();
    clock.set(at(30));
    const moved = revokeAccess(ports, { requestId: request.id, wait: { reason: ENDS_CHANGED } }, logger);
    await expect(moved).rejects.toThrow(GrantNotOverError);
    expect(ontap.entries.size).toBe(1);
  });
});
