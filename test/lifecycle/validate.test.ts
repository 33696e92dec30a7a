import { RequestClosedError, RequestInvalidError, RequestNotRecordedError } from '../../lambdas/lifecycle/errors';
import { validateRequest } from '../../lambdas/lifecycle/validate';
import { OntapTransientError } from '../../lambdas/ontap/errors';
import { policyWith } from '../support/configs';
import { FAKE_SVM_UUID } from '../support/fake-ontap';
import { fakePorts } from '../support/fakes';
import { at, pendingRequest, T0 } from '../support/requests';

const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:jit:x';

/** A PENDING request with no SVM uuid yet (validation finds it), stored in fresh fakes. */
function setUp(overrides: Parameters<typeof pendingRequest>[0] = {}, options: Parameters<typeof fakePorts>[0] = {}) {
  const f = fakePorts(options);
  const request = pendingRequest({ svm: { name: 'svm1' }, ...overrides });
  f.store.put(request);
  return { ...f, request };
}

describe('validateRequest', () => {
  it('records the SVM uuid and the execution, tells the requester it waits, and sizes the approval wait', async () => {
    const { ports, store, notifier, logger, request } = setUp();
    const out = await validateRequest(ports, { requestId: request.id, executionArn: ARN }, logger);

    expect(out).toEqual({ approvalTimeoutSeconds: 4 * 3600, sessionValiditySeconds: 3600, svmUuid: FAKE_SVM_UUID });
    const stored = await store.get(request.id);
    expect(stored.status).toBe('PENDING');
    expect(stored.svm).toEqual({ name: 'svm1', uuid: FAKE_SVM_UUID });
    expect(stored.executionArn).toBe(ARN);
    // The requester's DM is posted and kept; nobody is asked to approve before the wait begins.
    expect(notifier.shown('requester')).toEqual(['PENDING']);
    expect(notifier.shown('approval')).toEqual([]);
    expect(stored.slack.requester).toBeDefined();
  });

  it('keeps the session no longer than the window, and the policy session length over ONTAP default', async () => {
    const short = setUp({ durationSeconds: 1800 });
    short.ontap.sessionValiditySeconds = 7200;
    const a = await validateRequest(short.ports, { requestId: short.request.id }, short.logger);
    expect(a.sessionValiditySeconds).toBe(1800);

    const admin = setUp({ policy: 'cluster-admin', svm: { name: 'cluster1' }, role: 'admin', durationSeconds: 3600 });
    const b = await validateRequest(admin.ports, { requestId: admin.request.id }, admin.logger);
    expect(b.sessionValiditySeconds).toBe(1800);
  });

  it('describes a custom role for the approvers, and not a builtin one', async () => {
    const { ports, ontap, store, logger, request } = setUp({ role: 'vsadmin-volume' });
    ontap.role = { ...ontap.role, builtin: false, privileges: [{ path: '/api/storage/volumes', access: 'all' }] };
    await validateRequest(ports, { requestId: request.id }, logger);
    expect((await store.get(request.id)).roleSummary).toEqual(expect.any(String));
  });

  it('is idempotent: a retry after a lost answer gives the same result and changes nothing more', async () => {
    const { ports, store, notifier, logger, request } = setUp();
    const first = await validateRequest(ports, { requestId: request.id, executionArn: ARN }, logger);
    const firstDm = (await store.get(request.id)).slack.requester;
    const again = await validateRequest(ports, { requestId: request.id, executionArn: `${ARN}-other` }, logger);

    expect(again).toEqual(first);
    const stored = await store.get(request.id);
    expect(stored.executionArn).toBe(ARN);
    // The second try updates the same DM instead of posting another.
    expect(stored.slack.requester).toEqual(firstDm);
    expect(notifier.shown('requester')).toEqual(['PENDING', 'PENDING']);
  });

  it.each([
    ['a policy no longer configured', { policy: 'gone' }, 'Policy "gone" is no longer configured.'],
    ['a cluster no longer configured', { cluster: 'cluster9' }, 'Cluster "cluster9" is no longer configured.'],
    ['an SVM the policy does not cover', { svm: { name: 'svm2' } }, 'does not cover SVM "svm2"'],
    ['a role the policy does not allow', { role: 'admin' }, 'does not allow role "admin"'],
    ['a window over the policy maximum', { durationSeconds: 9 * 3600 }, '8'],
  ])('refuses %s with a reason for the requester, and changes nothing', async (_what, overrides, reason) => {
    const { ports, store, ontap, notifier, logger, request } = setUp(overrides);
    const run = validateRequest(ports, { requestId: request.id, executionArn: ARN }, logger);
    await expect(run).rejects.toThrow(RequestInvalidError);
    await expect(run).rejects.toThrow(reason);
    expect(store.writes).toBe(0);
    expect(ontap.count('checkJitPrerequisites')).toBe(0);
    expect(notifier.sent).toEqual([]);
  });

  it('refuses what the cluster refuses, with every problem in the reason, and writes nothing', async () => {
    const { ports, store, ontap, notifier, logger, request } = setUp();
    ontap.problems = [
      { code: 'account-not-found', message: 'User "alice" does not exist on SVM "svm1".' },
      { code: 'role-not-found', message: 'Role "vsadmin" does not exist.' },
    ];
    const run = validateRequest(ports, { requestId: request.id }, logger);
    await expect(run).rejects.toThrow('User "alice" does not exist on SVM "svm1". Role "vsadmin" does not exist.');
    expect(store.writes).toBe(0);
    expect(notifier.sent).toEqual([]);
  });

  it('refuses a scheduled request whose window ends too soon to be approved and granted', async () => {
    // An hour from T0, and the policy wants at least the default minimum of it left: nothing left to wait for.
    const { ports, store, logger, request } = setUp({ requestedStart: at(-50) }, { now: T0 });
    await expect(validateRequest(ports, { requestId: request.id }, logger)).rejects.toThrow(/ends too soon/);
    expect(store.writes).toBe(0);
  });

  it('shortens the approval wait of a scheduled request to what leaves its minimum window', async () => {
    const config = policyWith('svm1-operators', { minRemaining: '30m' });
    const { ports, logger, request } = setUp({ requestedStart: at(60) }, { config });
    const out = await validateRequest(ports, { requestId: request.id }, logger);
    // Start in 1 h, end in 2 h, 30 min must be left: the wait ends 90 min from now (under the 4 h timeout).
    expect(out.approvalTimeoutSeconds).toBe(90 * 60);
  });

  it('stops quietly for a request that is no longer pending, touching nothing', async () => {
    const { ports, store, ontap, logger, request } = setUp();
    store.force(request.id, { type: 'CANCEL', by: 'U0ALICE', at: at(1) });
    const writes = store.writes;
    await expect(validateRequest(ports, { requestId: request.id }, logger)).rejects.toThrow(RequestClosedError);
    expect(store.writes).toBe(writes);
    expect(ontap.count('checkJitPrerequisites')).toBe(0);
  });

  it('says no request is recorded yet, touching nothing and telling nobody, and goes on once it is', async () => {
    const f = fakePorts();
    const request = pendingRequest({ svm: { name: 'svm1' } });
    const input = { requestId: request.id, executionArn: ARN };
    await expect(validateRequest(f.ports, input, f.logger)).rejects.toThrow(RequestNotRecordedError);
    expect(f.store.writes).toBe(0);
    expect(f.ontap.count('checkJitPrerequisites')).toBe(0);
    expect(f.notifier.sent).toEqual([]);
    // The submission's write lands late: the state machine's next try finds it.
    f.store.put(request);
    await expect(validateRequest(f.ports, input, f.logger)).resolves.toMatchObject({ svmUuid: FAKE_SVM_UUID });
  });

  it('loses to a cancel that lands while the cluster is checked: the cancel stands and nobody is told it waits', async () => {
    const { ports, store, notifier, logger, request } = setUp();
    store.interleave(() => store.force(request.id, { type: 'CANCEL', by: 'U0ALICE', at: at(1) }));
    await expect(validateRequest(ports, { requestId: request.id }, logger)).rejects.toThrow(RequestClosedError);
    expect((await store.get(request.id)).status).toBe('CANCELLED');
    expect(store.conflicts).toBe(1);
    expect(notifier.sent).toEqual([]);
  });

  it('lets a transient cluster failure through for the state machine to retry, with nothing written', async () => {
    const { ports, store, ontap, logger, request } = setUp();
    ontap.fail('checkJitPrerequisites', { error: new OntapTransientError('timed out', 'timeout') });
    await expect(validateRequest(ports, { requestId: request.id }, logger)).rejects.toThrow(OntapTransientError);
    expect(store.writes).toBe(0);
    // The retry goes through.
    await expect(validateRequest(ports, { requestId: request.id }, logger)).resolves.toMatchObject({
      svmUuid: FAKE_SVM_UUID,
    });
  });

  it('does not fail validation when the requester cannot be told: the message is flagged for repair', async () => {
    const { ports, store, notifier, logger, request } = setUp();
    notifier.faults.add('requester', { error: new Error('slack down') });
    await expect(validateRequest(ports, { requestId: request.id }, logger)).resolves.toMatchObject({
      svmUuid: FAKE_SVM_UUID,
    });
    expect((await store.getStored(request.id)).notifyRepair).toBe(true);
  });
});
