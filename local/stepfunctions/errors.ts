/** Errors of the local Step Functions runner and its API. */

/** The definition uses something the local runner cannot run. */
export class LocalDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalDefinitionError';
  }
}

/** A Step Functions API error; `code` is the AWS error type the SDK turns into its exception class. */
export class SfnApiError extends Error {
  /** e.g. `ExecutionAlreadyExists`, `TaskDoesNotExist`, `InvalidToken`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SfnApiError';
    this.code = code;
  }
}

/** What a Lambda task threw, as Step Functions reports it: Error = the error's name, Cause = a JSON document. */
export class TaskFailedError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}
