/**
 * Errors of the workflow's tasks. A task error's `name` is what
 * the state machine's Retry and Catch match on (lib/workflow-definition.ts), so renaming one is a
 * change to the definition too.
 */
import { ERROR_NAMES } from '../domain/error-names';

/**
 * The request cannot be granted as asked (policy, cluster limits, unknown role or account...).
 * The message is for the requester.
 */
export class RequestInvalidError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = ERROR_NAMES.requestInvalid;
  }
}

/** The request was closed elsewhere (cancelled, or decided by a previous run); the workflow stops quietly. */
export class RequestClosedError extends Error {
  constructor(id: string, status: string) {
    super(`Request ${id} is ${status}; nothing left to do.`);
    this.name = ERROR_NAMES.requestClosed;
  }
}

/**
 * No request is recorded under this id: the submission that started the workflow wrote it beside the start,
 * and that write is late or failed. The workflow reads again a while, then ends without it.
 */
export class RequestNotRecordedError extends Error {
  constructor(id: string, options?: { cause?: unknown }) {
    super(`No request ${id} is recorded (yet).`, options);
    this.name = ERROR_NAMES.requestNotRecorded;
  }
}

/**
 * A submission whose workflow can never run: the execution named after its request already ran and ended
 * while the request was not recorded (an earlier try of the same delivery whose write failed). The request
 * is closed, and the person asks again from a new form or command.
 */
export class SubmissionSpentError extends Error {
  constructor() {
    super(
      'This submission can no longer make a request: an earlier try of it failed too long ago. ' +
        'Nothing was asked of anyone; close this form if it is open and type /jit to ask again.',
    );
    this.name = 'SubmissionSpentError';
  }
}

/**
 * A submission whose write got no answer on any try (made or not, nobody can tell) and whose request could
 * not be read back either. A workflow already started goes on if the write landed (the person then gets the
 * approval DM) and ends quietly if not. A form sent again is the same request; a one-line command typed again
 * would be another, so its person is pointed at /jit list first.
 */
export class SubmissionUnconfirmedError extends Error {
  constructor(how: { readonly resubmittable: boolean; readonly started: boolean }, options?: { cause?: unknown }) {
    const next = how.resubmittable
      ? ' Sending this form again is safe: it is the same request, never a second one.'
      : how.started
        ? ' Check /jit list before asking again, so it is not asked twice.'
        : ' Its approval workflow could not be started either, so nobody was asked: type /jit to ask again.';
    super(
      'The database did not answer, so we could not confirm that your request was recorded.' +
        (how.started ? ' If it was, you will get a direct message once it goes to the approvers.' : '') +
        next,
      options,
    );
    this.name = 'SubmissionUnconfirmedError';
  }
}

/** Another request holds the grant for the same cluster, SVM, account and application. */
export class GrantConflictError extends Error {
  /** The request that holds the grant. */
  readonly heldBy: string;
  constructor(heldBy: string, until: string) {
    super(`Request ${heldBy} already holds this access until ${until}; one grant per account and SVM at a time.`);
    this.name = ERROR_NAMES.grantConflict;
    this.heldBy = heldBy;
  }
}

/** The end wait woke before the grant's end: nothing is revoked, and the workflow waits again. */
export class GrantNotOverError extends Error {
  constructor(end: string) {
    super(`The grant runs until ${end}; waiting again.`);
    this.name = ERROR_NAMES.grantNotOver;
  }
}

/** A task was given input that does not match its schema (a definition bug, never user input). */
export class TaskInputError extends Error {
  constructor(task: string, options?: { cause?: unknown }) {
    super(`The ${task} task got input that does not match its schema.`, options);
    this.name = 'TaskInputError';
  }
}

/** The approval message could not be posted, so nobody can approve the request. */
export class ApprovalNotPostedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The approval message could not be posted to Slack.', options);
    this.name = 'ApprovalNotPostedError';
  }
}

/** A reconciler repair took longer than its deadline; the pass moved on and tries it again later. */
export class ReconcileDeadlineError extends Error {
  constructor(ms: number) {
    super(`The repair took longer than ${ms} ms; tried again next pass.`);
    this.name = 'ReconcileDeadlineError';
  }
}

/** The activity digest tried at a grant's end took longer than the revoke gives it; the reconciler goes on. */
export class DigestDeadlineError extends Error {
  constructor(ms: number) {
    super(`The activity digest took longer than ${ms} ms; the reconciler tries it again.`);
    this.name = 'DigestDeadlineError';
  }
}
