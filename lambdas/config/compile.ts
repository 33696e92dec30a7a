/**
 * What synth ships inside every function bundle: the configuration, validated, as JSON. Only the CDK
 * app uses this module, so the YAML parser stays out of the bundles.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from './errors';
import { parseConfigText } from './load';
import type { Config } from './schema';

/** A configuration file compiled for the bundles: its validated content and the JSON they carry. */
export interface CompiledConfig {
  readonly config: Config;
  /**
   * The validated configuration (defaults filled, durations in seconds) as JSON text: a bundle reads it
   * with JSON.parse alone, with no schema to run at a cold start (lambdas/config/load.ts).
   */
  readonly json: string;
}

/**
 * Validates YAML configuration text and converts the result to JSON, checking that the JSON reads back
 * as exactly the validated configuration (a value JSON cannot write would otherwise change silently).
 */
export function compileConfig(text: string, source = 'configuration'): CompiledConfig {
  const config = parseConfigText(text, source);
  const json = JSON.stringify(config);
  if (!isDeepStrictEqual(JSON.parse(json), config)) {
    throw new ConfigError('', `${source} does not read back the same once written as JSON`);
  }
  return { config, json };
}
