/**
 * The names of the errors the state machine's Retry and Catch clauses match, and RecordOutcome reads back
 * from a Catch's error output. The error classes set their `name` from here and lib/workflow-definition.ts
 * builds its clauses from here, so renaming one cannot leave the definition matching a name nothing throws.
 */
export const ERROR_NAMES = {
  /** The cluster did not answer, or answered 5xx/429: worth another try. */
  ontapTransient: 'OntapTransientError',
  /** A conditional write lost a race too many times in a row. */
  contention: 'ContentionError',
  /** DynamoDB answered no try of a write, nor the read after it: whether it landed is unknown for now. */
  writeUnconfirmed: 'WriteUnconfirmedError',
  /** Slack rate-limited the call or did not answer. */
  slackTransient: 'SlackTransientError',
  /** The request was closed elsewhere; the workflow stops quietly. */
  requestClosed: 'RequestClosedError',
  /**
   * No request is recorded under the workflow's name (its write is late, or failed): the workflow waits for
   * it a while, then ends quietly.
   */
  requestNotRecorded: 'RequestNotRecordedError',
  /** The request cannot be granted as asked; the message is for the requester. */
  requestInvalid: 'RequestInvalidError',
  /** Another request holds the same grant; RecordOutcome shows its message to the requester as it is. */
  grantConflict: 'GrantConflictError',
  /** The end wait woke before the grant's end (to tell "ends soon", or the end moved): wait again. */
  grantNotOver: 'GrantNotOverError',
} as const;
