import type { AccessRequest } from '../../../../lambdas/domain/request';
import { at, pendingRequest } from '../../../support/requests';
import { APPROVALS, useSlackIngress } from '../../../support/slack';

const ingress = useSlackIngress();
let serial = 0;

/** A request the workflow is waiting on: recorded, approval message posted, token kept. */
async function awaiting(
  overrides: Parameters<typeof pendingRequest>[0] = {},
): Promise<{ request: AccessRequest; token: string }> {
  const { store } = ingress();
  const request = await store.create(pendingRequest(overrides));
  const token = `token-${++serial}`;
  return { request: await ingress().awaitApproval(request, token), token };
}

const ephemeralTexts = (responses: Record<string, unknown>[]): string[] => {
  for (const r of responses) expect(r).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  return responses.map((r) => String(r.text));
};

function approvalMessageOf(request: AccessRequest): { text: string; blocks: { type: string; block_id?: string }[] } {
  const ref = request.slack.approval;
  const message = ingress().slack.messages.find((m) => m.channel === ref?.channel && m.ts === ref?.ts);
  if (!message) throw new Error('no approval message');
  return { text: message.text, blocks: message.blocks as { type: string; block_id?: string }[] };
}

describe('Approve', () => {
  it('by an approver records the approval and resumes the workflow with the stored token, which shows it', async () => {
    const { store, sfn, slack } = ingress();
    const { request, token } = await awaiting();
    const { answer, responses } = await ingress().click('U0BOB', 'jit_approve', request);
    expect(answer.status).toBe(200);
    expect(responses()).toEqual([]);
    const stored = await store.get(request.id);
    expect(stored).toMatchObject({
      status: 'APPROVED',
      approvals: [{ by: 'U0BOB', at: '2026-11-22T10:00:00Z' }],
      decidedAt: '2026-11-22T10:00:00Z',
    });
    // To grant now: the route and the start ride along, so the workflow goes straight to the grant, with what the
    // grant may start on before its read.
    const grantNow = { decision: 'APPROVED', route: 'GRANT', start: '2026-11-22T10:00:00Z' };
    const ahead = { account: 'alice', requester: 'U0ALICE', until: '2026-11-22T11:00:00Z' };
    expect(sfn.resumed).toEqual([{ taskToken: token, output: { ...grantNow, ahead: expect.objectContaining(ahead) } }]);
    // The resumed workflow draws the message once the access is granted: no rendering of the click's can land after it.
    expect(slack.callsTo('chat.update')).toEqual([]);
  });

  it('whose signal is lost shows the approval on the message itself, since no workflow will yet', async () => {
    const { store, sfn, slack } = ingress();
    const { request } = await awaiting();
    sfn.failAll(true);
    await ingress().click('U0BOB', 'jit_approve', request);
    sfn.failAll(false);
    expect((await store.get(request.id)).status).toBe('APPROVED');
    const updates = slack.callsTo('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args).toMatchObject({ channel: APPROVALS, ts: request.slack.approval?.ts });
    const message = approvalMessageOf(request);
    expect(JSON.stringify(message.blocks)).toContain('Approved by <@U0BOB> <!date^');
    // Approved and not started: only Cancel is left (for the requester, or an approver with a reason).
    expect(JSON.stringify(message.blocks.filter((b) => b.type === 'actions'))).not.toMatch(
      /jit_approve|jit_deny|jit_revoke/,
    );
    expect(JSON.stringify(message.blocks)).toContain('"action_id":"jit_cancel"');
    expect(await store.auditTrail(request.id)).toEqual([
      expect.objectContaining({ type: 'REQUESTED' }),
      expect.objectContaining({ type: 'APPROVE', actor: 'U0BOB', from: 'PENDING', to: 'APPROVED' }),
    ]);
  });

  it('by a member of an approver user group counts', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    const { responses } = await ingress().click('U0ERIN', 'jit_approve', request);
    expect(responses()).toEqual([]);
    expect(await store.get(request.id)).toMatchObject({ status: 'APPROVED', approvals: [{ by: 'U0ERIN' }] });
    expect(sfn.resumed).toHaveLength(1);
  });

  it('by someone just removed from the approver group is refused, whatever the membership cache holds', async () => {
    const { store, sfn, slack } = ingress();
    const { request } = await awaiting();
    const { request: other } = await awaiting();
    // Erin's click on Deny reads (and caches) the group's members; the clock here stands still.
    await ingress().click('U0ERIN', 'jit_deny', other);
    expect(slack.callsTo('usergroups.users.list')).toHaveLength(1);
    slack.setUsergroup('S0STORAGE', []);
    try {
      const { responses } = await ingress().click('U0ERIN', 'jit_approve', request);
      expect(ephemeralTexts(responses())).toEqual(['You are not an approver for policy "svm1-operators".']);
      expect(await store.get(request.id)).toMatchObject({ status: 'PENDING', approvals: [] });
      expect(sfn.resumed).toEqual([]);
    } finally {
      slack.setUsergroup('S0STORAGE', ['U0ERIN']);
    }
  });

  it('of one’s own request is refused ephemerally and changes nothing', async () => {
    const { store, sfn, slack } = ingress();
    const { request } = await awaiting();
    const { responses } = await ingress().click('U0ALICE', 'jit_approve', request);
    expect(ephemeralTexts(responses())).toEqual(['You cannot approve your own request.']);
    expect(await store.get(request.id)).toEqual(request);
    expect(sfn.calls).toEqual([]);
    expect(slack.callsTo('chat.update')).toEqual([]);
  });

  it('of one’s own request is refused even for an approver', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting({ requester: { slackUserId: 'U0BOB', ontapAccount: 'bob' } });
    const { responses } = await ingress().click('U0BOB', 'jit_approve', request);
    expect(ephemeralTexts(responses())).toEqual(['You cannot approve your own request.']);
    expect(await store.get(request.id)).toEqual(request);
    expect(sfn.calls).toEqual([]);
  });

  it('by someone who is not an approver is refused ephemerally and changes nothing', async () => {
    const { store, sfn, slack } = ingress();
    const { request } = await awaiting();
    const { responses } = await ingress().click('U0DAVE', 'jit_approve', request);
    expect(ephemeralTexts(responses())).toEqual(['You are not an approver for policy "svm1-operators".']);
    expect(await store.get(request.id)).toEqual(request);
    expect(sfn.calls).toEqual([]);
    expect(slack.callsTo('chat.update')).toEqual([]);
  });

  it('clicked twice approves once; the second click is told who approved', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    await ingress().click('U0BOB', 'jit_approve', request);
    const { responses } = await ingress().click('U0BOB', 'jit_approve', request);
    const [text] = ephemeralTexts(responses());
    expect(text).toMatch(/^This request has already been approved \(by <@U0BOB> <!date\^\d+\^/);
    expect(await store.get(request.id)).toMatchObject({ status: 'APPROVED', version: request.version + 1 });
    expect(sfn.resumed).toHaveLength(1);
  });

  it('delivered again by Slack (X-Slack-Retry-Num) decides once', async () => {
    const { store, sfn, slack } = ingress();
    const { request } = await awaiting();
    const payload = ingress().clickPayload('U0CAROL', 'jit_approve', request);
    const first = await ingress().interact(payload);
    const retry = await ingress().interact(payload, { retryNum: 1 });
    expect([first.answer.status, retry.answer.status]).toEqual([200, 200]);
    expect(await store.get(request.id)).toMatchObject({ status: 'APPROVED', approvals: [{ by: 'U0CAROL' }] });
    expect(sfn.resumed).toHaveLength(1);
    expect(slack.callsTo('chat.update')).toEqual([]);
    expect(ephemeralTexts(retry.responses())).toEqual([expect.stringContaining('already been approved')]);
    expect(ingress().logs.some((l) => l.includes('"retryNum":"1"'))).toBe(true);
  });

  it('by two approvers at once on a one-approval request: one wins, the other is told', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    const results = await Promise.all(['U0BOB', 'U0CAROL'].map((u) => ingress().click(u, 'jit_approve', request)));
    const refusals = results.flatMap((r) => r.responses());
    expect(refusals).toHaveLength(1);
    expect(String(refusals[0]?.text)).toContain('already been approved');
    expect((await store.get(request.id)).approvals).toHaveLength(1);
    expect(sfn.resumed).toHaveLength(1);
  });

  it('of a request that does not exist says so', async () => {
    const { request } = await awaiting();
    const { responses } = await ingress().click('U0BOB', 'jit_approve', { ...request, id: 'JIT-NOSUCHREQ00' });
    expect(ephemeralTexts(responses())).toEqual(['That request does not exist (any more).']);
  });

  it('stays recorded when the workflow cannot be reached, and the approver is told', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    sfn.failAll(true);
    const { responses } = await ingress().click('U0BOB', 'jit_approve', request);
    expect(ephemeralTexts(responses())).toEqual([
      expect.stringContaining('Your decision is recorded, but it has not taken effect yet'),
    ]);
    expect((await store.get(request.id)).status).toBe('APPROVED');
  });
});

describe('N-of-M approval', () => {
  it('shows progress after the first approval and resumes the workflow only after the second', async () => {
    const { store, sfn, slack } = ingress();
    const { request, token } = await awaiting({
      policy: 'cluster-admin',
      svm: { name: 'cluster1' },
      role: 'admin',
      approvalsRequired: 2,
    });
    await ingress().click('U0BOB', 'jit_approve', request);
    expect(await store.get(request.id)).toMatchObject({ status: 'PENDING', approvals: [{ by: 'U0BOB' }] });
    expect(sfn.resumed).toEqual([]);
    const progress = approvalMessageOf(request);
    expect(JSON.stringify(progress.blocks)).toContain('1 of 2 approvals so far: <@U0BOB>');
    expect(progress.blocks.find((b) => b.type === 'actions')).toMatchObject({ block_id: 'jit_decision' });

    const again = await ingress().click('U0BOB', 'jit_approve', request);
    expect(ephemeralTexts(again.responses())).toEqual(['You have already approved this request.']);

    await ingress().click('U0CAROL', 'jit_approve', request);
    expect(await store.get(request.id)).toMatchObject({
      status: 'APPROVED',
      approvals: [{ by: 'U0BOB' }, { by: 'U0CAROL' }],
    });
    const grantNow = { decision: 'APPROVED', route: 'GRANT', start: '2026-11-22T10:00:00Z' };
    expect(sfn.resumed).toEqual([{ taskToken: token, output: grantNow }]);
    // The second approval resumed the workflow, which shows the outcome: the click drew only the progress.
    expect(slack.callsTo('chat.update')).toHaveLength(1);
  });
});

describe('Cancel', () => {
  it('by the requester cancels and resumes the workflow with CANCELLED, which shows it', async () => {
    const { store, sfn, slack } = ingress();
    const { request, token } = await awaiting();
    const { responses } = await ingress().click('U0ALICE', 'jit_cancel', request);
    expect(responses()).toEqual([]);
    expect(await store.get(request.id)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'U0ALICE' });
    expect(sfn.resumed).toEqual([{ taskToken: token, output: { decision: 'CANCELLED' } }]);
    expect(slack.callsTo('chat.update')).toEqual([]);
  });

  it('by the requester, with no workflow waiting any more, shows the cancel on the message itself', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    // The wait had already ended (timed out just before, say): its token is stale.
    await store.setToken(request.id, 'approval', 'token-of-an-ended-wait', ['PENDING']);
    await ingress().click('U0ALICE', 'jit_cancel', request);
    expect(await store.get(request.id)).toMatchObject({ status: 'CANCELLED' });
    expect(sfn.resumed).toEqual([]);
    expect(JSON.stringify(approvalMessageOf(request).blocks)).toContain('Cancelled by <@U0ALICE>');
  });

  it('by anyone else is refused and changes nothing', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    const { responses } = await ingress().click('U0BOB', 'jit_cancel', request);
    expect(ephemeralTexts(responses())).toEqual([
      'Only the requester can cancel a request that is still waiting; deny it instead.',
    ]);
    expect(await store.get(request.id)).toEqual(request);
    expect(sfn.calls).toEqual([]);
  });
});

describe('Revoke now', () => {
  async function active(): Promise<{ request: AccessRequest; token: string }> {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    await store.apply(request.id, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
    await store.apply(request.id, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } });
    const token = `end-${++serial}`;
    await store.setToken(request.id, 'end', token, ['ACTIVE']);
    sfn.waitWith(token);
    return { request: await store.get(request.id), token };
  }

  it('by an approver records who asked and ends the workflow’s wait, which shows the revoke once done', async () => {
    const { store, sfn, slack } = ingress();
    const { request, token } = await active();
    const { responses } = await ingress().click('U0CAROL', 'jit_revoke', request);
    expect(responses()).toEqual([]);
    expect(await store.get(request.id)).toMatchObject({ status: 'ACTIVE', revokeRequestedBy: 'U0CAROL' });
    expect(sfn.resumed).toEqual([{ taskToken: token, output: { reason: 'REVOKE_NOW' } }]);
    expect(slack.callsTo('chat.update')).toEqual([]);
  });

  it('whose end signal is lost shows the revoke asked for on the message itself', async () => {
    const { sfn } = ingress();
    const { request } = await active();
    sfn.failAll(true);
    await ingress().click('U0CAROL', 'jit_revoke', request);
    sfn.failAll(false);
    const message = approvalMessageOf(request);
    expect(JSON.stringify(message.blocks)).toContain('Revoke requested by <@U0CAROL>');
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('by the requester is allowed; by anyone else refused', async () => {
    const { store } = ingress();
    const first = await active();
    const refused = await ingress().click('U0DAVE', 'jit_revoke', first.request);
    expect(ephemeralTexts(refused.responses())).toEqual(['Only the requester or an approver can revoke this grant.']);
    expect((await store.get(first.request.id)).status).toBe('ACTIVE');
    const own = await ingress().click('U0ALICE', 'jit_revoke', first.request);
    expect(own.responses()).toEqual([]);
    expect(await store.get(first.request.id)).toMatchObject({ revokeRequestedBy: 'U0ALICE' });
    const twice = await ingress().click('U0BOB', 'jit_revoke', first.request);
    expect(ephemeralTexts(twice.responses())).toEqual([
      expect.stringMatching(/^A revoke has already been asked for \(by <@U0ALICE> <!date/),
    ]);
  });
});

describe('what the ingress renders', () => {
  it('escapes the justification, ticket and reason in every message it sends', async () => {
    const { slack } = ingress();
    const hostile = 'Need it <!channel> & <https://evil.example|click here> <@U0BOB>';
    const { request } = await awaiting({ justification: hostile, ticket: 'CHG1&2' });
    // Unsignalled, so the click draws the message itself.
    ingress().sfn.failAll(true);
    await ingress().click('U0BOB', 'jit_approve', request);
    ingress().sfn.failAll(false);
    const [update] = slack.callsTo('chat.update');
    const sent = JSON.stringify(update?.args);
    expect(sent).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt; &lt;@U0BOB&gt;');
    expect(sent).toContain('CHG1&amp;2');
    expect(sent).not.toContain('<!channel>');
    expect(sent).not.toContain('<https://evil');
  });
});
