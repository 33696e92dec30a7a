import { approvalMessage, requesterMessage, threadMessage } from '../../../lambdas/slack/blocks/request-messages';
import { pendingRequest, requestIn } from '../../support/requests';

const actionIds = (message: { blocks: unknown[] }): string[] =>
  JSON.stringify(message.blocks)
    .match(/"action_id":"[a-z_]+"/g)
    ?.map((m) => m.slice('"action_id":"'.length, -1)) ?? [];

describe('the approval message', () => {
  it('says who asks for what, where, for how long and why, with Approve and Deny carrying the request id', () => {
    const request = pendingRequest({ ticket: 'CHG-7', roleSummary: 'snapmirror-operator (custom role on svm1): all on /api/snapmirror/relationships' });
    const message = approvalMessage(request);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('<@U0ALICE>');
    expect(text).toContain('*vsadmin* on *svm1* (cluster *cluster1*)');
    expect(text).toContain('*1 hour*');
    expect(text).toContain('Fix the snapmirror schedule');
    expect(text).toContain('ticket CHG-7');
    expect(text).toContain('custom role on svm1');
    expect(text).toContain('0 of 1 approval');
    expect(actionIds(message)).toEqual(['jit_approve', 'jit_deny']);
    expect(text.match(/"value":"([^"]+)"/g)).toEqual([`"value":"${request.id}"`, `"value":"${request.id}"`]);
  });

  it('shows the progress of an N-of-M approval', () => {
    const request = pendingRequest({ approvalsRequired: 2 });
    const once = { ...request, approvals: [{ by: 'U0BOB', at: request.createdAt }] };
    expect(approvalMessage(once).text).toContain('1 of 2 approvals (<@U0BOB>)');
  });

  it('escapes every piece of user text', () => {
    const request = pendingRequest({ justification: 'fix <!channel> & <https://evil|click>', ticket: '<@U0EVE>' });
    const text = JSON.stringify(approvalMessage(request).blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).not.toContain('<@U0EVE>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
  });

  it('after a decision says who decided and drops the buttons', () => {
    const denied = approvalMessage(requestIn('DENIED'));
    expect(denied.text).toContain('Denied by <@U0BOB>');
    expect(actionIds(denied)).toEqual([]);
    expect(approvalMessage(requestIn('ACTIVE')).text).toContain('Active until');
    expect(actionIds(approvalMessage(requestIn('ACTIVE')))).toEqual([]);
  });
});

describe("the requester's status message", () => {
  it.each([
    ['PENDING', /Waiting for approval/, ['jit_cancel']],
    ['APPROVED', /Approved by <@U0BOB>/, ['jit_cancel']],
    ['ACTIVE', /Active until .*security jit-privilege elevate/, ['jit_revoke']],
    ['DENIED', /Denied by <@U0BOB>:\n>not now/, []],
    ['CANCELLED', /Cancelled by <@U0ALICE>/, []],
    ['EXPIRED', /Nobody approved this request in time/, []],
    ['REVOKED', /revoked by <@U0ALICE>/, []],
    ['FAILED', /cannot be granted: role not defined on svm1/, []],
    ['REVOKE_FAILED', /could not be removed from the cluster yet \(cluster unreachable\)/, []],
  ] as const)('%s: says so, with the buttons that apply', (status, says, buttons) => {
    const message = requesterMessage(requestIn(status));
    const statusBlock = message.blocks[1];
    expect(statusBlock?.type === 'section' ? statusBlock.text?.text : '').toMatch(says);
    expect(actionIds(message)).toEqual(buttons);
  });
});

describe('events threaded under the approval message', () => {
  it('tells the grant, its end, a revoke and failures; nothing for the decisions the message itself shows', () => {
    expect(threadMessage(requestIn('ACTIVE'))?.text).toMatch(/Granted: `alice` may elevate to \*vsadmin\* on \*svm1\* until/);
    expect(threadMessage(requestIn('REVOKED'), { alreadyGone: true })?.text).toMatch(/Revoked by <@U0ALICE>.*already gone/);
    expect(threadMessage(requestIn('REVOKE_FAILED'))?.text).toMatch(/Revoke failed: cluster unreachable/);
    expect(threadMessage(requestIn('DENIED'))).toBeUndefined();
    expect(threadMessage(requestIn('PENDING'))).toBeUndefined();
    // A validation failure happens before there is an approval message.
    expect(threadMessage(requestIn('FAILED'))).toBeUndefined();
  });
});
