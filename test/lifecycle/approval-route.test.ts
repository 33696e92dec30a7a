/**
 * How the approval wait ends, through the signed Slack ingress and the real workflow on the local runner:
 * an approval to grant now completes the wait with its route and start (from the request as written), and
 * the workflow goes from AwaitApproval straight to the grant; everything else (a scheduled start, a deny,
 * a timeout, a first of two approvals, a reminder's renewed wait, a completion without a route from an
 * older ingress) goes through CheckApproval and ends as it always did.
 */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { make as makeCheckApproval } from '../../lambdas/handlers/check-approval';
import { make as makeGrantAccess } from '../../lambdas/handlers/grant-access';
import { policiesWith } from '../support/configs';
import { useWorkflowEnv } from '../support/workflow-env';

/** svm1-quick reminds every two hours (the AWAIT loop); svm2-backup times out after an hour (a real second). */
const config = policiesWith({ 'svm1-quick': { approvalTimeout: '8h', reminders: { every: '2h' } } });

/** What the check and the grant were asked, by request. */
const checked = new Map<string, unknown[]>();
const granted = new Map<string, unknown[]>();
const note = (into: Map<string, unknown[]>, event: { requestId: string }): void => {
  into.set(event.requestId, [...(into.get(event.requestId) ?? []), event]);
};
const checkApproval = makeCheckApproval(async () => env().runtime);
const grantAccess = makeGrantAccess(async () => env().runtime);

const env = useWorkflowEnv({
  ingress: true,
  config,
  handlers: {
    'check-approval': async (event: { requestId: string }) => {
      note(checked, event);
      return checkApproval(event);
    },
    'grant-access': async (event: { requestId: string }) => {
      note(granted, event);
      return grantAccess(event);
    },
  },
});

const entered = (executionArn: string): Record<string, number> =>
  env().local.counters.execution(executionArn).statesEntered;

/** Ends a live grant with "Revoke now" and waits for the execution. */
async function revokeAndFinish(id: string, executionArn: string, by = 'U0BOB'): Promise<void> {
  await env().ingress.click(by, 'jit_revoke', id);
  expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
}

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
});

describe('an approval to grant now', () => {
  it('goes from the wait straight to the grant, with the start the ingress fixed: 7 transitions', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Rotate the backup keys');
    await env().waiting(executionArn, 'AwaitApproval');
    const { answer } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(answer.status).toBe(200);
    await env().waiting(executionArn, 'AwaitEnd');

    const active = await env().store.get(id);
    if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
    // The grant was asked for the window's start the ingress computed from the written approval.
    expect(granted.get(id)).toEqual([expect.objectContaining({ requestId: id, start: active.window.start })]);
    // With what the grant may start on before its read: the lock's key and end, the requester and the policy.
    const ahead = { cluster: 'cluster1', account: active.requester.ontapAccount, application: 'ssh' };
    expect(granted.get(id)).toEqual([
      expect.objectContaining({
        decision: expect.objectContaining({
          ahead: {
            ...ahead,
            svmUuid: active.svm.uuid,
            until: active.window.end,
            requester: 'U0ALICE',
            policy: active.policy,
          },
        }),
      }),
    ]);
    expect(Date.parse(active.window.start)).toBeGreaterThanOrEqual(Date.parse(active.decidedAt));
    expect(checked.get(id)).toBeUndefined();
    expect(env().jitCalls('POST')).toHaveLength(1);

    await revokeAndFinish(id, executionArn, 'U0ALICE');
    expect(entered(executionArn)).toEqual({
      Validate: 1,
      AwaitApproval: 1,
      RouteDecision: 1,
      Grant: 1,
      AwaitEnd: 1,
      Revoke: 1,
      Ended: 1,
    });
    expect(env().local.counters.execution(executionArn).stateTransitions).toBe(7);
  });

  it('on a 2-of-M policy: the first approval leaves the wait alone, the second goes straight to the grant', async () => {
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0STORAGE', ontapAccount: 'storage.ops' },
      svm: { name: 'cluster1' },
      role: 'admin',
      policy: 'cluster-admin',
      approvalsRequired: 2,
      durationSeconds: 2 * 3600,
    });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(await env().store.get(id)).toMatchObject({ status: 'PENDING', approvals: [{ by: 'U0BOB' }] });
    // Still waiting on the same token: nothing was routed.
    await env().waiting(executionArn, 'AwaitApproval');
    expect(entered(executionArn)).toEqual({ Validate: 1, AwaitApproval: 1 });

    await env().ingress.click('U0CAROL', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(checked.get(id)).toBeUndefined();
    expect(env().jitCalls('POST')).toHaveLength(1);
    await revokeAndFinish(id, executionArn);
    expect(env().local.counters.execution(executionArn).stateTransitions).toBe(7);
  });

  it('after a reminder renewed the wait: the earlier route is never taken again, the approval grants', async () => {
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'joe.smith' },
      policy: 'svm1-quick',
      durationSeconds: 2 * 3600,
    });
    // The first reminder: the wait times out, CheckApproval reminds and renews it (AWAIT).
    await env().local.sfn.whenEntered(executionArn, 'RenewApprovalWait');
    await env().waiting(executionArn, 'AwaitApproval');
    expect(entered(executionArn)).toMatchObject({ AwaitApproval: 2, CheckApproval: 1, RouteDecision: 1 });

    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(entered(executionArn)).toMatchObject({ CheckApproval: 1, RouteDecision: 2, Grant: 1 });
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });
    await revokeAndFinish(id, executionArn);
  });
});

describe('every other end of the wait goes through CheckApproval, as before', () => {
  it('a scheduled approval: told, waited for, granted from the requested start', async () => {
    const startAt = new Date(env().clock.now() + 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'o.brien-2' },
      requestedStart: startAt,
    });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    // The completion said only "approved": the check decided to wait for the start.
    expect(checked.get(id)).toEqual([
      expect.objectContaining({ phase: 'approval', wait: { decision: 'APPROVED' } }),
      expect.objectContaining({ phase: 'start' }),
    ]);
    expect(entered(executionArn)).toMatchObject({ CheckApproval: 1, WaitForStart: 1, CheckBeforeGrant: 1, Grant: 1 });
    const active = await env().store.get(id);
    if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
    expect(active.window.start).toBe(startAt);
    await revokeAndFinish(id, executionArn);
  });

  it('a deny: nothing sent to the cluster, both sides told', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Rotate the backup keys');
    await env().waiting(executionArn, 'AwaitApproval');
    expect((await env().ingress.deny('U0CAROL', id, 'Change freeze')).status).toBe(200);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(checked.get(id)).toEqual([expect.objectContaining({ wait: { decision: 'DENIED' } })]);
    expect(entered(executionArn)).toMatchObject({ RouteDecision: 2, CheckApproval: 1, Denied: 1 });
    expect(await env().store.get(id)).toMatchObject({ status: 'DENIED', deniedBy: 'U0CAROL' });
    expect(env().jitCalls('POST')).toHaveLength(0);
    const dm = env().slack.messages.filter((m) => m.channel === env().slack.dmChannelOf('U0ALICE'));
    expect(dm.map((m) => m.text).join('\n')).toContain('Denied by <@U0CAROL>');
  });

  it('a timeout: expired, nothing granted', async () => {
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'backup-op' },
      svm: { name: 'svm2' },
      role: 'vsadmin-backup',
      policy: 'svm2-backup',
    });
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(checked.get(id)).toEqual([
      expect.objectContaining({ wait: expect.objectContaining({ Error: 'States.Timeout' }) }),
    ]);
    expect(entered(executionArn)).toMatchObject({ CheckApproval: 1, RouteDecision: 1, ApprovalExpired: 1 });
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED', expiry: 'approval-timeout' });
    expect(env().jitCalls('POST')).toHaveLength(0);
  });

  it.each([
    ['an older ingress (no route)', { decision: 'APPROVED' }],
    ['a GRANT without its start', { decision: 'APPROVED', route: 'GRANT' }],
  ])('a completion from %s: checked first, then granted', async (_what, output) => {
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'ops@svm1' },
    });
    await env().waiting(executionArn, 'AwaitApproval');
    // The approval as recorded; its signal lost, then sent as an older ingress would.
    env().local.faults.add('SendTaskSuccess', 2);
    await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(await env().store.get(id)).toMatchObject({ status: 'APPROVED' });
    const { tokens } = await env().store.getStored(id);
    const taskToken = tokens.approval ?? '';
    await env()
      .local.sfnClient()
      .send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    await env().waiting(executionArn, 'AwaitEnd');
    expect(checked.get(id)).toEqual([expect.objectContaining({ phase: 'approval', wait: output })]);
    expect(entered(executionArn)).toMatchObject({ RouteDecision: 2, CheckApproval: 1, Grant: 1 });
    expect(env().jitCalls('POST')).toHaveLength(1);
    await revokeAndFinish(id, executionArn);
  });
});
