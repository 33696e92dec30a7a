/**
 * An approval's completion of the wait lost, doubled or overtaken, through the signed Slack ingress, the real
 * workflow on the local runner, dynalite and the ONTAP simulator: a lost completion is sent again by the
 * reconciler with the route the record gives (the same rule the ingress follows), a doubled one grants once,
 * and a request cancelled between the click and the grant is never granted, ends CANCELLED, and both sides
 * are told.
 */

import { approvalCompletion } from '../../lambdas/domain/approval-route';
import { RECONCILE_PERIOD_SECONDS, SIGNAL_GRACE_SECONDS } from '../../lambdas/domain/attention';
import { make as makeCheckApproval } from '../../lambdas/handlers/check-approval';
import { make as makeGrantAccess } from '../../lambdas/handlers/grant-access';
import { type ReconcileResult, reconcile } from '../../lambdas/lifecycle/reconcile';
import { nowOf } from '../../lambdas/runtime/clock';
import { policyWith } from '../support/configs';
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

/** Approvals wait two business days (48 real seconds): a grant sooner than that came from a completion. */
const config = policyWith('svm1-operators', { approvalTimeout: '2d' });

/** Run just before the Grant task of a request (set per test). */
const beforeGrant: { hook?: (requestId: string) => Promise<void> } = {};
const checked = new Map<string, unknown[]>();
const granted = new Map<string, { start: string }[]>();
const checkApproval = makeCheckApproval(async () => env().runtime);
const grantAccess = makeGrantAccess(async () => env().runtime);

const env = useWorkflowEnv({
  ingress: true,
  config,
  ontapClient: { timeoutMs: 200 },
  handlers: {
    'check-approval': async (event: { requestId: string }) => {
      checked.set(event.requestId, [...(checked.get(event.requestId) ?? []), event]);
      return checkApproval(event);
    },
    'grant-access': async (event: { requestId: string; start: string }) => {
      granted.set(event.requestId, [...(granted.get(event.requestId) ?? []), event]);
      await beforeGrant.hook?.(event.requestId);
      return grantAccess(event);
    },
  },
});

const HOUR = 3600_000;
const keyOf = (account: string) => ({ cluster: 'cluster1', svmUuid: SVM_UUID.svm1, account, application: 'ssh' });
const dmText = (userId: string): string =>
  env()
    .slack.messages.filter((m) => m.channel === env().slack.dmChannelOf(userId))
    .map((m) => m.text)
    .join('\n');

/** One reconciler pass, run as the schedule would `aheadMs` of business time from now. */
async function pass(aheadMs = 0): Promise<ReconcileResult> {
  const rt = env().runtime;
  const clock = { now: () => env().clock.now() + aheadMs };
  return reconcile({ ...rt, clock }, rt.logger.createChild({ persistentKeys: { task: 'reconcile' } }), {
    itemDeadlineMs: 5000,
  });
}

/** Resolves once the scaled clock has passed `at` (business milliseconds). */
function clockPast(at: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (env().clock.now() > at) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

/** A request by alice for `text`, waiting for approval, whose approval by bob is recorded but never signalled. */
async function approvedUnsignalled(text: string): Promise<{ id: string; executionArn: string }> {
  const { id, executionArn } = await env().ingress.request('U0ALICE', text);
  await env().waiting(executionArn, 'AwaitApproval');
  // Both tries of the SDK fail: the completion never reaches the execution.
  env().local.faults.add('SendTaskSuccess', 2);
  const { responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
  expect(responses().map((r) => String(r.text))).toContainEqual(expect.stringMatching(/not taken effect yet/));
  const approved = await env().store.get(id);
  expect(approved).toMatchObject({ status: 'APPROVED' });
  if (approved.status !== 'APPROVED') throw new Error(approved.status);
  // Past the signal's grace: the reconciler's next pass finds it owed.
  await clockPast(Date.parse(approved.decidedAt) + (SIGNAL_GRACE_SECONDS + 1) * 1000);
  return { id, executionArn };
}

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  env().local.faults.clear();
  delete beforeGrant.hook;
});

describe('a lost completion, sent again by the reconciler', () => {
  it('carries the route the record gives: straight to the grant, from the time it was sent', async () => {
    const { id, executionArn } = await approvedUnsignalled('svm1 vsadmin 1h Rotate the backup keys');
    const sentFrom = env().clock.now();
    const repaired = await pass();
    expect(repaired.events).toMatchObject({ 'signal-resent': 1 });
    await env().waiting(executionArn, 'AwaitEnd');
    expect(checked.get(id)).toBeUndefined();
    const active = await env().store.get(id);
    if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
    const [grant] = granted.get(id) ?? [];
    expect(grant?.start).toBe(active.window.start);
    // The window starts when the completion was sent again, not at the lost click.
    expect(Date.parse(active.window.start)).toBeGreaterThanOrEqual(Math.floor(sentFrom / 1000) * 1000);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).stateTransitions).toBe(7);
  });

  it('of a scheduled request, once its start has come: straight to the grant, from the requested start', async () => {
    const startAt = new Date(env().clock.now() + 2 * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'carol' },
      requestedStart: startAt,
      durationSeconds: 3600,
    });
    await env().waiting(executionArn, 'AwaitApproval');
    env().local.faults.add('SendTaskSuccess', 2);
    await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(await env().store.get(id)).toMatchObject({ status: 'APPROVED' });
    // Not owed before its start: the workflow would only wait for it.
    expect((await pass()).events['signal-resent'] ?? 0).toBe(0);
    // Five minutes past the start, the record says: grant now.
    const ahead = Date.parse(startAt) + 5 * 60_000 - env().clock.now();
    expect((await pass(ahead)).events).toMatchObject({ 'signal-resent': 1 });
    await env().local.sfn.whenEntered(executionArn, 'AwaitEnd');
    expect(checked.get(id)).toBeUndefined();
    const active = await env().store.get(id);
    if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
    expect(active.window).toEqual({
      start: startAt,
      end: new Date(Date.parse(startAt) + HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });
});

describe('a doubled completion', () => {
  it('the reconciler and a late retry send it at once: one is taken, one grant, one GRANTED', async () => {
    const { id, executionArn } = await approvedUnsignalled('svm1 vsadmin 1h Rebuild the snapmirror schedule');
    const stored = await env().store.getStored(id);
    const token = stored.tokens.approval ?? '';
    const policy = config.policies.find((p) => p.name === stored.request.policy);
    const completion = approvalCompletion(stored.request, nowOf(env().clock), policy);
    const [repaired, retried] = await Promise.all([pass(), env().workflow.resumeApproval(token, completion)]);
    const taken = [(repaired.events['signal-resent'] ?? 0) > 0, retried].filter(Boolean);
    expect(taken).toHaveLength(1);
    await env().waiting(executionArn, 'AwaitEnd');
    // A third send, once granted, is refused: the token is spent.
    expect(await env().workflow.resumeApproval(token, completion)).toBe(false);
    expect(granted.get(id)).toHaveLength(1);
    expect(env().jitCalls('POST')).toHaveLength(1);
    const events = (await env().store.auditTrail(id)).map((e) => e.type);
    expect(events.filter((t) => t === 'GRANTED')).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });
});

describe('a cancel between the click and the grant', () => {
  it('is never granted: CANCELLED, no entry, no lock, and both sides told', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Rotate the backup keys');
    await env().waiting(executionArn, 'AwaitApproval');
    // The requester takes it back (theirs until granted) once the approval sent the workflow to the grant.
    beforeGrant.hook = async () => {
      const { answer } = await env().ingress.click('U0ALICE', 'jit_cancel', id);
      expect(answer.status).toBe(200);
    };
    await env().ingress.click('U0BOB', 'jit_approve', id);
    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Grant: 1, Closed: 1 });
    expect(checked.get(id)).toBeUndefined();

    expect(await env().store.get(id)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'U0ALICE' });
    expect(env().jitCalls('POST')).toHaveLength(0);
    expect(env().sim.jitEntries()).toEqual([]);
    expect(await env().store.lockHolder(keyOf('alice'))).toBeUndefined();
    const events = (await env().store.auditTrail(id)).map((e) => `${e.type}:${e.to}`);
    expect(events).toEqual(['REQUESTED:PENDING', 'APPROVE:APPROVED', 'CANCEL:CANCELLED']);
    // The approval message shows the cancel, and the requester's card says nothing was granted.
    const approval = env().slack.messages.find((m) => m.channel === 'C0APPROVALS' && !m.threadTs);
    expect(JSON.stringify(approval?.blocks)).toContain('Cancelled by <@U0ALICE>');
    expect(JSON.stringify(approval?.blocks)).not.toContain('jit_approve');
    const card = env().slack.messages.filter((m) => m.channel === env().slack.dmChannelOf('U0ALICE'));
    expect(JSON.stringify(card.map((m) => m.blocks))).toContain('Nothing was granted.');
    expect(dmText('U0ALICE')).not.toMatch(/granted until/i);
    // After a pass, nothing is owed: no signal to send again, nothing to clean up.
    const repaired = await pass(RECONCILE_PERIOD_SECONDS * 1000);
    expect(repaired.events['signal-resent'] ?? 0).toBe(0);
    expect(env().jitCalls('POST')).toHaveLength(0);
  });
});
