/** Errors of the audit export and its verification. */

/** A filter or an option of an export is not one the export understands; nothing was read. */
export class BadFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadFilterError';
  }
}

/** An export would read more than it is bounded to; narrow the range or the filters. */
export class ExportTooLargeError extends Error {
  constructor(what: string, limit: number) {
    super(`The export would read more than ${limit} ${what}; narrow the time range.`);
    this.name = 'ExportTooLargeError';
  }
}

/** An archived object is not an audit event in the archive's layout. */
export class ArchiveObjectError extends Error {
  constructor(key: string, options?: { cause?: unknown }) {
    super(`The archived object ${key} is not an audit event.`, options);
    this.name = 'ArchiveObjectError';
  }
}

/** The CSV file could not be handed to Slack; nothing was shared. */
export class UploadFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`The audit export was not uploaded: ${message}.`, options);
    this.name = 'UploadFailedError';
  }
}
