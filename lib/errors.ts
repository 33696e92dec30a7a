/** Errors raised while synthesizing the product's stacks. */

/** A function could not be bundled; the message carries esbuild's own. */
export class BundlingError extends Error {
  constructor(entry: string, detail: string) {
    super(`bundling ${entry} failed: ${detail}`);
    this.name = 'BundlingError';
  }
}
