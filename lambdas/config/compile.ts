/**
 * What synth ships inside every function bundle: the configuration file's data as JSON, once it has
 * been validated. Only the CDK app uses this module, so the YAML parser stays out of the bundles.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from './errors';
import { parseConfig, parseConfigJson, readConfigData } from './load';
import type { Config } from './schema';

/** A configuration file compiled for the bundles: its validated content and the JSON they carry. */
export interface CompiledConfig {
  readonly config: Config;
  /** The file's data as JSON text; a bundle validates it again as it loads (the same checks, no YAML). */
  readonly json: string;
}

/**
 * Validates YAML configuration text and converts it to JSON, checking that the JSON says exactly what
 * the YAML does (YAML can hold values JSON cannot, such as `.inf`, which would otherwise change silently).
 */
export function compileConfig(text: string, source = 'configuration'): CompiledConfig {
  const data = readConfigData(text, source);
  const config = parseConfig(data);
  const json = JSON.stringify(data);
  const lost = `${source} changes when written as JSON (a value such as .inf or .nan); write plain values`;
  let shipped: Config;
  try {
    shipped = parseConfigJson(json, source);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.field, lost, { cause: error });
    throw error;
  }
  if (!isDeepStrictEqual(shipped, config)) throw new ConfigError('', lost);
  return { config, json };
}
