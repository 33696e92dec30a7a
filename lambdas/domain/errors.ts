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

/** A duration or window that cannot be read or is outside the allowed range. */
export class InvalidDurationError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_DURATION', message, options);
    this.name = 'InvalidDurationError';
  }
}

/** A request asks for more than the policy or the cluster allows. */
export class LimitExceededError extends DomainError {
  constructor(message: string) {
    super('LIMIT_EXCEEDED', message);
    this.name = 'LimitExceededError';
  }
}

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

/** The requester tried to approve their own request. */
export class SelfApprovalError extends DomainError {
  constructor() {
    super('SELF_APPROVAL', 'You cannot approve your own request.');
    this.name = 'SelfApprovalError';
  }
}

/** The person is not an approver of the request's policy. */
export class NotApproverError extends DomainError {
  constructor(policy: string) {
    super('NOT_APPROVER', `You are not an approver for policy "${policy}".`);
    this.name = 'NotApproverError';
  }
}

/** The approver has already approved this request; a decision counts once. */
export class AlreadyApprovedError extends DomainError {
  constructor() {
    super('ALREADY_APPROVED', 'You have already approved this request.');
    this.name = 'AlreadyApprovedError';
  }
}

/** The person may not do this to the request (cancel or revoke someone else's, for example). */
export class NotAllowedError extends DomainError {
  constructor(message: string) {
    super('NOT_ALLOWED', message);
    this.name = 'NotAllowedError';
  }
}

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
