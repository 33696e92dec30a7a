/** Errors of the Slack sandbox; the handler maps them to HTTP answers in one place. */

/** Base of the sandbox's errors; `status` is the HTTP status the page gets. */
export class SandboxError extends Error {
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxError';
    this.status = status;
  }
}

/** The page asked for something malformed or unknown (a bad body, an unknown user, view or message). */
export class SandboxRequestError extends SandboxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(400, message, options);
    this.name = 'SandboxRequestError';
  }
}

/** The app's endpoint could not be reached or did not answer in time. */
export class IngressError extends SandboxError {
  /** Slack's word for what went wrong, e.g. `dispatch_failed`, `operation_timeout`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(502, message, options);
    this.name = 'IngressError';
    this.code = code;
  }
}

/** A side panel's data source failed. */
export class PanelError extends SandboxError {
  constructor(title: string, options?: { cause?: unknown }) {
    super(502, `The panel "${title}" could not be loaded.`, options);
    this.name = 'PanelError';
  }
}
