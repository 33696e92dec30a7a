/** Errors of the local stack's own options. */

/** A latency profile name that does not exist, named with the ones that do. */
export class UnknownLatencyProfileError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`Unknown latency profile "${name}": use one of ${known.join(', ')}.`);
    this.name = 'UnknownLatencyProfileError';
  }
}
