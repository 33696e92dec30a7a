/**
 * Every accepted click takes effect and every grant ends, whatever is lost on the way: through the
 * signed Slack ingress, the real workflow on the local runner, dynalite and the ONTAP simulator,
 * with one reconciler pass standing for each scheduled run (on the scaled clock, one period later).
 */

import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import { type ReconcileResult, reconcile } from '../../lambdas/lifecycle/reconcile';
import { jitEntryRows } from '../../local/stack';
import { policyWith } from '../support/configs';
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

/** Approvals wait two business days (48 real seconds): a grant sooner than that came from the reconciler. */
const config = policyWith('svm1-operators', { approvalTimeout: '2d' });
const env = useWorkflowEnv({ ingress: true, config, ontapClient: { timeoutMs: 200 } });

const PERIOD_MS = RECONCILE_PERIOD_SECONDS * 1000;
const MINUTE = 60_000;
const DAY = 24 * 3600_000;
const keyOf = (account: string) => ({ cluster: 'cluster1', svmUuid: SVM_UUID.svm1, account, application: 'ssh' });
const entriesOf = (account: string) => jitEntryRows(env().sim).filter((e) => e.account === account);
const dmText = (userId = 'U0ALICE'): string =>
  env()
    .slack.messages.filter((m) => m.channel === env().slack.dmChannelOf(userId))
    .map((m) => m.text)
    .join('\n');

/** One reconciler pass, run as the schedule would `aheadMs` of business time from now. */
async function pass(aheadMs: number): Promise<ReconcileResult> {
  const rt = env().runtime;
  const clock = { now: () => env().clock.now() + aheadMs };
  return reconcile({ ...rt, clock }, rt.logger.createChild({ persistentKeys: { task: 'reconcile' } }), {
    itemDeadlineMs: 5000,
  });
}

/** A request by alice approved by bob through the ingress, granted and waiting for its end. */
async function grantedRequest(
  text = 'svm1 vsadmin 2h Rebuild the snapmirror schedule',
): Promise<{ id: string; executionArn: string }> {
  const { id, executionArn } = await env().ingress.request('U0ALICE', text);
  await env().waiting(executionArn, 'AwaitApproval');
  await env().ingress.click('U0BOB', 'jit_approve', id);
  await env().waiting(executionArn, 'AwaitEnd');
  return { id, executionArn };
}

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  env().local.faults.clear();
});

describe('a lost signal', () => {
  it('Approve: the click is recorded and answered honestly, and the grant happens within one reconciler period', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Rotate the backup keys');
    await env().waiting(executionArn, 'AwaitApproval');
    // Both tries of the SDK fail: the signal never reaches the execution.
    env().local.faults.add('SendTaskSuccess', 2);
    const { answer, responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(answer.status).toBe(200);
    const told = responses()
      .map((r) => String(r.text))
      .join('\n');
    expect(told).toMatch(/recorded/);
    expect(told).toMatch(/not taken effect yet/);
    expect(await env().store.get(id)).toMatchObject({ status: 'APPROVED' });
    expect(entriesOf('alice')).toEqual([]);

    const passAt = env().clock.now();
    const repaired = await pass(PERIOD_MS);
    expect(repaired.events).toMatchObject({ 'signal-resent': 1 });
    await env().waiting(executionArn, 'AwaitEnd');
    const granted = await env().store.get(id);
    expect(granted).toMatchObject({ status: 'ACTIVE' });
    expect(entriesOf('alice')).toHaveLength(1);
    // Granted after the pass that found the lost signal, long before the approval timeout (two days).
    if (granted.status !== 'ACTIVE') throw new Error('not granted');
    expect(Date.parse(granted.grantedAt) - passAt).toBeLessThan(DAY);

    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('"Revoke now": the entry is removed within one reconciler period', async () => {
    const { id, executionArn } = await grantedRequest('svm1 vsadmin 8h Rebuild the snapmirror schedule');
    env().local.faults.add('SendTaskSuccess', 2);
    const { responses } = await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect(
      responses()
        .map((r) => String(r.text))
        .join('\n'),
    ).toMatch(/not taken effect yet/);
    expect(await env().store.get(id)).toMatchObject({ status: 'ACTIVE', revokeRequestedBy: 'U0ALICE' });
    expect(entriesOf('alice')).toHaveLength(1);

    const passAt = env().clock.now();
    const repaired = await pass(PERIOD_MS);
    expect(repaired.events).toMatchObject({ 'signal-resent': 1 });
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const revoked = await env().store.get(id);
    expect(revoked).toMatchObject({ status: 'REVOKED', revokedBy: 'U0ALICE' });
    expect(entriesOf('alice')).toEqual([]);
    expect(await env().store.lockHolder(keyOf('alice'))).toBeUndefined();
    // Removed after the pass that found the lost signal, long before the window's end (eight hours).
    if (revoked.status !== 'REVOKED') throw new Error('not revoked');
    expect(Date.parse(revoked.endedAt) - passAt).toBeLessThan(4 * 3600_000);
  });
});

describe('a cluster outage', () => {
  it('after a grant whose answer was lost: clean-up pending and the lock kept until the cluster is back, then "nothing was left behind", and the next request is granted', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Patch the export policy');
    await env().waiting(executionArn, 'AwaitApproval');
    // The POST is applied but its answer lost; then the cluster stops answering for 30 minutes.
    env().sim.faults.add({
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      type: 'reset',
      after: true,
      times: 1,
    });
    env().sim.faults.add({ path: '/api/*', type: 'status', status: 503, times: 100_000 });
    await env().ingress.click('U0BOB', 'jit_approve', id);
    expect((await env().finished(executionArn)).status).toBe('FAILED');

    expect(await env().store.get(id)).toMatchObject({ status: 'FAILED', stage: 'grant', cleanupPending: true });
    expect(
      env()
        .sim.jitEntries()
        .filter((e) => JSON.stringify(e).includes(id)),
    ).toHaveLength(1);
    expect(await env().store.lockHolder(keyOf('alice'))).toMatchObject({ requestId: id });
    expect(dmText()).toMatch(/Clean-up pending/);
    expect(dmText()).not.toMatch(/Nothing was left behind/);

    // Passes during the outage change nothing and say so.
    const during = await pass(10 * MINUTE);
    expect(during.cleanupPending).toEqual([id]);
    expect(await env().store.get(id)).toMatchObject({ cleanupPending: true });
    expect(await env().store.lockHolder(keyOf('alice'))).toMatchObject({ requestId: id });
    expect(dmText()).not.toMatch(/Nothing was left behind/);

    env().sim.faults.clear();
    const after = await pass(30 * MINUTE + PERIOD_MS);
    expect(after.events).toMatchObject({ 'cleaned-up': 1 });
    expect(env().sim.jitEntries()).toEqual([]);
    expect(await env().store.lockHolder(keyOf('alice'))).toBeUndefined();
    const cleaned = await env().store.get(id);
    expect(cleaned).toMatchObject({ status: 'FAILED', stage: 'grant' });
    expect('cleanupPending' in cleaned).toBe(false);
    expect(dmText()).toMatch(/Nothing was left behind/);
    expect((await env().store.auditTrail(id)).map((e) => e.type).slice(-2)).toEqual(['GRANT_FAILED', 'CLEANED_UP']);

    const next = await grantedRequest('svm1 vsadmin 1h Patch the export policy again');
    expect(await env().store.get(next.id)).toMatchObject({ status: 'ACTIVE' });
    await env().ingress.click('U0ALICE', 'jit_revoke', next.id);
    expect((await env().finished(next.executionArn)).status).toBe('SUCCEEDED');
  });

  it('during an early revoke: the entry is gone within one period of the cluster coming back', async () => {
    const { id, executionArn } = await grantedRequest('svm1 vsadmin 8h Long migration night');
    env().sim.faults.add({
      method: 'DELETE',
      path: '/api/security/jit-privilege-users/*',
      type: 'status',
      status: 503,
      times: 100_000,
    });
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('FAILED');
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKE_FAILED', revokeRequestedBy: 'U0ALICE' });

    const during = await pass(15 * MINUTE);
    expect(during.retrying).toBe(1);
    expect(entriesOf('alice')).toHaveLength(1);

    // The cluster is back 30 minutes in; the next scheduled pass is at most one period later.
    env().sim.faults.clear();
    const after = await pass(30 * MINUTE + PERIOD_MS);
    expect(after.events).toMatchObject({ revoked: 1 });
    expect(entriesOf('alice')).toEqual([]);
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED', revokedBy: 'U0ALICE' });
    expect(await env().store.lockHolder(keyOf('alice'))).toBeUndefined();
  });
});
