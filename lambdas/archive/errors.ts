/** Errors of the audit archive. */

/** A stream record the writer cannot read as an audit event (malformed, or not an audit item at all). */
export class UnreadableRecordError extends Error {
  constructor(sequenceNumber: string, problem: string, options?: { cause?: unknown }) {
    super(`Stream record ${sequenceNumber} is not an audit event: ${problem}`, options);
    this.name = 'UnreadableRecordError';
  }
}

/** The archive already holds a different body under an event's key: it is kept, never overwritten. */
export class ArchiveConflictError extends Error {
  constructor(key: string) {
    super(`The archive holds a different body under ${key}; the archived one is kept.`);
    this.name = 'ArchiveConflictError';
  }
}
