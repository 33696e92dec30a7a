import type { Config } from '../../lambdas/config/schema';
import { SelfApprovalError } from '../../lambdas/domain/errors';
import type { AccessRequest } from '../../lambdas/domain/request';
import { policyWith } from '../support/configs';
import { fakeDecisions } from '../support/fake-slack';
import { fakePorts } from '../support/fakes';
import { at, pendingRequest, requestIn } from '../support/requests';

const APPROVAL = { channel: 'C0APPROVALS', ts: '1600000000.000100' };

/** `request` stored with its approval message and the workflow waiting on `tokens`. */
function setUp(
  request: AccessRequest = pendingRequest(),
  options: { config?: Config; tokens?: { approval?: string; end?: string } } = {},
) {
  const f = fakePorts({ now: at(1), ...(options.config ? { config: options.config } : {}) });
  const tokens = options.tokens ?? { approval: 'tok-approval' };
  f.store.put({ ...request, slack: { ...request.slack, approval: APPROVAL } }, { tokens });
  for (const token of Object.values(tokens)) f.workflow.waiting.add(token);
  const { decisions, web } = fakeDecisions(f);
  return { ...f, web, decisions, id: request.id };
}

describe('approve', () => {
  it('records the approval and resumes the workflow, which shows it once granted', async () => {
    const { decisions, store, web, workflow, id } = setUp();
    const result = await decisions.approve(id, 'U0BOB');
    expect(result).toMatchObject({ ok: true, request: { status: 'APPROVED' } });
    expect((await store.get(id)).status).toBe('APPROVED');
    expect(web.of('chat.update')).toEqual([]);
    expect(workflow.taken()).toEqual([
      { kind: 'resumeApproval', target: 'tok-approval', decision: 'APPROVED', taken: true },
    ]);
    // To grant now: the completion carries the route and the start, so the workflow goes straight to the grant,
    // and what the grant may start on with its read (its lock's key and end, the requester, the policy).
    const ahead = { cluster: 'cluster1', account: 'alice', application: 'ssh', policy: 'svm1-operators' };
    const named = { ...ahead, svmUuid: expect.any(String), until: at(61), requester: 'U0ALICE' };
    expect(workflow.completions).toEqual([
      { token: 'tok-approval', outcome: { decision: 'APPROVED', route: 'GRANT', start: at(1), ahead: named } },
    ]);
  });

  it('completes the wait of an approval for later with the decision alone: the workflow checks it first', async () => {
    const { decisions, workflow, id } = setUp(pendingRequest({ requestedStart: at(120) }));
    await expect(decisions.approve(id, 'U0BOB')).resolves.toMatchObject({ ok: true });
    expect(workflow.completions).toEqual([{ token: 'tok-approval', outcome: { decision: 'APPROVED' } }]);
  });

  it('signals with the token stored now when the one read with the request went stale meanwhile', async () => {
    const { decisions, store, web, workflow, id } = setUp(pendingRequest(), { tokens: { approval: 'tok-old' } });
    workflow.waiting.delete('tok-old');
    workflow.waiting.add('tok-new');
    // The workflow began another wait between the click's read and its signal.
    const resume = workflow.resumeApproval.bind(workflow);
    workflow.resumeApproval = async (token, outcome) => {
      if (token === 'tok-old') await store.setToken(id, 'approval', 'tok-new', ['APPROVED']);
      return resume(token, outcome);
    };
    await expect(decisions.approve(id, 'U0BOB')).resolves.toMatchObject({ ok: true });
    expect(workflow.taken()).toEqual([expect.objectContaining({ target: 'tok-new', decision: 'APPROVED' })]);
    expect(web.of('chat.update')).toEqual([]);
  });

  it('shows the approval on the message itself when no workflow was resumed', async () => {
    const { decisions, web, workflow, id } = setUp(pendingRequest(), { tokens: { approval: 'tok-ended' } });
    workflow.waiting.delete('tok-ended');
    await expect(decisions.approve(id, 'U0BOB')).resolves.toMatchObject({ ok: true });
    expect(workflow.taken()).toEqual([]);
    expect(web.of('chat.update')).toEqual([expect.objectContaining({ channel: APPROVAL.channel, ts: APPROVAL.ts })]);
    expect(JSON.stringify(web.of('chat.update')[0])).toContain('Approved by <@U0BOB>');
  });

  it('draws the request as read after its signal went stale, not its own older copy', async () => {
    const { decisions, store, web, workflow, id } = setUp(pendingRequest(), { tokens: { approval: 'tok-ended' } });
    workflow.waiting.delete('tok-ended');
    // The workflow moved on and finished with the request between the click's write and its signal.
    const resume = workflow.resumeApproval.bind(workflow);
    workflow.resumeApproval = async (token, outcome) => {
      store.force(id, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } });
      store.force(id, { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(3) });
      store.force(id, { type: 'REVOKED', at: at(4), alreadyGone: false });
      return resume(token, outcome);
    };
    await expect(decisions.approve(id, 'U0BOB')).resolves.toMatchObject({ ok: true });
    const drawn = JSON.stringify(web.of('chat.update'));
    expect(web.of('chat.update')).toEqual([expect.objectContaining({ channel: APPROVAL.channel, ts: APPROVAL.ts })]);
    expect(drawn).toMatch(/Revoked/);
    expect(drawn).not.toMatch(/Approved by <@U0BOB> <!date/);
  });

  it('approves once on a double click or a Slack retry', async () => {
    const { decisions, store, workflow, id } = setUp();
    await decisions.approve(id, 'U0BOB');
    const again = await decisions.approve(id, 'U0BOB');
    expect(again.ok).toBe(false);
    expect((await store.getStored(id)).history.filter((e) => e.type === 'APPROVE')).toHaveLength(1);
    expect(workflow.signals).toHaveLength(1);
  });

  it.each([
    ['the requester', 'U0ALICE'],
    ['someone who is not an approver', 'U0DAVE'],
  ])('refuses %s, and changes nothing', async (_who, userId) => {
    const { decisions, store, web, workflow, id } = setUp();
    const result = await decisions.approve(id, userId);
    expect(result).toMatchObject({ ok: false, answer: { expected: true } });
    expect(store.writes).toBe(0);
    expect(web.calls).toEqual([]);
    expect(workflow.signals).toEqual([]);
  });

  it('refuses the requester under another Slack id (same ONTAP account): one person, not two', async () => {
    const config = policyWith('svm1-operators', { approvers: { users: ['U0BOB', 'U0ALICE2'] } });
    const { decisions, directory, store, id } = setUp(pendingRequest(), { config });
    directory.people.set('U0ALICE2', { ontapAccount: 'alice' });
    expect((await decisions.approve(id, 'U0ALICE2')).ok).toBe(false);
    expect(store.writes).toBe(0);
  });

  it('needs N distinct people for an N-of-M policy, and resumes the workflow only at the last', async () => {
    const config = policyWith('cluster-admin', { approvers: { users: ['U0BOB', 'U0BOB2', 'U0CAROL'] } });
    const twoOf = pendingRequest({ policy: 'cluster-admin', approvalsRequired: 2, role: 'admin' });
    const { decisions, directory, store, workflow, id } = setUp(twoOf, { config });
    // Bob's second Slack identity maps to the same ONTAP account: the same person.
    directory.people.set('U0BOB2', { ontapAccount: 'bob' });
    await expect(decisions.approve(id, 'U0BOB')).resolves.toMatchObject({ ok: true, request: { status: 'PENDING' } });
    expect(workflow.signals).toEqual([]);
    expect((await decisions.approve(id, 'U0BOB')).ok).toBe(false);
    expect((await decisions.approve(id, 'U0BOB2')).ok).toBe(false);
    expect((await store.get(id)).status).toBe('PENDING');
    await expect(decisions.approve(id, 'U0CAROL')).resolves.toMatchObject({ request: { status: 'APPROVED' } });
    expect(workflow.taken()).toHaveLength(1);
  });

  it('loses to a cancel that lands between its read and its write: the cancel stands, nothing is signalled', async () => {
    const { decisions, store, workflow, id } = setUp();
    store.interleave(() => store.force(id, { type: 'CANCEL', by: 'U0ALICE', at: at(1) }));
    const result = await decisions.approve(id, 'U0BOB');
    expect(result.ok).toBe(false);
    expect((await store.get(id)).status).toBe('CANCELLED');
    expect(workflow.signals).toEqual([]);
  });

  it('keeps a recorded approval when the workflow cannot be reached, and says it is not in effect yet', async () => {
    const { decisions, store, workflow, id } = setUp();
    workflow.faults.add('resumeApproval', { error: new Error('ThrottlingException') });
    const result = await decisions.approve(id, 'U0BOB');
    expect(result).toMatchObject({ ok: true, notice: { mrkdwn: expect.stringContaining('not taken effect yet') } });
    // Recorded: the reconciler sends the signal again from the record.
    expect((await store.get(id)).status).toBe('APPROVED');
  });

  it('keeps a recorded approval when Slack does not take the new rendering', async () => {
    const { decisions, store, web, workflow, id } = setUp();
    web.failing.add('chat.update');
    await expect(decisions.approve(id, 'U0BOB')).resolves.toMatchObject({ ok: true });
    expect((await store.get(id)).status).toBe('APPROVED');
    expect(workflow.taken()).toHaveLength(1);
  });

  it('records without signalling when the workflow has not kept its token yet (it reads the record then)', async () => {
    const { decisions, store, workflow, id } = setUp(pendingRequest(), { tokens: {} });
    await expect(decisions.approve(id, 'U0BOB')).resolves.toMatchObject({ ok: true });
    expect((await store.get(id)).status).toBe('APPROVED');
    expect(workflow.signals).toEqual([]);
  });

  it('closes the request instead when its requester no longer qualifies, and grants nothing', async () => {
    const { decisions, directory, store, workflow, id } = setUp();
    directory.people.set('U0ALICE', { ontapAccount: 'alice', status: 'deactivated' });
    const result = await decisions.approve(id, 'U0BOB');
    expect(result).toMatchObject({ ok: false, answer: { mrkdwn: expect.stringContaining('nothing was granted') } });
    expect(await store.get(id)).toMatchObject({ status: 'FAILED', stage: 'authorization' });
    expect(workflow.taken()).toEqual([expect.objectContaining({ decision: 'CANCELLED' })]);
  });
});

describe('deny, cancel and revoke', () => {
  it('denies with the reason and resumes the workflow with DENIED', async () => {
    const { decisions, store, workflow, id } = setUp();
    await expect(decisions.deny(id, 'U0BOB', 'not during the freeze')).resolves.toMatchObject({ ok: true });
    expect(await store.get(id)).toMatchObject({ status: 'DENIED', reason: 'not during the freeze' });
    expect(workflow.taken()).toEqual([expect.objectContaining({ decision: 'DENIED' })]);
  });

  it('checks a deny before asking for a reason, changing nothing', async () => {
    const { decisions, store, id } = setUp();
    await expect(decisions.mayDeny(id, 'U0BOB')).resolves.toMatchObject({ needsReason: true });
    await expect(decisions.mayDeny(id, 'U0ALICE')).rejects.toThrow(SelfApprovalError);
    expect(store.writes).toBe(0);
  });

  it('lets the requester cancel their pending request', async () => {
    const { decisions, store, workflow, id } = setUp();
    await expect(decisions.cancel(id, 'U0ALICE')).resolves.toMatchObject({ ok: true });
    expect((await store.get(id)).status).toBe('CANCELLED');
    expect(workflow.taken()).toEqual([expect.objectContaining({ decision: 'CANCELLED' })]);
  });

  it('asks an approver cancelling an approved request for a reason, and tells the requester with a new DM', async () => {
    const { decisions, store, web, id } = setUp(requestIn('APPROVED'));
    await expect(decisions.mayCancel(id, 'U0BOB')).resolves.toMatchObject({ needsReason: true });
    expect((await decisions.cancel(id, 'U0BOB')).ok).toBe(false);
    await expect(decisions.cancel(id, 'U0BOB', undefined, 'change window moved')).resolves.toMatchObject({ ok: true });
    expect((await store.get(id)).status).toBe('CANCELLED');
    const dm = web.of('chat.postMessage').find((m) => m.channel === 'DU0ALICE');
    expect(dm?.text).toEqual(expect.stringContaining('cancelled your approved request'));
  });

  it('asks for an early end of a live grant and ends the wait', async () => {
    const { decisions, store, workflow, id } = setUp(requestIn('ACTIVE'), { tokens: { end: 'tok-end' } });
    await expect(decisions.revoke(id, 'U0ALICE')).resolves.toMatchObject({ ok: true });
    expect(await store.get(id)).toMatchObject({ status: 'ACTIVE', revokeRequestedBy: 'U0ALICE' });
    expect(workflow.taken()).toEqual([{ kind: 'endNow', target: 'tok-end', taken: true }]);
  });

  it('says a revoke after a failed revoke is recorded and retried, with nothing waiting for it', async () => {
    const { decisions, workflow, id } = setUp(requestIn('REVOKE_FAILED'), { tokens: {} });
    const result = await decisions.revoke(id, 'U0ALICE');
    expect(result).toMatchObject({ ok: true, notice: { mrkdwn: expect.stringContaining('retried') } });
    expect(workflow.signals).toEqual([]);
  });
});
