/**
 * Errors of the ONTAP client. Step Functions Retry/Catch match on `name`, so
 * every class sets it; messages carry method, path and ONTAP's own words,
 * never a credential.
 */
import { ERROR_NAMES } from '../domain/error-names';

/** What is known about the request and answer behind an error. */
export interface OntapErrorDetails {
  /** HTTP status, when an answer came back. */
  status?: number | undefined;
  /** ONTAP's error code (a numeric string such as "1" or "5636129"). */
  ontapCode?: string | undefined;
  /** The field ONTAP blamed (`error.target`). */
  target?: string | undefined;
  /** HTTP method of the failed call. */
  method?: string | undefined;
  /** Path and query of the failed call (no host, no credentials). */
  path?: string | undefined;
}

/** Base of every error the ONTAP client throws. */
export class OntapError extends Error {
  /** HTTP status, when an answer came back. */
  readonly status: number | undefined;
  /** ONTAP's error code, kept verbatim. */
  readonly ontapCode: string | undefined;
  /** The field ONTAP blamed. */
  readonly target: string | undefined;
  /** HTTP method of the failed call. */
  readonly method: string | undefined;
  /** Path and query of the failed call. */
  readonly path: string | undefined;

  /** Builds the error; `details` are copied onto it for callers to branch on. */
  constructor(message: string, details: OntapErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OntapError';
    this.status = details.status;
    this.ontapCode = details.ontapCode;
    this.target = details.target;
    this.method = details.method;
    this.path = details.path;
  }
}

/**
 * The base of an ONTAP error that adds nothing but its name: `name` is set on every instance, since
 * Step Functions and callers match on it and bundling renames classes.
 */
function ontapErrorNamed<N extends string>(name: N) {
  return class extends OntapError {
    override readonly name: N = name;
  };
}

/** ONTAP code 1 (409): the entry already exists. */
export class OntapDuplicateError extends ontapErrorNamed('OntapDuplicateError') {}

/** ONTAP code 2 (400): a field is invalid, missing or not allowed; `target` names it. */
export class OntapInvalidFieldError extends ontapErrorNamed('OntapInvalidFieldError') {}

/** ONTAP code 4 (404): the entry does not exist. A 404 without code 4 (e.g. an unknown API path) is an OntapApiError instead. */
export class OntapNotFoundError extends ontapErrorNamed('OntapNotFoundError') {}

/** ONTAP code 6 or HTTP 403: the API user's role does not allow the call. */
export class OntapPermissionError extends ontapErrorNamed('OntapPermissionError') {}

/** HTTP 401: ONTAP refused the credentials or client certificate. */
export class OntapAuthError extends ontapErrorNamed('OntapAuthError') {}

/** HTTP 409 other than a duplicate, e.g. code 8 (resource in use). */
export class OntapConflictError extends ontapErrorNamed('OntapConflictError') {}

/** Any other ONTAP error answer; endpoint-specific numeric codes are in `ontapCode`. */
export class OntapApiError extends ontapErrorNamed('OntapApiError') {}

/** Why a call failed in a way worth retrying. */
export type TransientReason = 'network' | 'timeout' | 'status' | 'locked' | 'race';

/** A failure worth retrying: network error, timeout, 5xx, 429 or "temporarily locked". */
export class OntapTransientError extends OntapError {
  /** Which kind of transient failure this was. */
  readonly reason: TransientReason;
  /** Delay ONTAP asked for with Retry-After, in ms. */
  readonly retryAfterMs: number | undefined;

  /** See OntapError; `reason` says what went wrong. */
  constructor(
    message: string,
    reason: TransientReason,
    details: OntapErrorDetails = {},
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, details, options);
    this.name = ERROR_NAMES.ontapTransient;
    this.reason = reason;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The TLS handshake failed, e.g. the certificate is not signed by the configured CA. Not retried. */
export class OntapTlsError extends ontapErrorNamed('OntapTlsError') {}

/** ONTAP answered with a body that is not the documented shape. */
export class OntapResponseFormatError extends ontapErrorNamed('OntapResponseFormatError') {}

/** An asynchronous ONTAP job ended in failure (or never finished); carries the job's message and code. */
export class OntapJobFailedError extends OntapError {
  /** The job's uuid. */
  readonly jobUuid: string;
  /** Last state seen: `failure`, or the unfinished state when polling gave up. */
  readonly jobState: string;

  /** See OntapError. */
  constructor(
    message: string,
    jobUuid: string,
    jobState: string,
    details: OntapErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, details, options);
    this.name = 'OntapJobFailedError';
    this.jobUuid = jobUuid;
    this.jobState = jobState;
  }
}

/** One field in which an existing JIT entry differs from the one asked for. */
export interface JitEntryDifference {
  field: 'ownerUuid' | 'account' | 'application' | 'role' | 'jitValidity' | 'sessionValidity' | 'startTime' | 'comment';
  existing: string | null;
  requested: string | null;
}

/** A JIT entry already exists for the key but with other settings, so it is not ours to reuse or remove. */
export class OntapJitEntryMismatchError extends OntapError {
  /** What differs. */
  readonly differences: JitEntryDifference[];

  /** See OntapError. */
  constructor(
    message: string,
    differences: JitEntryDifference[],
    details: OntapErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, details, options);
    this.name = 'OntapJitEntryMismatchError';
    this.differences = differences;
  }
}

/** The client refused an argument before calling ONTAP (e.g. a name with a query wildcard); `target` names it. */
export class OntapInvalidInputError extends ontapErrorNamed('OntapInvalidInputError') {}

/** The client's configuration is unusable; the message names the field, never its value. */
export class OntapConfigError extends OntapError {
  /** See OntapError. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {}, options);
    this.name = 'OntapConfigError';
  }
}
