import * as errors from '../../lambdas/domain/errors';

describe('the domain errors', () => {
  // Callers match on `name` and `code`; both stay what they were whatever base a class shares.
  it.each([
    [new errors.InvalidDurationError('bad', { cause: 'x' }), 'InvalidDurationError', 'INVALID_DURATION', 'bad'],
    [new errors.LimitExceededError('too long'), 'LimitExceededError', 'LIMIT_EXCEEDED', 'too long'],
    [
      new errors.AccountInactiveError(),
      'AccountInactiveError',
      'ACCOUNT_INACTIVE',
      'Your Slack account is deactivated, so it cannot decide requests.',
    ],
    [new errors.RequesterNotAuthorizedError('gone'), 'RequesterNotAuthorizedError', 'REQUESTER_NOT_AUTHORIZED', 'gone'],
    [
      new errors.AlreadyApprovedError(),
      'AlreadyApprovedError',
      'ALREADY_APPROVED',
      'You have already approved this request.',
    ],
    [new errors.NotAllowedError('not yours'), 'NotAllowedError', 'NOT_ALLOWED', 'not yours'],
    [new errors.IllegalTransitionError('DENIED', 'APPROVE'), 'IllegalTransitionError', 'ILLEGAL_TRANSITION', null],
    [new errors.PolicyViolationError('no policy', 'role'), 'PolicyViolationError', 'POLICY_VIOLATION', 'no policy'],
  ])('%s carries its name, code and message', (error, name, code, message) => {
    expect(error).toBeInstanceOf(errors.DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    if (message !== null) expect(error.message).toBe(message);
    expect(String(error)).toBe(`${name}: ${error.message}`);
  });

  it('keeps the cause it is given', () => {
    expect(new errors.InvalidDurationError('bad', { cause: 'why' }).cause).toBe('why');
  });

  it('tells the classes that share a base apart', () => {
    expect(new errors.NotAllowedError('x')).not.toBeInstanceOf(errors.RequesterNotAuthorizedError);
    expect(new errors.AlreadyApprovedError()).not.toBeInstanceOf(errors.AccountInactiveError);
  });
});
