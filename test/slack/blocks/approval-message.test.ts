import type { AccessRequest } from '../../../lambdas/domain/request';
import {
  approvalMessage,
  decisionButtons,
  decisionValue,
  readDecisionValue,
  requestHeadline,
  statusLine,
} from '../../../lambdas/slack/blocks/approval-message';
import { pendingRequest, requestIn } from '../../support/requests';

describe('approvalMessage', () => {
  it('shows the request with Approve, Deny and Cancel while it waits, each naming the request, its requester and its policy', () => {
    const request = pendingRequest({ ticket: 'CHG0012345' });
    const { text, blocks } = approvalMessage(request);
    expect(text).toContain(
      `JIT request ${request.id}: vsadmin on cluster1/svm1 for 1 hour from approval by <@U0ALICE>`,
    );
    expect(blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '<@U0ALICE> (ONTAP account `alice`) asks for *vsadmin* on *cluster1 / svm1* for *1 hour* from approval.',
      },
    });
    expect(blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Justification*\n>Fix the snapmirror schedule' },
    });
    expect(blocks[2]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Request \`${request.id}\` · policy svm1-operators · ticket CHG0012345` }],
    });
    expect(blocks[3]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Waiting for approval (0 of 1).' },
    });
    const actions = blocks[4];
    expect(actions).toMatchObject({ type: 'actions', block_id: 'jit_decision' });
    const elements = (
      actions as { elements: { action_id: string; value: string; style?: string; confirm?: unknown }[] }
    ).elements;
    expect(elements.map((e) => [e.action_id, e.value, e.style ?? null])).toEqual([
      ['jit_approve', `${request.id} U0ALICE svm1-operators`, 'primary'],
      ['jit_deny', `${request.id} U0ALICE svm1-operators`, 'danger'],
      ['jit_cancel', `${request.id} U0ALICE svm1-operators`, null],
    ]);
    expect(elements[2]?.confirm).toBeDefined();
  });

  it("shows a scheduled window's start and end, each in the reader's time zone, and what a late approval grants", () => {
    const request = pendingRequest({ requestedStart: '2026-11-23T08:30:00Z', durationSeconds: 2 * 3600 });
    expect(requestHeadline(request)).toContain(
      'for *2 hours*, from <!date^1795422600^{date_short_pretty} {time}|2026-11-23 08:30:00 UTC> ' +
        'to <!date^1795429800^{date_short_pretty} {time}|2026-11-23 10:30:00 UTC>.',
    );
    expect(JSON.stringify(approvalMessage(request).blocks)).toContain(
      'Approved after its start, the access still ends <!date^1795429800^{date_short_pretty} {time}|2026-11-23 10:30:00 UTC>',
    );
  });

  it('shows the granted window once granted: what ONTAP has, not what was asked', () => {
    const active = requestIn(
      'ACTIVE',
      pendingRequest({ requestedStart: '2026-11-22T09:00:00Z', durationSeconds: 3 * 3600 }),
    );
    const granted = {
      ...active,
      window: { start: '2026-11-22T10:02:00Z', end: '2026-11-22T12:00:00Z' },
    } as AccessRequest;
    expect(requestHeadline(granted)).toContain(
      'for *1 hour 58 minutes*, from <!date^1795341720^{date_short_pretty} {time}|2026-11-22 10:02:00 UTC> ' +
        'to <!date^1795348800^{date_short_pretty} {time}|2026-11-22 12:00:00 UTC>.',
    );
  });

  it('shows N-of-M progress and keeps the buttons', () => {
    const request = {
      ...pendingRequest({ approvalsRequired: 2 }),
      approvals: [{ by: 'U0BOB', at: '2026-11-22T10:01:00Z' }],
    };
    expect(statusLine(request)).toBe(':hourglass_flowing_sand: 1 of 2 approvals so far: <@U0BOB>.');
    expect(decisionButtons(request)).toBeDefined();
  });

  it('says who decided and when, without buttons, once decided', () => {
    const cases: [AccessRequest, RegExp][] = [
      [requestIn('APPROVED'), /^:white_check_mark: Approved by <@U0BOB> <!date\^\d+\^/],
      [requestIn('DENIED'), /^:no_entry: Denied by <@U0BOB> <!date\^\d+\^.*\n>not now$/],
      [requestIn('CANCELLED'), /^:heavy_multiplication_x: Cancelled by <@U0ALICE> /],
      [requestIn('EXPIRED'), /^:alarm_clock: Expired without a decision /],
      [requestIn('REVOKED'), /^:lock: Revoked by <@U0ALICE> /],
      [requestIn('FAILED'), /^:x: Failed during validation: role not defined on svm1$/],
      [requestIn('REVOKE_FAILED'), /^:warning: Removing the access failed/],
    ];
    for (const [request, line] of cases) {
      expect(statusLine(request)).toMatch(line);
      const { blocks } = approvalMessage(request);
      // A failed revoke keeps "Revoke now"; an approved request not yet granted keeps "Cancel request".
      expect(blocks.some((b) => b.type === 'actions')).toBe(
        request.status === 'REVOKE_FAILED' || request.status === 'APPROVED',
      );
    }
  });

  it('offers Revoke now while granted, and nothing once a revoke is asked for', () => {
    const active = requestIn('ACTIVE');
    expect(statusLine(active)).toMatch(/^:unlock: Granted until <!date\^/);
    expect(decisionButtons(active)).toMatchObject({
      elements: [{ action_id: 'jit_revoke', value: decisionValue(active), style: 'danger' }],
    });
    const asked = { ...active, revokeRequestedBy: 'U0BOB' } as AccessRequest;
    expect(statusLine(asked)).toBe(':hourglass_flowing_sand: Revoke requested by <@U0BOB>; ending now.');
    expect(decisionButtons(asked)).toBeUndefined();
  });

  it('escapes every piece of user text', () => {
    const request = requestIn(
      'DENIED',
      pendingRequest({
        justification: '<!everyone> see <https://evil.example|this>',
        ticket: '<!here>',
        requester: { slackUserId: 'U0ALICE', ontapAccount: 'a<b>' },
      }),
    );
    const denied = { ...request, reason: 'no & <!channel>' } as AccessRequest;
    const rendered = JSON.stringify(approvalMessage(denied));
    expect(rendered).not.toMatch(/<!(everyone|here|channel)>|<https:/);
    expect(rendered).toContain('&lt;!everyone&gt; see &lt;https://evil.example|this&gt;');
    expect(rendered).toContain('a&lt;b&gt;');
    expect(rendered).toContain('no &amp; &lt;!channel&gt;');
  });
});

describe('decision button values', () => {
  it('read back as the request, its requester and its policy; a bare request id (older messages) as the request alone', () => {
    const request = pendingRequest();
    expect(readDecisionValue(decisionValue(request))).toEqual({
      requestId: request.id,
      claim: { requester: request.requester.slackUserId, policy: request.policy },
    });
    expect(readDecisionValue(request.id)).toEqual({ requestId: request.id });
  });

  it('name no request when they are neither shape', () => {
    const request = pendingRequest();
    for (const value of [
      '',
      'short',
      `${request.id} U0ALICE`,
      `${request.id} alice svm1-operators`,
      `${request.id}  `,
    ]) {
      expect(readDecisionValue(value)).toBeUndefined();
    }
    expect(readDecisionValue(`${request.id} U0ALICE Svm1`)).toBeUndefined();
  });
});
