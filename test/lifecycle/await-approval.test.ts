import type { AccessRequest } from '../../lambdas/domain/request';
import { awaitApproval, checkApproval } from '../../lambdas/lifecycle/await-approval';
import { ApprovalNotPostedError } from '../../lambdas/lifecycle/errors';
import { SlackTransientError } from '../../lambdas/slack/errors';
import { policyWith } from '../support/configs';
import { fakePorts } from '../support/fakes';
import { at, pendingRequest, requestIn, T0 } from '../support/requests';

const TOKEN = 'token-approval-1';

function withRequest(request: AccessRequest = pendingRequest(), options: Parameters<typeof fakePorts>[0] = {}) {
  const f = fakePorts(options);
  f.store.put(request);
  return { ...f, request };
}

describe('awaitApproval', () => {
  it('keeps the token with the request and posts the approval message, kept for later updates', async () => {
    const { ports, store, notifier, workflow, logger, request } = withRequest();
    await expect(awaitApproval(ports, { requestId: request.id, taskToken: TOKEN }, logger)).resolves.toEqual({
      waiting: true,
    });
    const stored = await store.getStored(request.id);
    expect(stored.tokens.approval).toBe(TOKEN);
    expect(stored.request.slack.approval).toEqual({ channel: 'C0APPROVALS', ts: expect.any(String) });
    expect(notifier.shown('approval')).toEqual(['PENDING']);
    expect(workflow.signals).toEqual([]);
  });

  it('posts into the same message when retried after a lost answer', async () => {
    const { ports, store, notifier, logger, request } = withRequest();
    await awaitApproval(ports, { requestId: request.id, taskToken: TOKEN }, logger);
    const first = (await store.get(request.id)).slack.approval;
    await awaitApproval(ports, { requestId: request.id, taskToken: `${TOKEN}-retry` }, logger);
    expect((await store.get(request.id)).slack.approval).toEqual(first);
    expect((await store.getStored(request.id)).tokens.approval).toBe(`${TOKEN}-retry`);
    expect(notifier.sent.filter((n) => n.kind === 'approval')).toHaveLength(2);
  });

  it.each([
    ['CANCELLED', 'CANCELLED'],
    ['APPROVED', 'APPROVED'],
    ['DENIED', 'DENIED'],
  ] as const)('ends its own wait at once for a request already %s, posting nothing', async (status, decision) => {
    const { ports, store, notifier, workflow, logger, request } = withRequest(requestIn(status));
    workflow.waiting.add(TOKEN);
    await expect(awaitApproval(ports, { requestId: request.id, taskToken: TOKEN }, logger)).resolves.toEqual({
      waiting: false,
    });
    expect(workflow.taken()).toEqual([{ kind: 'resumeApproval', target: TOKEN, decision, taken: true }]);
    expect(notifier.sent).toEqual([]);
    expect((await store.getStored(request.id)).tokens.approval).toBeUndefined();
  });

  it('lets a transient Slack failure through for a retry, and names any other one ApprovalNotPosted', async () => {
    const { ports, notifier, logger, request } = withRequest();
    notifier.faults.add('approval', { error: new SlackTransientError('chat.postMessage') });
    const input = { requestId: request.id, taskToken: TOKEN };
    await expect(awaitApproval(ports, input, logger)).rejects.toThrow(SlackTransientError);
    notifier.faults.add('approval', { error: new Error('channel_not_found') });
    await expect(awaitApproval(ports, input, logger)).rejects.toThrow(ApprovalNotPostedError);
  });
});

describe('checkApproval', () => {
  it('routes an approval straight to GRANT from now: the grant checks the requester and tells both sides', async () => {
    const approved = requestIn('APPROVED');
    const { ports, notifier, directory, logger } = withRequest(approved);
    const out = await checkApproval(ports, { requestId: approved.id, phase: 'approval' }, logger);
    // With what the grant may start on before its own read: its lock's key and end, the requester, the policy.
    expect(out).toEqual({
      route: 'GRANT',
      start: T0,
      ahead: {
        cluster: 'cluster1',
        svmUuid: approved.svm.uuid,
        account: 'alice',
        application: 'ssh',
        until: at(60),
        requester: 'U0ALICE',
        policy: approved.policy,
      },
    });
    // Nothing between the approval and the cluster but what the grant needs (grant.ts checks and tells).
    expect(directory.lookups).toBe(0);
    expect(notifier.shown('requester')).toEqual([]);
  });

  it('routes a scheduled approval to WAIT until its start, and only then to GRANT', async () => {
    const approved = requestIn('APPROVED', pendingRequest({ requestedStart: at(120) }));
    const { ports, clock, notifier, logger } = withRequest(approved);
    await expect(checkApproval(ports, { requestId: approved.id, phase: 'approval' }, logger)).resolves.toEqual({
      route: 'WAIT',
      startAt: at(120),
    });
    clock.set(at(120));
    await expect(checkApproval(ports, { requestId: approved.id, phase: 'start' }, logger)).resolves.toMatchObject({
      route: 'GRANT',
      start: at(120),
      ahead: { until: at(180) },
    });
    // The start is not news: people were told at the approval.
    expect(notifier.shown('requester')).toEqual(['APPROVED']);
  });

  it('expires a request still pending when the wait timed out, and tells both sides', async () => {
    const { ports, store, notifier, logger, request } = withRequest();
    const out = await checkApproval(
      ports,
      { requestId: request.id, phase: 'approval', wait: { Error: 'States.Timeout' } },
      logger,
    );
    expect(out).toEqual({ route: 'EXPIRED' });
    expect((await store.get(request.id)).status).toBe('EXPIRED');
    expect(notifier.shown('requester')).toEqual(['EXPIRED']);
  });

  it('lets an approval that landed just before the timeout stand', async () => {
    const { ports, store, logger, request } = withRequest();
    store.interleave(() => store.force(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) }));
    const input = { requestId: request.id, phase: 'approval' as const, wait: { Error: 'States.Timeout' } };
    await expect(checkApproval(ports, input, logger)).resolves.toMatchObject({ route: 'GRANT', start: T0 });
    expect((await store.get(request.id)).status).toBe('APPROVED');
  });

  it('waits again when the wait ended without a decision (one of two approvals), never past the timeout', async () => {
    const twoOf = pendingRequest({ policy: 'cluster-admin', approvalsRequired: 2, role: 'admin' });
    const { ports, store, logger } = withRequest(twoOf);
    store.force(twoOf.id, { type: 'APPROVE', by: 'U0BOB', at: T0 });
    const out = await checkApproval(ports, { requestId: twoOf.id, phase: 'approval', wait: {} }, logger);
    expect(out).toEqual({ route: 'AWAIT', approvalTimeoutSeconds: 4 * 3600 });
    expect((await store.get(twoOf.id)).status).toBe('PENDING');
  });

  it.each([
    ['DENIED', 'DENIED'],
    ['CANCELLED', 'CANCELLED'],
    ['EXPIRED', 'EXPIRED'],
    ['FAILED', 'CLOSED'],
    ['REVOKED', 'CLOSED'],
  ] as const)('routes a %s request to %s', async (status, route) => {
    const request = requestIn(status);
    const { ports, logger } = withRequest(request);
    await expect(checkApproval(ports, { requestId: request.id, phase: 'approval' }, logger)).resolves.toEqual({
      route,
    });
  });

  it('closes a scheduled approval whose requester left Slack meanwhile, before telling anyone', async () => {
    const approved = requestIn('APPROVED', pendingRequest({ requestedStart: at(120) }));
    const { ports, store, directory, notifier, logger } = withRequest(approved);
    directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    await expect(checkApproval(ports, { requestId: approved.id, phase: 'approval' }, logger)).resolves.toEqual({
      route: 'CLOSED',
    });
    const closed = await store.get(approved.id);
    expect(closed.status).toBe('FAILED');
    expect(notifier.shown('requester')).toEqual(['FAILED']);
    expect(notifier.shown('requester')).not.toContain('APPROVED');
  });

  it('expires an approval that came too late for its scheduled window, and tells both sides', async () => {
    const config = policyWith('svm1-operators', { minRemaining: '30m' });
    const late = requestIn('APPROVED', pendingRequest({ requestedStart: at(0) }));
    const { ports, store, clock, notifier, logger } = withRequest(late, { config });
    clock.set(at(45));
    await expect(checkApproval(ports, { requestId: late.id, phase: 'approval' }, logger)).resolves.toEqual({
      route: 'EXPIRED',
    });
    expect((await store.get(late.id)).status).toBe('EXPIRED');
    expect(notifier.shown('requester')).toEqual(['EXPIRED']);
  });
});
