import type { AccessRequest } from '../../../../lambdas/domain/request';
import { pendingRequest } from '../../../support/requests';
import { useSlackIngress } from '../../../support/slack';

const ingress = useSlackIngress();
let serial = 0;

async function awaiting(): Promise<{ request: AccessRequest; token: string }> {
  const request = await ingress().store.create(pendingRequest());
  const token = `deny-token-${++serial}`;
  return { request: await ingress().awaitApproval(request, token), token };
}

/** Clicks Deny as `user` and returns the id of the reason modal it opened. */
async function clickDeny(
  user: string,
  request: AccessRequest,
): Promise<{ viewId?: string; responses: Record<string, unknown>[] }> {
  const { slack } = ingress();
  const before = new Set(slack.views.keys());
  const { responses } = await ingress().click(user, 'jit_deny', request);
  const viewId = [...slack.views.keys()].find((id) => !before.has(id));
  return { ...(viewId ? { viewId } : {}), responses: responses() };
}

describe('Deny', () => {
  it('asks for the reason, records it and resumes the workflow with DENIED, which shows it', async () => {
    const { store, sfn, slack } = ingress();
    const { request, token } = await awaiting();
    const { viewId, responses } = await clickDeny('U0BOB', request);
    expect(responses).toEqual([]);
    const modal = slack.views.get(viewId ?? '');
    expect(modal?.view).toMatchObject({ callback_id: 'jit_deny_reason', title: { text: 'Deny request' } });
    expect(JSON.parse(String(modal?.view.private_metadata))).toEqual({
      requestId: request.id,
      ...request.slack.approval,
      claim: { requester: request.requester.slackUserId, policy: request.policy },
    });
    expect(await store.get(request.id)).toEqual(request);

    const reason = 'Change freeze until Monday <!here> & no exceptions';
    const answer = await ingress().submitView('U0BOB', viewId ?? '', { reason });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    expect(await store.get(request.id)).toMatchObject({ status: 'DENIED', deniedBy: 'U0BOB', reason });
    expect(sfn.resumed).toEqual([{ taskToken: token, output: { decision: 'DENIED' } }]);
    expect(slack.callsTo('chat.update')).toEqual([]);
    const trail = await store.auditTrail(request.id);
    expect(trail.at(-1)).toMatchObject({ type: 'DENY', actor: 'U0BOB', detail: reason });
  });

  it('shows the denial, its reason escaped, on the message itself when the workflow cannot be told', async () => {
    const { sfn, slack } = ingress();
    const { request } = await awaiting();
    const { viewId } = await clickDeny('U0BOB', request);
    sfn.failAll(true);
    await ingress().submitView('U0BOB', viewId ?? '', { reason: 'Change freeze until Monday <!here> & no exceptions' });
    sfn.failAll(false);
    const update = JSON.stringify(slack.callsTo('chat.update')[0]?.args);
    expect(update).toContain('Denied by <@U0BOB>');
    expect(update).toContain('Change freeze until Monday &lt;!here&gt; &amp; no exceptions');
    expect(update).not.toContain('<!here>');
  });

  it('needs a reason', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    const { viewId } = await clickDeny('U0CAROL', request);
    const answer = await ingress().submitView('U0CAROL', viewId ?? '', { reason: '   ' });
    expect(answer.json()).toEqual({ response_action: 'errors', errors: { reason: 'Say why the request is denied.' } });
    expect((await store.get(request.id)).status).toBe('PENDING');
    expect(sfn.calls).toEqual([]);
  });

  it('by someone who may not decide is refused at the click, with no modal', async () => {
    const { slack } = ingress();
    const { request } = await awaiting();
    const own = await clickDeny('U0ALICE', request);
    expect(own.viewId).toBeUndefined();
    expect(own.responses).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', text: 'You cannot approve your own request.' }),
    ]);
    const stranger = await clickDeny('U0DAVE', request);
    expect(stranger.viewId).toBeUndefined();
    expect(stranger.responses).toEqual([
      expect.objectContaining({ text: 'You are not an approver for policy "svm1-operators".' }),
    ]);
    expect(slack.callsTo('views.open')).toEqual([]);
  });

  it('that comes after someone else approved is refused inside the modal and changes nothing', async () => {
    const { store, sfn } = ingress();
    const { request } = await awaiting();
    const { viewId } = await clickDeny('U0BOB', request);
    await ingress().click('U0CAROL', 'jit_approve', request);
    const answer = await ingress().submitView('U0BOB', viewId ?? '', { reason: 'too late for this' });
    expect(answer.json()).toEqual({
      response_action: 'errors',
      errors: {
        reason: expect.stringMatching(
          /^This request has already been approved \(by @U0CAROL at 2026-11-22T10:00:00Z\)\.$/,
        ),
      },
    });
    expect(await store.get(request.id)).toMatchObject({ status: 'APPROVED' });
    expect(sfn.resumed).toHaveLength(1);
  });

  it('of a request already decided is refused at the click', async () => {
    const { request } = await awaiting();
    await ingress().click('U0BOB', 'jit_approve', request);
    const late = await clickDeny('U0CAROL', request);
    expect(late.viewId).toBeUndefined();
    expect(String(late.responses[0]?.text)).toContain('This request has already been approved');
  });
});
