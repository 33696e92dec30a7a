/**
 * Races through the real Slack ingress (Slack-signed requests over loopback) in front of the real
 * workflow: every race has exactly one outcome, recorded once in the audit trail, and the cluster
 * sees exactly what that outcome needs.
 */

import type { Status } from '../../lambdas/domain/request';
import { make as makeRevokeAccess } from '../../lambdas/handlers/revoke-access';
import { jitEntryRows } from '../../local/stack';
import { entriesPastApproval, Tally, trail } from '../support/hardening';
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

/** Run just before the Revoke task of a request (set per test). */
const beforeRevoke: { hook?: (requestId: string) => Promise<void> } = {};

/** The product's revoke-access handler over this file's environment. */
const revokeAccessHandler = makeRevokeAccess(async () => env().runtime);

const env = useWorkflowEnv({
  ingress: true,
  handlers: {
    'revoke-access': async (event: { requestId: string }) => {
      await beforeRevoke.hook?.(event.requestId);
      return revokeAccessHandler(event);
    },
  },
});
const races = new Tally();
afterAll(() => console.log(races.render('Races run (race: outcome)')));

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  delete beforeRevoke.hook;
});

const JUSTIFICATION = 'Fix the snapmirror schedule before the change window';

/** Audit events of a request, by type. */
async function eventCounts(id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const e of await trail(env().store, id)) out[e] = (out[e] ?? 0) + 1;
  return out;
}

/** What every race ends with: the status, each event once (a grant's activity digest too), nothing left on the cluster. */
async function settled(id: string, executionArn: string): Promise<Status> {
  const done = await env().finished(executionArn);
  expect(done.status).toBe('SUCCEEDED');
  const request = await env().store.get(id);
  const events = await trail(env().store, id);
  expect(new Set(events).size).toBe(events.length);
  expect(entriesPastApproval(env().sim.jitEntries(), [request])).toEqual([]);
  expect(env().sim.jitEntries()).toEqual([]);
  return request.status;
}

describe('decisions racing each other', () => {
  it('two approvers click Approve at the same instant on a 1-of-M request: one approval, one grant', async () => {
    for (let round = 0; round < 3; round++) {
      env().sim.reset();
      const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 30m ${JUSTIFICATION}`);
      await env().waiting(executionArn, 'AwaitApproval');
      const clicks = await Promise.all(
        ['U0BOB', 'U0CAROL', 'U0BOB', 'U0CAROL'].map((u) => env().ingress.click(u, 'jit_approve', id)),
      );
      expect(clicks.map((c) => c.answer.status)).toEqual([200, 200, 200, 200]);
      // Three of the four clicks are told it was already approved.
      expect(
        clicks.flatMap((c) => c.responses()).filter((r) => String(r.text).includes('already been approved')),
      ).toHaveLength(3);
      // Entered, not waiting: a 30-minute window (0.5 s at 3600×) may be over before this line on a loaded machine.
      await env().local.sfn.whenEntered(executionArn, 'AwaitEnd');
      expect((await env().store.get(id)).approvals).toHaveLength(1);
      expect(await settled(id, executionArn)).toBe('EXPIRED');
      expect(await eventCounts(id)).toEqual({
        'REQUESTED:PENDING': 1,
        'APPROVE:APPROVED': 1,
        'GRANTED:ACTIVE': 1,
        'REVOKED:EXPIRED': 1,
        'ACTIVITY_DIGEST:EXPIRED': 1,
      });
      expect(env().jitCalls('POST')).toHaveLength(1);
      races.add('4 concurrent approvals, 1-of-M: one approval');
    }
  });

  it('both approvers of a 2-of-M request click at once, each twice: two distinct approvals, one grant', async () => {
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'storage.ops' },
      svm: { name: 'cluster1' },
      role: 'admin',
      policy: 'cluster-admin',
      approvalsRequired: 2,
      durationSeconds: 1800,
    });
    await env().waiting(executionArn, 'AwaitApproval');
    await Promise.all(['U0BOB', 'U0CAROL', 'U0BOB', 'U0CAROL'].map((u) => env().ingress.click(u, 'jit_approve', id)));
    await env().local.sfn.whenEntered(executionArn, 'AwaitEnd');
    const request = await env().store.get(id);
    expect(request.approvals.map((a) => a.by).sort()).toEqual(['U0BOB', 'U0CAROL']);
    expect(await settled(id, executionArn)).toBe('EXPIRED');
    expect(await eventCounts(id)).toEqual({
      'REQUESTED:PENDING': 1,
      'APPROVE:PENDING': 1,
      'APPROVE:APPROVED': 1,
      'GRANTED:ACTIVE': 1,
      'REVOKED:EXPIRED': 1,
      'ACTIVITY_DIGEST:EXPIRED': 1,
    });
    expect(env().jitCalls('POST')).toHaveLength(1);
    races.add('4 concurrent approvals, 2-of-M: two approvals');
  });

  it('Approve racing Deny: exactly one wins, and the cluster sees only what it decided', async () => {
    const outcomes = new Tally();
    for (let round = 0; round < 4; round++) {
      env().sim.reset();
      const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 30m ${JUSTIFICATION}`);
      await env().waiting(executionArn, 'AwaitApproval');
      // Carol has the deny modal open; Bob approves as she submits it (alternating who goes first).
      const before = new Set(env().slack.views.keys());
      await env().ingress.click('U0CAROL', 'jit_deny', id);
      const viewId = [...env().slack.views.keys()].find((k) => !before.has(k)) as string;
      const approve = () => env().ingress.click('U0BOB', 'jit_approve', id);
      const deny = () => env().ingress.submitView('U0CAROL', viewId, { reason: 'Not during the freeze' });
      await Promise.all(round % 2 === 0 ? [approve(), deny()] : [deny(), approve()]);
      const status = await settled(id, executionArn);
      outcomes.add(status);
      const counts = await eventCounts(id);
      if (status === 'DENIED') {
        expect(counts).toEqual({ 'REQUESTED:PENDING': 1, 'DENY:DENIED': 1 });
        expect(env().jitCalls('POST')).toHaveLength(0);
      } else {
        expect(status).toBe('EXPIRED');
        expect(counts).toEqual({
          'REQUESTED:PENDING': 1,
          'APPROVE:APPROVED': 1,
          'GRANTED:ACTIVE': 1,
          'REVOKED:EXPIRED': 1,
          'ACTIVITY_DIGEST:EXPIRED': 1,
        });
        expect(env().jitCalls('POST')).toHaveLength(1);
      }
      races.add(`approve vs deny: ${status === 'DENIED' ? 'denied' : 'approved'}`);
    }
    expect(outcomes.get('DENIED') + outcomes.get('EXPIRED')).toBe(4);
  });

  it('Approve after Cancel is refused; nothing is granted', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 30m ${JUSTIFICATION}`);
    await env().waiting(executionArn, 'AwaitApproval');
    const cancel = await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect(cancel.responses()).toEqual([]);
    const approve = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(String(approve.responses()[0]?.text)).toMatch(/cancelled/i);
    expect(await settled(id, executionArn)).toBe('CANCELLED');
    expect(await eventCounts(id)).toEqual({ 'REQUESTED:PENDING': 1, 'CANCEL:CANCELLED': 1 });
    expect(env().jitCalls('POST')).toHaveLength(0);
    races.add('approve after cancel: refused');
  });

  it('Cancel racing Approve: one wins; a cancelled request keeps nothing on the cluster', async () => {
    for (let round = 0; round < 2; round++) {
      env().sim.reset();
      const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 30m ${JUSTIFICATION}`);
      await env().waiting(executionArn, 'AwaitApproval');
      await Promise.all([
        env().ingress.click('U0ALICE', 'jit_cancel', id),
        env().ingress.click('U0BOB', 'jit_approve', id),
      ]);
      const status = await settled(id, executionArn);
      expect(['CANCELLED', 'EXPIRED']).toContain(status);
      if (status !== 'CANCELLED') {
        races.add('cancel vs approve: approved (cancel refused)');
        continue;
      }
      // A cancelled request keeps nothing on the cluster.
      expect(jitEntryRows(env().sim).filter((e) => e.account === 'alice')).toEqual([]);
      const created = env()
        .jitCalls('POST')
        .filter((c) => c.status === 201);
      if (created.length === 0) {
        races.add('cancel vs approve: cancelled, nothing created');
        continue;
      }
      // The approval was recorded first, and the requester's cancel (theirs until granted) landed while the
      // grant was making the entry: the grant is refused and takes the entry back (lambdas/lifecycle/grant.ts).
      expect(await trail(env().store, id)).toEqual(['REQUESTED:PENDING', 'APPROVE:APPROVED', 'CANCEL:CANCELLED']);
      expect(env().jitCalls('DELETE').length).toBeGreaterThan(0);
      races.add('cancel vs approve: approved, then cancelled during the grant (entry removed)');
    }
  });

  it('Approve after the approval timeout is refused; nothing is granted', async () => {
    // svm1-quick: a 30-minute approval timeout (half a real second).
    const { id, executionArn } = await env().submit({
      policy: 'svm1-quick',
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'alice' },
    });
    expect(await settled(id, executionArn)).toBe('EXPIRED');
    const approve = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(String(approve.responses()[0]?.text)).toMatch(/expired/i);
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED', expiry: 'approval-timeout' });
    expect(await eventCounts(id)).toEqual({ 'REQUESTED:PENDING': 1, 'APPROVAL_TIMEOUT:EXPIRED': 1 });
    expect(env().jitCalls('POST')).toHaveLength(0);
    races.add('approve after approval timeout: refused');
  });
});

describe('the end of a grant', () => {
  it('"Revoke now" landing as the window ends: one end, recorded once, one DELETE', async () => {
    const seen = new Tally();
    for (const clickFirst of [true, false]) {
      env().sim.reset();
      const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 30m ${JUSTIFICATION}`);
      await env().waiting(executionArn, 'AwaitApproval');
      let clicked: Promise<unknown> = Promise.resolve();
      // The window's timeout has fired and the Revoke task is starting: the click lands now.
      beforeRevoke.hook = async (requestId) => {
        if (requestId !== id) return;
        delete beforeRevoke.hook;
        clicked = env().ingress.click('U0ALICE', 'jit_revoke', id);
        if (clickFirst) await clicked;
      };
      await env().ingress.click('U0BOB', 'jit_approve', id);
      await env().finished(executionArn);
      await clicked;
      const status = await settled(id, executionArn);
      expect(['EXPIRED', 'REVOKED']).toContain(status);
      seen.add(status);
      const counts = await eventCounts(id);
      expect(counts['GRANTED:ACTIVE']).toBe(1);
      expect((counts['REVOKED:EXPIRED'] ?? 0) + (counts['REVOKED:REVOKED'] ?? 0)).toBe(1);
      expect(counts['REVOKE_REQUESTED:ACTIVE'] ?? 0).toBeLessThanOrEqual(1);
      expect(
        env()
          .jitCalls('DELETE')
          .filter((c) => c.status === 200),
      ).toHaveLength(1);
      races.add(`revoke now vs window end (${clickFirst ? 'click first' : 'together'}): ${status}`);
    }
  });

  it('"Revoke now" clicked by requester and approver at once, twice each: one revoke', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 4h ${JUSTIFICATION}`);
    await env().waiting(executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', id);
    await env().waiting(executionArn, 'AwaitEnd');
    await Promise.all(['U0ALICE', 'U0BOB', 'U0ALICE', 'U0BOB'].map((u) => env().ingress.click(u, 'jit_revoke', id)));
    expect(await settled(id, executionArn)).toBe('REVOKED');
    const counts = await eventCounts(id);
    expect(counts['REVOKE_REQUESTED:ACTIVE']).toBe(1);
    expect(counts['REVOKED:REVOKED']).toBe(1);
    expect(env().jitCalls('DELETE')).toHaveLength(1);
    races.add('4 concurrent revoke clicks: one revoke');
  });
});

describe('overlapping requests for the same account and SVM', () => {
  it("two live requests for alice on svm1: one grant at a time, and neither revoke removes the other's entry", async () => {
    const first = await env().ingress.request('U0ALICE', `svm1 vsadmin 2h ${JUSTIFICATION}`);
    const second = await env().ingress.request('U0ALICE', `svm1 vsadmin-volume 2h ${JUSTIFICATION} (second)`);
    await Promise.all([
      env().waiting(first.executionArn, 'AwaitApproval'),
      env().waiting(second.executionArn, 'AwaitApproval'),
    ]);
    // Both approved at once.
    await Promise.all([
      env().ingress.click('U0BOB', 'jit_approve', first.id),
      env().ingress.click('U0CAROL', 'jit_approve', second.id),
    ]);
    const ends = await Promise.all([env().finished(first.executionArn), env().finished(second.executionArn)]);
    const requests = await Promise.all([env().store.get(first.id), env().store.get(second.id)]);
    const statuses = requests.map((r) => r.status).sort();
    // One was granted and ran its course; the other was refused at the grant (the lock is held).
    expect(statuses).toEqual(['EXPIRED', 'FAILED']);
    const failed = requests.find((r) => r.status === 'FAILED');
    expect(failed && 'reason' in failed ? failed.reason : '').toMatch(/already holds this access/);
    expect(ends.map((e) => e.status).sort()).toEqual(['FAILED', 'SUCCEEDED']);
    expect(
      env()
        .jitCalls('POST')
        .filter((c) => c.status === 201),
    ).toHaveLength(1);
    // The refused one never deleted the live one's entry: only one DELETE, by the granted request.
    expect(env().jitCalls('DELETE')).toHaveLength(1);
    expect(env().sim.jitEntries()).toEqual([]);
    expect(
      await env().store.lockHolder({
        cluster: 'cluster1',
        svmUuid: SVM_UUID.svm1,
        account: 'alice',
        application: 'ssh',
      }),
    ).toBeUndefined();
    races.add('overlapping grants for one account and SVM: one granted, one refused');
  });
});

describe('Slack delivering the same request again (X-Slack-Retry-Num)', () => {
  it('a retried /jit makes one request and one execution', async () => {
    const { slack } = env();
    const responseUrl = slack.issueResponseUrl();
    const trigger = slack.issueTrigger('U0ALICE');
    const { commandBody, signedHeaders } = await import('../support/slack');
    const body = commandBody({ user: 'U0ALICE', text: `svm1 vsadmin 30m ${JUSTIFICATION}`, trigger, responseUrl });
    const answers = await Promise.all(
      [0, 1, 2].map((n) =>
        env().ingress.post(
          body,
          signedHeaders(body, 'application/x-www-form-urlencoded', n === 0 ? {} : { retryNum: n }),
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    // Each delivery is answered with the reply in the answer itself.
    const replies = answers.map((a) => String((a.json() as { text?: unknown }).text));
    expect(slack.responses.filter((r) => r.id === responseUrl.split('/').pop())).toEqual([]);
    const ids = new Set(replies.map((t) => /`(JIT-[0-9A-Z]{12})`/.exec(t)?.[1]));
    expect(ids.size).toBe(1);
    const id = [...ids][0] as string;
    const mine = await env().store.listByRequester('U0ALICE', 100);
    expect(
      mine.filter((r) => r.createdAt === mine.find((m) => m.id === id)?.createdAt && r.justification === JUSTIFICATION),
    ).toHaveLength(1);
    const executions = env()
      .local.sfn.listExecutions()
      .filter((e) => e.name === id);
    expect(executions).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect(await settled(id, executions[0]?.executionArn as string)).toBe('CANCELLED');
    races.add('/jit delivered 3 times: one request');
  });

  it('a retried approval click approves once and grants once', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 30m ${JUSTIFICATION}`);
    await env().waiting(executionArn, 'AwaitApproval');
    const payload = env().ingress.clickPayload('U0BOB', 'jit_approve', id);
    await Promise.all([
      env().ingress.interact(payload),
      env().ingress.interact(payload, { retryNum: 1 }),
      env().ingress.interact(payload, { retryNum: 2 }),
    ]);
    expect(await settled(id, executionArn)).toBe('EXPIRED');
    expect(await eventCounts(id)).toEqual({
      'REQUESTED:PENDING': 1,
      'APPROVE:APPROVED': 1,
      'GRANTED:ACTIVE': 1,
      'REVOKED:EXPIRED': 1,
      'ACTIVITY_DIGEST:EXPIRED': 1,
    });
    expect(env().jitCalls('POST')).toHaveLength(1);
    races.add('approval click delivered 3 times: one approval');
  });
});
