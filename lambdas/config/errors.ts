/** Errors raised while reading the configuration. */

/** The configuration is missing, unreadable or invalid; the message names the exact field. */
export class ConfigError extends Error {
  /** Dotted path of the offending field, e.g. `policies[0].maxDuration`; empty for the whole file. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(field ? `Invalid configuration at ${field}: ${message}` : `Invalid configuration: ${message}`, options);
    this.name = 'ConfigError';
    this.field = field;
  }
}
