import type { AccessRequest } from '../../lambdas/domain/request';
import { entryComment, grantKeyOf } from '../../lambdas/lifecycle/grant';
import { reasonFor, recordOutcome } from '../../lambdas/lifecycle/record-outcome';
import { OntapTransientError } from '../../lambdas/ontap/errors';
import { REVOKE_FAILED_METRIC } from '../../lambdas/runtime/metrics';
import { fakePorts, metricValues } from '../support/fakes';
import { at, pendingRequest, requestIn } from '../support/requests';

const ontapDown = { Error: 'OntapTransientError', Cause: JSON.stringify({ errorMessage: 'connect ECONNREFUSED' }) };

function stored(request: AccessRequest = pendingRequest()) {
  const f = fakePorts();
  f.store.put(request);
  return { ...f, request };
}

describe('reasonFor', () => {
  it('keeps a message written for the requester, and says which step failed otherwise', () => {
    const invalid = { Error: 'RequestInvalidError', Cause: JSON.stringify({ errorMessage: 'Role "x" is unknown.' }) };
    expect(reasonFor('VALIDATION_FAILED', invalid)).toBe('Role "x" is unknown.');
    expect(reasonFor('GRANT_FAILED', { Error: 'States.Timeout' })).toBe(
      'The cluster did not accept the grant: the step timed out',
    );
    expect(reasonFor('REVOKE_FAILED', ontapDown)).toMatch(/^The cluster did not remove the grant: /);
  });

  it('never gives more than 500 characters', () => {
    const long = { Error: 'RequestInvalidError', Cause: JSON.stringify({ errorMessage: 'x'.repeat(2000) }) };
    expect(reasonFor('VALIDATION_FAILED', long)).toHaveLength(500);
  });
});

describe('recordOutcome', () => {
  it('records a failed validation with its reason and tells both sides', async () => {
    const { ports, store, notifier, logger, request } = stored();
    const invalid = { Error: 'RequestInvalidError', Cause: JSON.stringify({ errorMessage: 'No such role.' }) };
    const out = await recordOutcome(
      ports,
      { requestId: request.id, outcome: 'VALIDATION_FAILED', error: invalid },
      logger,
    );
    expect(out).toEqual({ status: 'FAILED', reason: 'No such role.' });
    expect(await store.get(request.id)).toMatchObject({ status: 'FAILED', reason: 'No such role.' });
    expect(notifier.shown('requester')).toEqual(['FAILED']);
  });

  it('cleans up a failed grant before saying nothing was left behind', async () => {
    const approved = requestIn('APPROVED');
    const { ports, store, ontap, logger } = stored(approved);
    const key = grantKeyOf(approved);
    store.putLock(key, approved.id, at(60));
    ontap.putEntry({ ownerUuid: key.svmUuid, account: key.account, comment: entryComment(approved) });
    const input = { requestId: approved.id, outcome: 'GRANT_FAILED' as const, error: ontapDown };
    await expect(recordOutcome(ports, input, logger)).resolves.toMatchObject({ status: 'FAILED' });
    expect(ontap.entries.size).toBe(0);
    expect(store.heldLocks()).toEqual([]);
    const failed = await store.get(approved.id);
    expect(failed).toMatchObject({ status: 'FAILED', stage: 'grant' });
    expect(failed).not.toMatchObject({ cleanupPending: true });
  });

  it('records the clean-up as pending when the cluster cannot confirm it, keeping the lock for the reconciler', async () => {
    const approved = requestIn('APPROVED');
    const { ports, store, ontap, logger } = stored(approved);
    const key = grantKeyOf(approved);
    store.putLock(key, approved.id, at(60));
    ontap.putEntry({ ownerUuid: key.svmUuid, account: key.account, comment: entryComment(approved) });
    ontap.fail('removeJitUser', { error: new OntapTransientError('unreachable', 'network'), always: true });
    const input = { requestId: approved.id, outcome: 'GRANT_FAILED' as const, error: ontapDown };
    await recordOutcome(ports, input, logger);
    expect(await store.get(approved.id)).toMatchObject({ status: 'FAILED', cleanupPending: true });
    expect(store.heldLocks()).toHaveLength(1);
  });

  it('publishes the metric the RevokeFailed alarm watches, on every try', async () => {
    const active = requestIn('ACTIVE');
    const { ports, store, logger } = stored(active);
    const input = { requestId: active.id, outcome: 'REVOKE_FAILED' as const, error: ontapDown };
    await recordOutcome(ports, input, logger);
    expect((await store.get(active.id)).status).toBe('REVOKE_FAILED');
    await recordOutcome(ports, input, logger);
    expect(metricValues(logger, REVOKE_FAILED_METRIC)).toEqual([1, 1]);
  });

  it('records once when the step is retried, and tells people once', async () => {
    const { ports, store, notifier, logger, request } = stored();
    const input = { requestId: request.id, outcome: 'APPROVAL_NOT_POSTED' as const, error: { Error: 'Boom' } };
    await recordOutcome(ports, input, logger);
    const told = notifier.sent.length;
    await expect(recordOutcome(ports, input, logger)).resolves.toMatchObject({ status: 'FAILED' });
    expect((await store.getStored(request.id)).history.filter((e) => e.to === 'FAILED')).toHaveLength(1);
    expect(notifier.sent).toHaveLength(told);
  });

  it('leaves a request that moved on (cancelled meanwhile) as it is', async () => {
    const { ports, store, logger, request } = stored(requestIn('CANCELLED'));
    const input = { requestId: request.id, outcome: 'VALIDATION_FAILED' as const, error: ontapDown };
    await expect(recordOutcome(ports, input, logger)).resolves.toMatchObject({ status: 'CANCELLED' });
    expect((await store.get(request.id)).status).toBe('CANCELLED');
  });
});
