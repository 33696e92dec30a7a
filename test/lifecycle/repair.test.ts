import { type AccessRequest, STATUSES } from '../../lambdas/domain/request';
import { entryComment, grantKeyOf } from '../../lambdas/lifecycle/grant';
import { type RepairEvent, repairItem } from '../../lambdas/lifecycle/repair';
import { OntapTransientError } from '../../lambdas/ontap/errors';
import type { StoredRequest } from '../../lambdas/store/items';
import { type FakePorts, fakePorts, levelOf } from '../support/fakes';
import { at, pendingRequest, requestIn } from '../support/requests';

/** Fakes with `request` stored, the clock at `now`, and a counter of what the repairs did. */
function setUp(request: AccessRequest, now: string, extras: Partial<Omit<StoredRequest, 'request'>> = {}) {
  const f = fakePorts({ now });
  f.store.put(request, extras);
  const events: RepairEvent[] = [];
  const count = (event: RepairEvent): void => {
    events.push(event);
  };
  const repair = async (): Promise<unknown> =>
    repairItem(f.ports, { kind: 'request', stored: await f.store.getStored(request.id) }, f.logger, count);
  return { ...f, request, events, repair };
}

/** The request's entry on the fake cluster and its lock, as a grant leaves them. */
function granted(f: FakePorts, request: AccessRequest): void {
  const key = grantKeyOf(request);
  f.store.putLock(key, request.id, at(62));
  f.ontap.putEntry({ ownerUuid: key.svmUuid, account: key.account, comment: entryComment(request) });
}

describe('repairItem: a recorded approval the workflow did not take up', () => {
  it('sends the approval signal again with the stored token, and waits for the workflow', async () => {
    const t = setUp(requestIn('APPROVED'), at(2), { tokens: { approval: 'tok-1' } });
    t.workflow.waiting.add('tok-1');
    await expect(t.repair()).resolves.toEqual({ done: false, waiting: true });
    expect(t.workflow.taken()).toEqual([
      { kind: 'resumeApproval', target: 'tok-1', decision: 'APPROVED', taken: true },
    ]);
    // What the ingress would have sent, from the record now: straight to the grant, from the re-send.
    expect(t.workflow.completions).toEqual([
      {
        token: 'tok-1',
        outcome: {
          decision: 'APPROVED',
          route: 'GRANT',
          start: at(2),
          ahead: expect.objectContaining({ until: at(62) }),
        },
      },
    ]);
    expect(t.events).toEqual(['signal-resent']);
  });

  it('waits while the execution still runs (the token was used, the workflow is on its way)', async () => {
    const t = setUp(requestIn('APPROVED'), at(2), { tokens: { approval: 'tok-used' } });
    await expect(t.repair()).resolves.toEqual({ done: false, waiting: true });
    expect((await t.store.get(t.request.id)).status).toBe('APPROVED');
  });

  it('closes an approval whose execution is gone: failed, cleaned up, and said so', async () => {
    const t = setUp(requestIn('APPROVED'), at(2));
    granted(t, t.request);
    t.workflow.executions.set(t.request.id, 'GONE');
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect(await t.store.get(t.request.id)).toMatchObject({ status: 'FAILED', reason: /please ask again/ });
    expect(t.ontap.entries.size).toBe(0);
    expect(t.store.heldLocks()).toEqual([]);
    expect(t.notifier.shown('requester')).toEqual(['FAILED']);
    expect(t.events).toEqual(['approval-closed']);
  });

  it('is not due before the signal had its grace: the record says so, and nothing is done', async () => {
    const t = setUp(requestIn('APPROVED'), at(1));
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect(t.workflow.signals).toEqual([]);
  });
});

describe('repairItem: a recorded request whose workflow never recorded its execution', () => {
  // Created at at(0); the start's grace is START_GRACE_SECONDS (10 minutes).
  it('is not due within the grace: a person told "try again" may still send the form again', async () => {
    const t = setUp(pendingRequest({ createdAt: at(0) }), at(9));
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect((await t.store.get(t.request.id)).status).toBe('PENDING');
    expect(t.notifier.shown('requester')).toEqual([]);
  });

  it('keeps the ARN of an execution that runs after all (its first task was late), and closes nothing', async () => {
    const t = setUp(pendingRequest({ createdAt: at(0) }), at(11));
    t.workflow.executions.set(t.request.id, 'RUNNING');
    await expect(t.repair()).resolves.toEqual({ done: true });
    const stored = await t.store.get(t.request.id);
    expect(stored).toMatchObject({ status: 'PENDING', executionArn: t.workflow.executionArnOf(t.request.id) });
    expect(t.events).toEqual([]);
  });

  it('closes one whose workflow never started, tells the requester, and frees their open request', async () => {
    const t = setUp(pendingRequest({ createdAt: at(0) }), at(11));
    t.workflow.executions.set(t.request.id, 'GONE');
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect(await t.store.get(t.request.id)).toMatchObject({
      status: 'FAILED',
      reason: /could not be started/,
    });
    expect(t.notifier.shown('requester')).toEqual(['FAILED']);
    expect(t.workflow.signals.filter((s) => s.kind === 'start')).toEqual([]);
    expect(t.events).toEqual(['unstarted-closed']);
    // A second pass (the index lagging) changes nothing and tells nobody again.
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect(t.notifier.shown('requester')).toEqual(['FAILED']);
  });

  it('leaves a request alone once its execution is recorded', async () => {
    const t = setUp({ ...pendingRequest({ createdAt: at(0) }), executionArn: 'arn:x' }, at(30));
    t.workflow.executions.set(t.request.id, 'GONE');
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect((await t.store.get(t.request.id)).status).toBe('PENDING');
  });

  it('leaves the request as it was when Step Functions cannot be asked (the next pass tries again)', async () => {
    const t = setUp(pendingRequest({ createdAt: at(0) }), at(11));
    t.workflow.faults.add('executionState', { error: new Error('throttled') });
    await expect(t.repair()).rejects.toThrow('throttled');
    expect((await t.store.get(t.request.id)).status).toBe('PENDING');
  });
});

describe('repairItem: grants that must end', () => {
  it('revokes a grant live past its end and its grace, and tells everyone', async () => {
    const t = setUp(requestIn('ACTIVE'), at(70));
    granted(t, t.request);
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect((await t.store.get(t.request.id)).status).toBe('EXPIRED');
    expect(t.ontap.entries.size).toBe(0);
    expect(t.events).toEqual(['overdue', 'revoked']);
  });

  it('sends "Revoke now" again, and carries it out itself when the execution is gone', async () => {
    const active = requestIn('ACTIVE');
    const t = setUp(active, at(11), { tokens: { end: 'tok-end' } });
    granted(t, active);
    t.store.force(active.id, { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(10) });
    t.workflow.waiting.add('tok-end');
    await expect(t.repair()).resolves.toEqual({ done: false, waiting: true });
    expect(t.events).toEqual(['signal-resent']);

    t.workflow.executions.set(active.id, 'GONE');
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect((await t.store.get(active.id)).status).toBe('REVOKED');
    expect(t.ontap.entries.size).toBe(0);
  });

  it('retries a failed revoke, and throws (the pass files it for later) while the cluster is down', async () => {
    const t = setUp(requestIn('REVOKE_FAILED'), at(63));
    granted(t, t.request);
    t.ontap.fail('removeJitUser', { error: new OntapTransientError('unreachable', 'network') });
    await expect(t.repair()).rejects.toThrow(OntapTransientError);
    expect((await t.store.get(t.request.id)).status).toBe('REVOKE_FAILED');
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect((await t.store.get(t.request.id)).status).toBe('EXPIRED');
  });
});

describe('repairItem: a failed grant whose clean-up is pending', () => {
  async function pending() {
    const approved = requestIn('APPROVED');
    const t = setUp(approved, at(5));
    granted(t, approved);
    t.store.force(approved.id, { type: 'GRANT_FAILED', at: at(3), reason: 'cluster down', cleanupPending: true });
    // The failure itself was told when it was recorded.
    await t.store.update(approved.id, STATUSES, (s) => ({
      ...s,
      request: { ...s.request, told: [...(s.request.told ?? []), 'failed-cleanup-pending'] },
    }));
    return t;
  }

  it('removes the entry, records CLEANED_UP and only then tells anyone nothing was left', async () => {
    const t = await pending();
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect(t.ontap.entries.size).toBe(0);
    expect(await t.store.get(t.request.id)).not.toMatchObject({ cleanupPending: true });
    // The requester's card, posted now for the first time, is the new message that tells it.
    expect(t.notifier.shown('requester')).toEqual(['FAILED']);
    expect((await t.store.get(t.request.id)).told).toContain('cleaned-up');
    expect(t.events).toEqual(['cleaned-up']);
  });

  it('tells nobody while the cluster cannot confirm it, and keeps the lock', async () => {
    const t = await pending();
    t.ontap.fail('removeJitUser', { error: new OntapTransientError('unreachable', 'network') });
    await expect(t.repair()).rejects.toThrow(OntapTransientError);
    expect(await t.store.get(t.request.id)).toMatchObject({ status: 'FAILED', cleanupPending: true });
    expect(t.store.heldLocks()).toHaveLength(1);
    expect(t.notifier.sent).toEqual([]);
  });
});

describe('repairItem: flags and locks', () => {
  it('writes a missing audit item and repairs lost Slack updates, clearing both flags', async () => {
    const t = setUp(requestIn('DENIED'), at(5), { auditRepair: true, notifyRepair: true });
    await expect(t.repair()).resolves.toEqual({ done: true });
    expect(t.events).toEqual(['audit-repaired', 'messages-repaired']);
    const after = await t.store.getStored(t.request.id);
    expect(after.auditRepair).toBe(false);
    expect(after.notifyRepair).toBe(false);
    expect(t.notifier.shown('requester')).toEqual(['DENIED']);
  });

  it("releases a finished request's lock after removing its entry; a live grant's lock stays", async () => {
    const done = requestIn('REVOKED');
    const t = setUp(done, at(200));
    granted(t, done);
    const key = grantKeyOf(done);
    const lock = { kind: 'lock' as const, key, requestId: done.id, until: at(62) };
    await expect(repairItem(t.ports, lock, t.logger, () => undefined)).resolves.toEqual({ done: true });
    expect(t.store.heldLocks()).toEqual([]);
    expect(t.ontap.entries.size).toBe(0);

    const live = requestIn('ACTIVE', pendingRequest());
    t.store.put(live);
    t.store.putLock(grantKeyOf(live), live.id, at(62));
    const liveLock = { kind: 'lock' as const, key: grantKeyOf(live), requestId: live.id, until: at(62) };
    await expect(repairItem(t.ports, liveLock, t.logger, () => undefined)).resolves.toEqual({
      done: false,
      waiting: true,
    });
    expect(t.store.heldLocks()).toHaveLength(1);
  });

  it('for a lock whose request has expired from the table, deletes only an entry naming that request', async () => {
    const t = setUp(pendingRequest(), at(200));
    const key = { cluster: 'cluster1', svmUuid: 'svm-uuid', account: 'bob', application: 'ssh' };
    t.store.putLock(key, 'JIT-GONE', at(62));
    t.ontap.putEntry({ ownerUuid: 'svm-uuid', account: 'bob', comment: 'made by hand' });
    const lock = { kind: 'lock' as const, key, requestId: 'JIT-GONE', until: at(62) };
    await repairItem(t.ports, lock, t.logger, () => undefined);
    expect(t.ontap.entries.size).toBe(1);
    expect(t.store.heldLocks()).toEqual([]);

    t.store.putLock(key, 'JIT-GONE', at(62));
    t.ontap.putEntry({
      ownerUuid: 'svm-uuid',
      account: 'bob',
      comment: 'ontap-jit-approvals request JIT-GONE for U0BOB',
    });
    await repairItem(t.ports, lock, t.logger, () => undefined);
    expect(t.ontap.entries.size).toBe(0);
  });

  it('leaves an item it cannot read for an operator, saying so', async () => {
    const t = setUp(pendingRequest(), at(0));
    const out = await repairItem(t.ports, { kind: 'corrupt', key: 'REQ#x' }, t.logger, () => undefined);
    expect(out).toEqual({ done: false, waiting: true });
    expect(t.logger.lines.some((l) => levelOf(l) === 'error')).toBe(true);
  });
});
