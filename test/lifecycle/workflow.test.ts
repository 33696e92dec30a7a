/**
 * The synthesized state machine end to end: local runner, dynalite, the ONTAP simulator and the
 * Slack stand-in, on a clock where one real second is one hour.
 */

import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import type { AccessRequest } from '../../lambdas/domain/request';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { jitEntryRows } from '../../local/stack';
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv();

/** A requester whose account no other test uses, so grant locks never meet across tests. */
const as = (ontapAccount: string, slackUserId = 'U0ALICE'): Pick<AccessRequest, 'requester'> => ({
  requester: { slackUserId, ontapAccount },
});
const keyOf = (account: string, svmUuid: string = SVM_UUID.svm1) => ({
  cluster: 'cluster1',
  svmUuid,
  account,
  application: 'ssh',
});
const jitEntryRowsFor = (account: string) => jitEntryRows(env().sim).filter((e) => e.account === account);
const dmOf = (userId = 'U0ALICE') => env().slack.messages.filter((m) => m.channel === env().slack.dmChannelOf(userId));

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
});

describe('an approved request', () => {
  it('is granted exactly as approved, removed at the end of its window, and recorded all along', async () => {
    const { sim, slack, store } = env();
    const { id, executionArn, requester: asker } = await env().submit({ durationSeconds: 3600, ticket: 'CHG-42' });
    await env().waiting(executionArn, 'AwaitApproval');

    // Approval message in the channel with the buttons; the requester's DM says pending.
    const approval = slack.messages.find((m) => m.channel === 'C0APPROVALS' && !m.threadTs);
    expect(approval?.text).toContain(id);
    expect(JSON.stringify(approval?.blocks)).toContain('"action_id":"jit_approve"');
    expect(slack.messages.find((m) => m.channel === slack.dmChannelOf(asker))?.text).toContain('Waiting for approval');
    expect(env().jitCalls('POST')).toHaveLength(0);

    expect((await env().approve(id, 'U0BOB')).ok).toBe(true);
    await env().waiting(executionArn, 'AwaitEnd');

    const posts = env().jitCalls('POST');
    expect(posts).toHaveLength(1);
    const active = await store.get(id);
    if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
    expect(posts[0]?.body).toEqual({
      owner: { uuid: SVM_UUID.svm1 },
      account: { name: 'alice' },
      application: 'ssh',
      role: { name: 'vsadmin' },
      jit_validity: 'PT1H',
      session_validity: 'PT1H',
      start_time: expect.any(String),
      comment: `ontap-jit-approvals request ${id} for U0ALICE`,
    });
    // UTC, whole seconds, the approved window's start.
    expect((posts[0]!.body as { start_time: string }).start_time).toBe(`${active.window.start.slice(0, 19)}+00:00`);
    expect(Date.parse(active.window.end) - Date.parse(active.window.start)).toBe(3600_000);
    expect(sim.jitEntries()).toEqual([
      expect.objectContaining({ account: expect.objectContaining({ name: 'alice' }), jit_validity: 'PT1H' }),
    ]);

    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(env().jitCalls('DELETE')).toHaveLength(1);
    expect(env().jitCalls('DELETE')[0]?.path).toBe(`/api/security/jit-privilege-users/${SVM_UUID.svm1}/alice/ssh`);
    expect(sim.jitEntries()).toEqual([]);

    const ended = await store.get(id);
    expect(ended).toMatchObject({ status: 'EXPIRED', expiry: 'window-ended', svm: { uuid: SVM_UUID.svm1 } });
    expect((await store.auditTrail(id)).map((e) => `${e.type}:${e.to}`)).toEqual([
      'REQUESTED:PENDING',
      'APPROVE:APPROVED',
      'GRANTED:ACTIVE',
      'REVOKED:EXPIRED',
      'ACTIVITY_DIGEST:EXPIRED',
    ]);
    expect(
      await store.lockHolder({ cluster: 'cluster1', svmUuid: SVM_UUID.svm1, account: 'alice', application: 'ssh' }),
    ).toBeUndefined();

    // The approval message was updated in place and the events threaded under it.
    const updated = slack.messages.find((m) => m.ts === approval?.ts);
    expect(updated?.edited).toBeGreaterThan(0);
    expect(JSON.stringify(updated?.blocks)).not.toContain('jit_approve');
    expect(slack.messages.filter((m) => m.threadTs === approval?.ts).map((m) => m.text)).toEqual([
      expect.stringContaining('Granted'),
      expect.stringContaining('Window over'),
      expect.stringContaining('Activity digest: 0 commands'),
    ]);
    expect(slack.messages.find((m) => m.channel === slack.dmChannelOf(asker))?.text).toContain('ended');

    // What a lifecycle costs, for the benchmarks.
    const counts = env().local.counters.execution(executionArn);
    console.log(
      `approved lifecycle: ${counts.stateTransitions} state transitions, ${counts.dynamo.writes} DynamoDB writes, ${counts.dynamo.reads} reads (workflow tasks only)`,
    );
    expect(counts.stateTransitions).toBeLessThanOrEqual(15);
    // The REQUESTED audit item among them: the workflow writes it, not Slack's answer.
    expect(counts.dynamo.writes).toBeLessThanOrEqual(16);
  });
});

describe('a cluster-scoped request under a 2-of-M policy', () => {
  it("waits for two distinct approvers, then grants on the admin SVM with the policy's session length", async () => {
    const { id, executionArn } = await env().submit({
      ...as('storage.ops'),
      svm: { name: 'cluster1' },
      role: 'admin',
      policy: 'cluster-admin',
      approvalsRequired: 2,
      durationSeconds: 2 * 3600,
    });
    await env().waiting(executionArn, 'AwaitApproval');
    expect(await env().approve(id, 'U0BOB')).toMatchObject({ ok: true, to: 'PENDING' });
    expect(await env().approve(id, 'U0BOB')).toMatchObject({ ok: false });
    expect(await env().approve(id, 'U0CAROL')).toMatchObject({ ok: true, to: 'APPROVED' });
    await env().waiting(executionArn, 'AwaitEnd');
    expect(env().jitCalls('POST')[0]?.body).toMatchObject({
      owner: { uuid: SVM_UUID.cluster1 },
      account: { name: 'storage.ops' },
      role: { name: 'admin' },
      jit_validity: 'PT2H',
      session_validity: 'PT30M',
    });
    await env().revokeNow(id, 'U0CAROL');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({
      status: 'REVOKED',
      revokedBy: 'U0CAROL',
      approvals: [{ by: 'U0BOB' }, { by: 'U0CAROL' }],
    });
  });
});

describe('a request that is not granted', () => {
  it('is denied with a reason: nothing is sent to the cluster, and everyone sees who denied it and why', async () => {
    const { id, executionArn, requester: asker } = await env().submit(as('carol'));
    await env().waiting(executionArn, 'AwaitApproval');
    expect((await env().deny(id, 'U0CAROL', 'Change freeze <!channel> until Monday')).ok).toBe(true);
    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Denied: 1 });
    expect(env().jitCalls('POST')).toHaveLength(0);
    expect(await env().store.get(id)).toMatchObject({
      status: 'DENIED',
      deniedBy: 'U0CAROL',
      reason: 'Change freeze <!channel> until Monday',
    });
    const dm = dmOf(asker)[0];
    expect(dm?.text).toContain('Denied by <@U0CAROL>');
    // User text is escaped: no @channel ping from a reason.
    expect(JSON.stringify(dm?.blocks)).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(dm?.blocks)).not.toContain('<!channel>');
    const approval = env().slack.messages.find((m) => m.channel === 'C0APPROVALS');
    expect(JSON.stringify(approval?.blocks)).not.toContain('jit_approve');
    expect(approval?.text).toContain('Denied');
  });

  it('expires when nobody decides within the approval timeout, without a grant', async () => {
    const { id, executionArn, requester: asker } = await env().submit({ ...as('o.brien-2'), policy: 'svm1-quick' });
    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ ApprovalExpired: 1 });
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED', expiry: 'approval-timeout' });
    expect(env().jitCalls('POST')).toHaveLength(0);
    expect(dmOf(asker)[0]?.text).toContain('expired');
    // A click on the stale message changes nothing.
    const late = await env().approve(id, 'U0BOB');
    expect(late.ok).toBe(false);
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED' });
  });

  it('counts an approval that landed just before the timeout, even if its token was never completed', async () => {
    const { id, executionArn, requester: asker } = await env().submit({ ...as('ops@svm1'), policy: 'svm1-quick' });
    await env().waiting(executionArn, 'AwaitApproval');
    // The decision is on record, but the Slack side never got to complete the token.
    const recorded = await env().store.apply(id, {
      type: 'APPROVE',
      by: 'U0BOB',
      at: new Date(env().clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    expect(recorded.ok).toBe(true);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE' });
    expect(env().jitCalls('POST')).toHaveLength(1);
    expect((await env().revokeNow(id, asker)).ok).toBe(true);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('is cancelled by its requester while pending: nothing granted', async () => {
    const { id, executionArn, requester: asker } = await env().submit(as('joe.smith'));
    await env().waiting(executionArn, 'AwaitApproval');
    expect((await env().cancel(id, 'U0BOB')).ok).toBe(false);
    expect((await env().cancel(id, asker)).ok).toBe(true);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Cancelled: 1 });
    expect(await env().store.get(id)).toMatchObject({ status: 'CANCELLED', cancelledBy: asker });
    expect(env().jitCalls('POST')).toHaveLength(0);
  });

  it.each([
    ['an unknown role', { role: 'no-such-role' }, /Role "no-such-role" is not defined on SVM "svm1"/],
    ['an account with multi-factor ssh login', as('frank-mfa'), /multi-factor authentication/],
    [
      'a window longer than the cluster allows',
      {
        ...as('backup-op'),
        svm: { name: 'svm2' },
        role: 'vsadmin-backup',
        policy: 'svm2-backup',
        durationSeconds: 10 * 3600,
      },
      /longer than ONTAP allows on SVM "svm2" \(PT8H\)/,
    ],
    ['a window longer than the policy allows', { durationSeconds: 9 * 3600 }, /longer than the policy allows/],
  ])(
    'is refused before approval for %s, with the reason recorded and nothing sent to the cluster',
    async (_what, overrides, reason) => {
      const { id, executionArn, requester: asker } = await env().submit(overrides);
      const done = await env().finished(executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Refused: 1 });
      const failed = await env().store.get(id);
      expect(failed).toMatchObject({ status: 'FAILED', stage: 'validation' });
      expect(failed.status === 'FAILED' && failed.reason).toMatch(reason);
      expect(env().jitCalls('POST')).toHaveLength(0);
      expect(env().slack.messages.filter((m) => m.channel === 'C0APPROVALS')).toHaveLength(0);
      expect(dmOf(asker)[0]?.text).toMatch(/cannot be granted/);
    },
  );
});

describe('a cluster that cannot be checked', () => {
  it('fails the request with the reason and fails the execution visibly', async () => {
    env().sim.faults.add({ method: 'GET', path: '/api/svm/svms', type: 'status', status: 401, times: 10 });
    const { id, executionArn, requester: asker } = await env().submit(as('carol'));
    expect(await env().finished(executionArn)).toMatchObject({ status: 'FAILED', error: 'ValidationError' });
    const failed = await env().store.get(id);
    expect(failed).toMatchObject({ status: 'FAILED', stage: 'validation' });
    expect(failed.status === 'FAILED' && failed.reason).toMatch(
      /^The request could not be checked against the cluster: ONTAP GET \/api\/svm\/svms.* answered 401/,
    );
    expect(dmOf(asker)[0]?.text).toMatch(/cannot be granted/);
  });
});

describe('ending a grant', () => {
  it('revokes early on "Revoke now": DELETE at once, REVOKED by whoever asked', async () => {
    const { id, executionArn, requester: asker } = await env().submit(as('alice'));
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0CAROL');
    await env().waiting(executionArn, 'AwaitEnd');
    expect(env().jitCalls('DELETE')).toHaveLength(0);
    expect((await env().revokeNow(id, asker)).ok).toBe(true);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const revoked = await env().store.get(id);
    expect(revoked).toMatchObject({ status: 'REVOKED', revokedBy: asker });
    // Well before the window's end.
    if (revoked.status !== 'REVOKED') throw new Error('not revoked');
    expect(Date.parse(revoked.endedAt)).toBeLessThan(Date.parse(revoked.window.end));
    expect(env().jitCalls('DELETE')).toHaveLength(1);
    expect(env().sim.jitEntries()).toEqual([]);
    expect(
      env()
        .slack.messages.filter((m) => m.threadTs)
        .map((m) => m.text),
    ).toContainEqual(expect.stringContaining('Revoked by <@U0ALICE>'));
  });

  it('completes a revoke when the entry is already gone from the cluster', async () => {
    const { id, executionArn, requester: asker } = await env().submit(as('carol', 'U0DAVE'));
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0BOB');
    await env().waiting(executionArn, 'AwaitEnd');
    env().sim.state.deleteJitUser(SVM_UUID.svm1, 'carol', 'ssh');
    await env().revokeNow(id, asker);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED' });
    expect((await env().store.auditTrail(id)).at(-2)).toMatchObject({
      type: 'REVOKED',
      detail: 'entry was already gone from the cluster',
    });
    expect(await env().store.lockHolder(keyOf('carol'))).toBeUndefined();
  });

  it('records REVOKE_FAILED and fails visibly when the cluster keeps refusing the removal; the lock stays', async () => {
    const { id, executionArn, requester: asker } = await env().submit(as('joe.smith', 'U0DAVE'));
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0BOB');
    await env().waiting(executionArn, 'AwaitEnd');
    env().sim.faults.add({
      method: 'DELETE',
      path: '/api/security/jit-privilege-users/*',
      type: 'status',
      status: 503,
      times: 100,
    });
    await env().revokeNow(id, asker);
    const done = await env().finished(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'RevokeFailed' });
    expect(env().local.counters.execution(executionArn).retries).toBeGreaterThan(0);
    const failed = await env().store.get(id);
    expect(failed).toMatchObject({ status: 'REVOKE_FAILED' });
    expect(failed.status === 'REVOKE_FAILED' && failed.reason).toMatch(/did not remove the grant/);
    expect(await env().store.lockHolder(keyOf('joe.smith'))).toMatchObject({ requestId: id });
    expect(env().logs.some((l) => l.includes('"RevokeFailed":1') && l.includes('CloudWatchMetrics'))).toBe(true);
    expect(dmOf(asker).at(-1)?.text).toContain('could not be removed');

    // Once the cluster answers again, the reconciler runs the revoke again: entry gone, request closed, lock free.
    env().sim.faults.clear();
    const rt = env().runtime;
    const later = { now: () => env().clock.now() + RECONCILE_PERIOD_SECONDS * 1000 };
    const pass = await reconcile({ ...rt, clock: later }, rt.logger);
    expect(pass.events).toMatchObject({ revoked: 1 });
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED', revokedBy: asker });
    expect(jitEntryRowsFor('joe.smith')).toEqual([]);
    expect(await env().store.lockHolder(keyOf('joe.smith'))).toBeUndefined();
    // The grant's activity digest follows its end.
    expect((await env().store.auditTrail(id)).map((e) => e.type).slice(-3)).toEqual([
      'REVOKE_FAILED',
      'REVOKED',
      'ACTIVITY_DIGEST',
    ]);
  });
});

describe('granting', () => {
  it('retries a grant the cluster answered 503 twice, and grants once', async () => {
    const { id, executionArn, requester: asker } = await env().submit(as('bob', 'U0DAVE'));
    await env().waiting(executionArn, 'AwaitApproval');
    env().sim.faults.add({
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      type: 'status',
      status: 503,
      times: 2,
    });
    await env().approve(id, 'U0CAROL');
    await env().waiting(executionArn, 'AwaitEnd');
    const posts = env().jitCalls('POST');
    expect(posts.map((c) => c.status)).toEqual([503, 503, 201]);
    expect(env().sim.jitEntries()).toHaveLength(1);
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Grant: 1 });
    expect(env().local.counters.execution(executionArn).retries).toBeGreaterThanOrEqual(1);
    await env().revokeNow(id, asker);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('fails a grant the cluster keeps refusing, and leaves nothing behind, not even a half-made entry', async () => {
    const { id, executionArn } = await env().submit(as('o.brien-2', 'U0DAVE'));
    await env().waiting(executionArn, 'AwaitApproval');
    // The first POST is carried out but its answer lost; every later one fails.
    env().sim.faults.add({
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      type: 'reset',
      after: true,
      times: 1,
    });
    env().sim.faults.add({
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      type: 'status',
      status: 500,
      times: 100,
    });
    await env().approve(id, 'U0CAROL');
    const done = await env().finished(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'GrantFailed' });
    const failed = await env().store.get(id);
    expect(failed).toMatchObject({ status: 'FAILED', stage: 'grant' });
    expect(env().sim.jitEntries()).toEqual([]);
    expect(env().jitCalls('DELETE')).toHaveLength(1);
    expect(await env().store.lockHolder(keyOf('o.brien-2'))).toBeUndefined();
    expect(
      env()
        .slack.messages.filter((m) => m.threadTs)
        .map((m) => m.text),
    ).toContainEqual(expect.stringContaining('Grant failed'));
  });

  it('grants once for 20 concurrent clicks on Approve', async () => {
    const { id, executionArn, requester: asker } = await env().submit(as('ops@svm1', 'U0DAVE'));
    await env().waiting(executionArn, 'AwaitApproval');
    const clicks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => env().approve(id, i % 2 === 0 ? 'U0BOB' : 'U0CAROL')),
    );
    expect(clicks.filter((c) => c.ok)).toHaveLength(1);
    await env().waiting(executionArn, 'AwaitEnd');
    expect(env().jitCalls('POST')).toHaveLength(1);
    expect((await env().store.auditTrail(id)).filter((e) => e.type === 'APPROVE')).toHaveLength(1);
    await env().revokeNow(id, asker);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Grant: 1, Revoke: 1 });
  });

  it("refuses a second grant for the same account and SVM while one is live, and never touches the first one's entry", async () => {
    const first = await env().submit(as('alice'));
    await env().waiting(first.executionArn, 'AwaitApproval');
    await env().approve(first.id, 'U0BOB');
    await env().waiting(first.executionArn, 'AwaitEnd');

    const second = await env().submit(as('alice'));
    await env().waiting(second.executionArn, 'AwaitApproval');
    await env().approve(second.id, 'U0CAROL');
    expect(await env().finished(second.executionArn)).toMatchObject({ status: 'FAILED', error: 'GrantFailed' });
    const refused = await env().store.get(second.id);
    expect(refused.status === 'FAILED' && refused.reason).toContain(first.id);
    // The first grant is untouched: its entry is there, its lock is its own, nothing was deleted.
    expect(env().jitCalls('DELETE')).toHaveLength(0);
    expect(env().sim.jitEntries()).toEqual([expect.objectContaining({ comment: expect.stringContaining(first.id) })]);
    expect(await env().store.lockHolder(keyOf('alice'))).toMatchObject({ requestId: first.id });

    // And the first one still ends normally, removing its own entry.
    await env().revokeNow(first.id, first.requester);
    expect((await env().finished(first.executionArn)).status).toBe('SUCCEEDED');
    expect(env().jitCalls('DELETE')).toHaveLength(1);
    expect(env().sim.jitEntries()).toEqual([]);
  });

  it('waits for a scheduled start, then grants from that start', async () => {
    const startAt = new Date(env().clock.now() + 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const {
      id,
      executionArn,
      requester: asker,
    } = await env().submit({ ...as('carol', 'U0DAVE'), requestedStart: startAt });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0BOB');
    await env().waiting(executionArn, 'AwaitEnd');
    // While it waited, the requester was told when the access starts.
    const dmUpdates = env()
      .slack.callsTo('chat.update')
      .filter((c) => c.args.channel === env().slack.dmChannelOf(asker));
    expect(dmUpdates.map((c) => String(c.args.text))).toContainEqual(expect.stringContaining('Your access starts'));
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({
      WaitForStart: 1,
      CheckBeforeGrant: 1,
    });
    const active = await env().store.get(id);
    if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
    expect(Date.parse(active.window.start)).toBeGreaterThanOrEqual(Date.parse(startAt));
    await env().revokeNow(id, asker);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });
});
