import { approvalMessage } from '../../../lambdas/slack/blocks/approval-message';
import { requesterMessage, threadMessage } from '../../../lambdas/slack/blocks/request-messages';
import { pendingRequest, requestIn } from '../../support/requests';

const actionIds = (message: { blocks: unknown[] }): string[] =>
  JSON.stringify(message.blocks)
    .match(/"action_id":"[a-z_]+"/g)
    ?.map((m) => m.slice('"action_id":"'.length, -1)) ?? [];

describe('the approval message, as the workflow posts it', () => {
  it("carries one line on what a custom role may do, from ONTAP's role privileges, escaped", () => {
    const request = pendingRequest({
      role: 'snapmirror-operator',
      roleSummary: 'snapmirror-operator (custom role on svm1): all on /api/snapmirror/<relationships>',
    });
    const blocks = approvalMessage(request).blocks;
    expect(blocks[1]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Role: snapmirror-operator (custom role on svm1): all on /api/snapmirror/&lt;relationships&gt;',
        },
      ],
    });
    expect(actionIds(approvalMessage(request))).toEqual(['jit_approve', 'jit_deny', 'jit_cancel']);
  });

  it('escapes every piece of user text', () => {
    const request = pendingRequest({ justification: 'fix <!channel> & <https://evil|click>', ticket: '<@U0EVE>' });
    const text = JSON.stringify(approvalMessage(request).blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).not.toContain('<@U0EVE>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
  });
});

describe("the requester's status message", () => {
  it.each([
    ['PENDING', /Waiting for approval/, ['jit_cancel']],
    ['APPROVED', /Approved by <@U0BOB>/, ['jit_cancel']],
    ['ACTIVE', /Active until .*security jit-privilege elevate/, ['jit_revoke']],
    ['DENIED', /Denied by <@U0BOB>:\n>not now/, ['jit_request_again']],
    ['CANCELLED', /Cancelled by <@U0ALICE>/, ['jit_request_again']],
    ['EXPIRED', /Nobody approved this request in time/, ['jit_request_again']],
    ['REVOKED', /revoked by <@U0ALICE>/, ['jit_request_again']],
    ['FAILED', /cannot be granted: role not defined on svm1/, ['jit_request_again']],
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
    expect(threadMessage(requestIn('ACTIVE'))?.text).toMatch(
      /Granted: `alice` may elevate to \*vsadmin\* on \*svm1\* until/,
    );
    expect(threadMessage(requestIn('REVOKED'), { alreadyGone: true })?.text).toMatch(
      /Revoked by <@U0ALICE>.*already gone/,
    );
    expect(threadMessage(requestIn('REVOKE_FAILED'))?.text).toMatch(/Revoke failed: cluster unreachable/);
    expect(threadMessage(requestIn('DENIED'))).toBeUndefined();
    expect(threadMessage(requestIn('PENDING'))).toBeUndefined();
    // A validation failure happens before there is an approval message.
    expect(threadMessage(requestIn('FAILED'))).toBeUndefined();
  });
});
