/** Errors of building the task functions' runtime. */

/** An environment variable is missing or invalid; the message names it (never its value). */
export class EnvironmentError extends Error {
  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super(`Environment variable ${variable} ${message}.`, options);
    this.name = 'EnvironmentError';
  }
}

/** A secret could not be read or does not have the expected shape; the message names the secret, never its value. */
export class SecretError extends Error {
  constructor(secret: string, message: string, options?: { cause?: unknown }) {
    super(`Secret ${secret}: ${message}.`, options);
    this.name = 'SecretError';
  }
}
