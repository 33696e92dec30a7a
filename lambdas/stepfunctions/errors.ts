/** Errors of the Step Functions adapter. */

/** Step Functions refused or failed a call the product needed; the request's state is unchanged. */
export class WorkflowCallError extends Error {
  constructor(operation: string, options?: { cause?: unknown }) {
    super(`Step Functions ${operation} failed.`, options);
    this.name = 'WorkflowCallError';
  }
}
