/** Named errors of the domain core; handlers map them to Slack or HTTP answers in one place. */

/** Base of every rule the domain refuses; `code` is stable for callers and Step Functions Catch. */
export class DomainError extends Error {
  /** A short stable machine code, e.g. `SELF_APPROVAL`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
  }
}

/**
 * The base of a domain error whose code is fixed and whose message is the caller's: `name` is set on
 * every instance, since callers match on it and bundling renames classes.
 */
function refusal<N extends string>(name: N, code: string) {
  return class extends DomainError {
    override readonly name: N = name;
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

/** A duration or window that cannot be read or is outside the allowed range. */
export class InvalidDurationError extends refusal('InvalidDurationError', 'INVALID_DURATION') {}

/** A request asks for more than the policy or the cluster allows. */
export class LimitExceededError extends refusal('LimitExceededError', 'LIMIT_EXCEEDED') {}

/** An event does not apply to the request's current status. */
export class IllegalTransitionError extends DomainError {
  /** The status the request was in. */
  readonly from: string;
  /** The event that was refused. */
  readonly event: string;
  constructor(from: string, event: string, message?: string) {
    super('ILLEGAL_TRANSITION', message ?? `A request that is ${from} cannot take ${event}.`);
    this.name = 'IllegalTransitionError';
    this.from = from;
    this.event = event;
  }
}

/** The requester tried to decide their own request, from this or another of their Slack identities. */
export class SelfApprovalError extends DomainError {
  constructor(otherIdentity = false) {
    super(
      'SELF_APPROVAL',
      otherIdentity
        ? 'You cannot decide your own request, from any of your Slack accounts: ' +
            'this one is the same person as the requester.'
        : 'You cannot approve your own request.',
    );
    this.name = 'SelfApprovalError';
  }
}

/** The person is not an approver of the request's policy. */
export class NotApproverError extends DomainError {
  constructor(policy: string, guest = false) {
    super(
      'NOT_APPROVER',
      guest
        ? `Slack guest accounts cannot approve under policy "${policy}".`
        : `You are not an approver for policy "${policy}".`,
    );
    this.name = 'NotApproverError';
  }
}

/** One person already fills a seat of this request under another Slack identity; a person counts once. */
export class SamePersonApprovalError extends DomainError {
  /** The Slack id the same person approved as. */
  readonly approvedAs: string;
  constructor(approvedAs: string) {
    super(
      'SAME_PERSON',
      `You already approved this request as <@${approvedAs}>; one person counts once, whatever their Slack accounts.`,
    );
    this.name = 'SamePersonApprovalError';
    this.approvedAs = approvedAs;
  }
}

/** The Slack account is deactivated: it neither asks nor decides. */
export class AccountInactiveError extends refusal('AccountInactiveError', 'ACCOUNT_INACTIVE') {
  constructor() {
    super('Your Slack account is deactivated, so it cannot decide requests.');
  }
}

/** The requester may no longer have what they asked for (removed, deactivated, mapped elsewhere). */
export class RequesterNotAuthorizedError extends refusal('RequesterNotAuthorizedError', 'REQUESTER_NOT_AUTHORIZED') {}

/** The person already has as many open requests as the policy allows. */
export class OpenRequestLimitError extends DomainError {
  constructor(open: number, policy: string) {
    super(
      'OPEN_REQUEST_LIMIT',
      `You already have ${open} open request${open === 1 ? '' : 's'} under policy "${policy}", the most it allows. ` +
        'Cancel one, or wait until one is decided or has started. Nothing was recorded.',
    );
    this.name = 'OpenRequestLimitError';
  }
}

/** The approver has already approved this request; a decision counts once. */
export class AlreadyApprovedError extends refusal('AlreadyApprovedError', 'ALREADY_APPROVED') {
  constructor() {
    super('You have already approved this request.');
  }
}

/** The person may not do this to the request (cancel or revoke someone else's, for example). */
export class NotAllowedError extends refusal('NotAllowedError', 'NOT_ALLOWED') {}

/** The request does not fit any policy (cluster, SVM, role or requester not covered). */
export class PolicyViolationError extends DomainError {
  /** The request field the problem is about, for inline form errors. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super('POLICY_VIOLATION', message);
    this.name = 'PolicyViolationError';
    this.field = field;
  }
}
