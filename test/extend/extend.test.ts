/**
 * Extend, end to end: the requester's Extend button and modal through the signed ingress, the
 * extension's approval under the approval message, and the real workflow replacing the ONTAP entry
 * on the scaled clock (an hour is a real second). The entry's end moves exactly; a refused or
 * dropped extension changes nothing; the maxima hold; races with the end and "Revoke now" have one
 * outcome each.
 */
import { type AccessRequest, RequestSchema } from '../../lambdas/domain/request';
import { checkBlockKit } from '../notifications/block-kit-limits';
import { APPROVAL_CHANNEL, policiesWith } from '../support/configs';
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

const config = policiesWith(
  {
    'svm1-operators': {
      roles: ['vsadmin'],
      endsSoonNotice: 'off',
      extension: { by: '2h', times: 2, approval: 'none' },
    },
    'svm1-quick': {
      approvalTimeout: '4h',
      endsSoonNotice: 'off',
      extension: { by: '1h', times: 1, approval: 'required', approvers: { users: ['U0CAROL'] } },
    },
  },
  { only: true },
);
const env = useWorkflowEnv({ ingress: true, config });

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
});

afterEach(() => {
  for (const call of env().slack.callsTo('chat.postMessage')) expect(checkBlockKit(call.args)).toEqual([]);
});

/** Alice's request under `policy`, approved by Bob, granted, waiting for its end. */
async function granted(hours: number, policy: string): Promise<{ id: string; executionArn: string; live: Live }> {
  const made = await env().submit({ durationSeconds: hours * 3600, policy, role: 'vsadmin' });
  await env().waiting(made.executionArn, 'AwaitApproval');
  await env().ingress.click('U0BOB', 'jit_approve', made.id);
  await env().waiting(made.executionArn, 'AwaitEnd');
  return { ...made, live: await live(made.id) };
}

type Live = Extract<AccessRequest, { status: 'ACTIVE' }>;
async function live(id: string): Promise<Live> {
  const r = await env().store.get(id);
  if (r.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${r.status}`);
  return r;
}

/** Clicks Extend as `user` and submits the modal it opens; the modal's answer, or the click's refusal. */
async function extend(user: string, id: string, seconds: string, reason = 'the migration runs late') {
  const before = new Set(env().slack.views.keys());
  const { responses } = await env().ingress.click(user, 'jit_extend', id);
  const opened = [...env().slack.views.keys()].filter((k) => !before.has(k));
  if (opened.length !== 1) return { refused: JSON.stringify(responses()) };
  const view = env().slack.views.get(opened[0] as string)?.view;
  const answer = await env().ingress.submitView(user, opened[0] as string, {
    extend_by: seconds,
    extend_reason: reason,
  });
  return { answer, view: JSON.stringify(view) };
}

/** The one JIT entry on the cluster, with its end. */
function entry(): { end_time?: string; jit_validity?: string; start_time?: string } | undefined {
  const entries = env().sim.jitEntries() as { end_time?: string; jit_validity?: string; start_time?: string }[];
  expect(entries.length).toBeLessThanOrEqual(1);
  return entries[0];
}
const dmsTo = (user: string): string[] =>
  env()
    .slack.messages.filter((m) => m.channel === env().slack.dmChannelOf(user))
    .map((m) => `${m.text} ${JSON.stringify(m.blocks)}`);

/** Resolves once the workflow has applied `count` extensions (it polls the record; no timing is asserted). */
async function extended(id: string, count = 1): Promise<Live> {
  for (let i = 0; i < 2000; i++) {
    const r = await env().store.get(id);
    if (r.status === 'ACTIVE' && (r.extensions?.length ?? 0) >= count && r.extension === undefined) return r;
    if (r.status !== 'ACTIVE') {
      const audit = (await env().store.auditTrail(id)).map((e) => `${e.type} ${e.detail ?? ''}`);
      const logs = [...env().logs, ...env().ingress.logs].filter((l) => /extens|extend/i.test(l)).slice(-8);
      throw new Error(
        `the grant ended (${r.status}) before ${count} extension(s): ${audit.join('; ')} ${logs.join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no extension applied');
}

describe('Extend without an approval', () => {
  it('offers Extend, says what replacing the entry does, and moves the entry end exactly', async () => {
    const { id, executionArn, live: before } = await granted(4, 'svm1-operators');
    expect(dmsTo('U0ALICE').some((m) => m.includes('"action_id":"jit_extend"'))).toBe(true);
    const { answer, view } = await extend('U0ALICE', id, '3600');
    expect(answer?.status).toBe(200);
    expect(view).toContain('security jit-privilege elevate');
    expect(view).toContain('jit_state');
    const after = await extended(id);
    expect(after.window).toEqual({
      start: before.window.start,
      end: new Date(Date.parse(before.window.end) + 3600_000).toISOString().replace('.000Z', 'Z'),
    });
    // The entry was replaced: one DELETE, a second POST, for exactly [original start, new end].
    expect(env().jitCalls('DELETE')).toHaveLength(1);
    expect(env().jitCalls('POST')).toHaveLength(2);
    expect(env().jitCalls('POST')[1]?.body).toMatchObject({
      jit_validity: 'PT5H',
      start_time: `${before.window.start.slice(0, 19)}+00:00`,
    });
    expect(Date.parse(entry()?.end_time ?? '')).toBe(Date.parse(after.window.end));
    expect(after.extensions).toEqual([
      expect.objectContaining({ by: 'U0ALICE', from: before.window.end, to: after.window.end, replaced: 'idle' }),
    ]);
    const audit = await env().store.auditTrail(id);
    expect(audit.find((e) => e.type === 'EXTENDED')?.detail).toContain(before.window.end);
    // The grant runs to its new end, and the lock moved with it.
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(dmsTo('U0ALICE').filter((m) => m.includes('is extended: it now ends'))).toHaveLength(1);
    const ended = await env().store.get(id);
    expect(ended).toMatchObject({ status: 'EXPIRED', window: after.window });
    if (ended.status === 'EXPIRED')
      expect(Date.parse(ended.endedAt)).toBeGreaterThanOrEqual(Date.parse(after.window.end));
    expect(entry()).toBeUndefined();
  });

  it('only the requester may extend, and a doubled submit makes one extension', async () => {
    const { id, executionArn } = await granted(4, 'svm1-operators');
    const other = await extend('U0BOB', id, '3600');
    expect(other.refused).toContain('Only the requester');
    const before = new Set(env().slack.views.keys());
    await env().ingress.click('U0ALICE', 'jit_extend', id);
    const viewId = [...env().slack.views.keys()].find((k) => !before.has(k)) as string;
    const answers = { extend_by: '3600', extend_reason: 'twice' };
    await Promise.all([
      env().ingress.submitView('U0ALICE', viewId, answers),
      env().ingress.submitView('U0ALICE', viewId, answers, { retryNum: 1 }),
    ]);
    await extended(id);
    expect((await live(id)).extensions).toHaveLength(1);
    expect((await env().store.auditTrail(id)).filter((e) => e.type === 'EXTEND_REQUESTED')).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
  });

  it('never past the policy: a forged choice is refused and `times` caps the count', async () => {
    const { id, executionArn } = await granted(4, 'svm1-operators');
    // 4h granted, 8h at most: 3h more is more than `by` (2h) allows.
    const forged = await extend('U0ALICE', id, String(3 * 3600));
    expect(forged.answer?.body).toContain('At most 2 hours more');
    expect(env().jitCalls('DELETE')).toHaveLength(0);
    await extend('U0ALICE', id, '3600');
    await extended(id);
    const first = await live(id);
    await extend('U0ALICE', id, '3600');
    expect((await extended(id, 2)).extensions).toHaveLength(2);
    // Twice extended, the most the policy allows: no more Extend.
    expect((await extend('U0ALICE', id, '3600')).refused).toContain('cannot be extended any further');
    expect(Date.parse((await live(id)).window.end) - Date.parse(first.window.end)).toBe(3600_000);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
  });

  it('an elevated session gets a short while, then the entry is replaced anyway and the requester told', async () => {
    const { id, executionArn } = await granted(6, 'svm1-operators');
    env().sim.state.elevate(SVM_UUID.svm1, 'alice');
    await extend('U0ALICE', id, '3600');
    const after = await extended(id);
    const replaced = after.extensions?.[0]?.replaced;
    // Sessions last the window's session validity (an hour: a real second), so it may have ended meanwhile.
    expect(['active', 'idle']).toContain(replaced);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
    const told = dmsTo('U0ALICE').filter((m) => m.includes('is extended'));
    expect(told).toHaveLength(1);
    expect(told[0]?.includes('that session ended')).toBe(replaced === 'active');
  });
});

describe('Extend against the cluster', () => {
  it("never past the cluster's max_jit_validity_period over the whole window: dropped, nothing touched", async () => {
    const { id, executionArn, live: before } = await granted(4, 'svm1-operators');
    env().sim.state.patchJitSettings(SVM_UUID.svm1, 'ssh', { max_jit_validity_period: 'PT4H30M' });
    await extend('U0ALICE', id, '3600');
    for (let i = 0; i < 2000 && (await live(id)).extension !== undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const after = await live(id);
    expect(after.window).toEqual(before.window);
    expect(after.extensions).toBeUndefined();
    expect(env().jitCalls('DELETE')).toHaveLength(0);
    expect(env().jitCalls('POST')).toHaveLength(1);
    expect((await env().store.auditTrail(id)).find((e) => e.type === 'EXTEND_DROPPED')?.detail).toContain('PT4H30M');
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
    expect(dmsTo('U0ALICE').some((m) => m.includes('longer than the cluster allows'))).toBe(true);
  });

  it('the new entry refused after the old was deleted: access ended early, recorded, told, nothing left', async () => {
    const { id, executionArn } = await granted(4, 'svm1-operators');
    // The grant's own POST is done: every later one fails.
    env().sim.faults.add({
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      times: 10,
      type: 'status',
      status: 500,
    });
    await extend('U0ALICE', id, '3600');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const ended = await env().store.get(id);
    expect(ended).toMatchObject({ status: 'EXPIRED' });
    expect(entry()).toBeUndefined();
    const audit = (await env().store.auditTrail(id)).map((e) => e.type);
    // The grant's activity digest follows its end.
    expect(audit.slice(-3)).toEqual(['EXTEND_DROPPED', 'REVOKED', 'ACTIVITY_DIGEST']);
    expect(dmsTo('U0ALICE').some((m) => m.includes('access has ended early'))).toBe(true);
    // The grant lock went with it: the account can be granted again.
    const again = await granted(1, 'svm1-operators');
    await env().ingress.click('U0ALICE', 'jit_revoke', again.id);
    await env().finished(again.executionArn);
  });
});

describe('Extend with an approval', () => {
  it("asks the extension's own approvers; self and other approvers are refused; approved, the end moves", async () => {
    const { id, executionArn, live: before } = await granted(4, 'svm1-quick');
    await extend('U0ALICE', id, '3600');
    const ask = env().slack.messages.find((m) => m.text.includes('asks to extend'));
    expect(ask?.channel).toBe(APPROVAL_CHANNEL);
    expect(ask?.text).toContain('<@U0CAROL>');
    expect(JSON.stringify(ask?.blocks)).toContain('jit_extend_approve');
    expect((await live(id)).extension).toMatchObject({ seconds: 3600, approvalsRequired: 1 });

    const self = await env().ingress.click('U0ALICE', 'jit_extend_approve', id);
    expect(JSON.stringify(self.responses())).toContain('your own');
    const bob = await env().ingress.click('U0BOB', 'jit_extend_approve', id);
    expect(JSON.stringify(bob.responses())).toMatch(/not an approver|approvers/i);
    expect(env().jitCalls('DELETE')).toHaveLength(0);

    await env().ingress.click('U0CAROL', 'jit_extend_approve', id);
    const after = await extended(id);
    expect(Date.parse(after.window.end) - Date.parse(before.window.end)).toBe(3600_000);
    expect(after.extensions?.[0]?.approvedBy).toEqual(['U0CAROL']);
    expect(Date.parse(entry()?.end_time ?? '')).toBe(Date.parse(after.window.end));
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    await env().finished(executionArn);
  });

  it('a denied extension changes nothing on the cluster and tells the requester', async () => {
    const { id, executionArn, live: before } = await granted(4, 'svm1-quick');
    await extend('U0ALICE', id, '3600');
    const bob = await env().ingress.click('U0BOB', 'jit_extend_deny', id);
    expect(JSON.stringify(bob.responses())).toMatch(/not an approver|approvers/i);
    const before2 = new Set(env().slack.views.keys());
    await env().ingress.click('U0CAROL', 'jit_extend_deny', id);
    const modal = [...env().slack.views.keys()].filter((k) => !before2.has(k));
    expect(modal).toHaveLength(1);
    await env().ingress.submitView('U0CAROL', modal[0] as string, { reason: 'Not during the freeze' });
    const after = await live(id);
    expect(after.window).toEqual(before.window);
    expect(after.extension).toBeUndefined();
    expect(env().jitCalls('DELETE')).toHaveLength(0);
    expect(env().jitCalls('POST')).toHaveLength(1);
    expect(
      dmsTo('U0ALICE').some((m) => m.includes('denied your extension') && m.includes('Not during the freeze')),
    ).toBe(true);
    expect((await env().store.auditTrail(id)).find((e) => e.type === 'EXTEND_DENY')).toMatchObject({
      actor: 'U0CAROL',
      detail: 'Not during the freeze',
    });
    const late = await env().ingress.click('U0CAROL', 'jit_extend_approve', id);
    expect(JSON.stringify(late.responses())).toContain('No extension');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'EXPIRED', window: before.window });
  });

  it('Extend vs the natural end: not approved before it, the grant ends as it was, approval refused', async () => {
    const { id, executionArn, live: before } = await granted(2, 'svm1-quick');
    await extend('U0ALICE', id, '3600');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const ended = RequestSchema.parse(await env().store.get(id));
    expect(ended).toMatchObject({ status: 'EXPIRED', window: before.window });
    expect(ended.extension).toBeUndefined();
    const audit = (await env().store.auditTrail(id)).map((e) => e.type);
    expect(audit).toContain('EXTEND_DROPPED');
    expect(audit).not.toContain('EXTENDED');
    expect(env().jitCalls('POST')).toHaveLength(1);
    expect(dmsTo('U0ALICE').some((m) => m.includes('not approved before the access ended'))).toBe(true);
    const late = await env().ingress.click('U0CAROL', 'jit_extend_approve', id);
    expect(JSON.stringify(late.responses())).toContain('already ended');
  });

  it('Extend vs "Revoke now": the revoke wins, the extension is refused, nothing is re-created', async () => {
    const { id, executionArn } = await granted(4, 'svm1-quick');
    await extend('U0ALICE', id, '3600');
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    const late = await env().ingress.click('U0CAROL', 'jit_extend_approve', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    // Refused either way: the revoke dropped the waiting extension, or the grant is already revoked.
    expect(JSON.stringify(late.responses())).toMatch(/No extension of this grant is waiting|revoked/);
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED' });
    expect(env().jitCalls('POST')).toHaveLength(1);
    expect(entry()).toBeUndefined();
  });
});

describe('Extend racing "Revoke now" without an approval', () => {
  it('has exactly one outcome: the grant is revoked and nothing of it is left on the cluster', async () => {
    const { id, executionArn } = await granted(4, 'svm1-operators');
    const before = new Set(env().slack.views.keys());
    await env().ingress.click('U0ALICE', 'jit_extend', id);
    const viewId = [...env().slack.views.keys()].find((k) => !before.has(k)) as string;
    await Promise.all([
      env().ingress.submitView('U0ALICE', viewId, { extend_by: '3600', extend_reason: 'race' }),
      env().ingress.click('U0ALICE', 'jit_revoke', id),
    ]);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const ended = await env().store.get(id);
    expect(ended.status).toBe('REVOKED');
    expect(entry()).toBeUndefined();
    // Told once of what happened to the extension, and it agrees with the record.
    const audit = (await env().store.auditTrail(id)).map((e) => e.type);
    const extendedTold = dmsTo('U0ALICE').filter((m) => m.includes('is extended')).length;
    expect(extendedTold).toBe(audit.includes('EXTENDED') ? 1 : 0);
  });
});
