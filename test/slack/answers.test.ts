import { ConfigError } from '../../lambdas/config/errors';
import {
  AlreadyApprovedError,
  IllegalTransitionError,
  InvalidDurationError,
  NotApproverError,
  PolicyViolationError,
  SelfApprovalError,
} from '../../lambdas/domain/errors';
import { describeError, describeRefusal, safeMrkdwn } from '../../lambdas/slack/answers';
import {
  AccountNotMappedError,
  SlackLookupError,
  SlackPayloadError,
  UnknownPolicyError,
} from '../../lambdas/slack/errors';
import { WorkflowCallError } from '../../lambdas/stepfunctions/errors';
import { ContentionError, RequestNotFoundError } from '../../lambdas/store/errors';

describe('describeError', () => {
  it('keeps the domain’s words, and the field of a policy refusal', () => {
    expect(describeError(new SelfApprovalError())).toEqual({
      mrkdwn: 'You cannot approve your own request.',
      plain: 'You cannot approve your own request.',
      expected: true,
    });
    expect(describeError(new PolicyViolationError('Role "x" cannot be requested.', 'role'))).toMatchObject({
      field: 'role',
      expected: true,
    });
    expect(describeError(new NotApproverError('p')).plain).toBe('You are not an approver for policy "p".');
  });

  it('escapes user text in domain messages but keeps the domain’s own mentions', () => {
    const answer = describeError(new InvalidDurationError('"<!channel>" is not a duration'));
    expect(answer.mrkdwn).toBe('"&lt;!channel&gt;" is not a duration');
    expect(answer.plain).toBe('"<!channel>" is not a duration');
    const denied = describeError(
      new IllegalTransitionError('DENIED', 'APPROVE', 'This request was already denied by <@U0BOB>.'),
    );
    expect(denied.mrkdwn).toBe('This request was already denied by <@U0BOB>.');
    expect(denied.plain).toBe('This request was already denied by @U0BOB.');
    expect(safeMrkdwn('<@U0BOB> & <@everyone>')).toBe('<@U0BOB> &amp; &lt;@everyone&gt;');
  });

  it('turns failures into plain advice, and flags the unplanned ones', () => {
    const cases: [unknown, string, boolean][] = [
      [new AccountNotMappedError('U0EVE'), 'not mapped to an ONTAP account', true],
      [new RequestNotFoundError('x'), 'does not exist', true],
      [new UnknownPolicyError('old'), 'Policy "old" is no longer configured', true],
      [new SlackLookupError('users.info'), 'Slack did not answer', true],
      [new ContentionError('x', 3), 'Many people acted', true],
      [new WorkflowCallError('StartExecution'), 'workflow could not be reached', true],
      [new SlackPayloadError('x'), 'does not understand', false],
      [new ConfigError('a', 'b'), 'misconfigured', false],
      [new Error('boom <@U0BOB>'), 'Something went wrong on our side', false],
    ];
    for (const [error, text, expected] of cases) {
      const answer = describeError(error);
      expect(answer.plain).toContain(text);
      expect(answer.expected).toBe(expected);
    }
    expect(describeError(new Error('secret detail')).plain).not.toContain('secret detail');
  });
});

describe('describeRefusal', () => {
  const last = {
    requestId: 'r',
    seq: 1,
    at: '2026-11-22T10:00:00Z',
    type: 'APPROVE',
    actor: 'U0CAROL',
    to: 'APPROVED',
  };

  it('adds who got there first to a late decision', () => {
    const answer = describeRefusal(
      new IllegalTransitionError('APPROVED', 'APPROVE', 'This request has already been approved.'),
      last,
    );
    expect(answer.mrkdwn).toBe(
      'This request has already been approved (by <@U0CAROL> <!date^1795341600^{date_short_pretty} {time}|2026-11-22 10:00:00 UTC>).',
    );
    expect(answer.plain).toBe('This request has already been approved (by @U0CAROL at 2026-11-22T10:00:00Z).');
  });

  it('adds nothing to refusals about the person themselves, or without a human last event', () => {
    expect(describeRefusal(new AlreadyApprovedError(), last).plain).toBe('You have already approved this request.');
    expect(
      describeRefusal(new IllegalTransitionError('ACTIVE', 'APPROVE', 'Granted.'), {
        ...last,
        type: 'GRANTED',
        actor: undefined,
      }).plain,
    ).toBe('Granted.');
  });
});
