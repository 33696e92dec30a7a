/** Errors of the DynamoDB store. */
import { ERROR_NAMES } from '../domain/error-names';
import type { AccessRequest } from '../domain/request';

/** No request with that id. */
export class RequestNotFoundError extends Error {
  constructor(id: string) {
    super(`No request ${id}.`);
    this.name = 'RequestNotFoundError';
  }
}

/** A request with that id already exists (`existing`, when it was read). */
export class DuplicateRequestError extends Error {
  constructor(
    id: string,
    readonly existing?: AccessRequest,
  ) {
    super(`A request ${id} already exists.`);
    this.name = 'DuplicateRequestError';
  }
}

/** An item read from the table does not have the shape the store wrote; it is never used half-read. */
export class CorruptItemError extends Error {
  constructor(key: string, options?: { cause?: unknown }) {
    super(`The stored item ${key} does not match its schema.`, options);
    this.name = 'CorruptItemError';
  }
}

/** Writers kept colliding on one item past the retry budget; nothing was written by this caller. */
export class ContentionError extends Error {
  constructor(id: string, attempts: number) {
    super(`Request ${id} kept changing under ${attempts} attempts; try again.`);
    this.name = ERROR_NAMES.contention;
  }
}

/**
 * A write DynamoDB answered on no try, whose item could not be read back either: it may have landed or
 * not, and nobody can tell until DynamoDB answers again. Nothing is to be told as done, or as not done.
 */
export class WriteUnconfirmedError extends Error {
  constructor(id: string, options?: { cause?: unknown }) {
    super(`Whether request ${id} was written is unknown: DynamoDB did not answer.`, options);
    this.name = ERROR_NAMES.writeUnconfirmed;
  }
}

/** DynamoDB kept handing back due requests unread (throttled); the reconciler's pass stops and the next tries again. */
export class DueItemsUnreadError extends Error {
  constructor(unread: number) {
    super(`${unread} due request(s) could not be read; the next pass reads them again.`);
    this.name = 'DueItemsUnreadError';
  }
}
