/** Errors of the ONTAP simulator. */

/** An ONTAP-style error answer: thrown inside request handlers and written as `{"error": {...}}`. */
export class OntapSimError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;
  /** ONTAP error code (a numeric string), when the answer carries one. */
  readonly code: string | undefined;
  /** The field the error is about, when there is one. */
  readonly target: string | undefined;

  /** Builds the answer; `code` and `target` go into the error body verbatim. */
  constructor(status: number, message: string, code?: string, target?: string) {
    super(message);
    this.name = 'OntapSimError';
    this.status = status;
    this.code = code;
    this.target = target;
  }
}

/** A fixture file that does not describe a usable cluster. */
export class SimFixtureError extends Error {
  /** Wraps the reason (usually a zod error) the fixture was refused. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimFixtureError';
  }
}
