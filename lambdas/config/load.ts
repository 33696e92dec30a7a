/** Reads and validates the configuration once, at start, with errors that name the field. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as Yaml from 'yaml';
import type { z } from 'zod';
import { bundledConfigJson } from './bundled';
import { ConfigError } from './errors';
import type * as Schema from './schema';
import type { Config } from './schema';

/** The configuration used when none is named: the commented example shipped with the product. */
export const DEFAULT_CONFIG_PATH = resolve(__dirname, '../../config/example.yaml');

/** Validates configuration data (already parsed from YAML or JSON). */
export function parseConfig(data: unknown): Config {
  // reportInput: so a field of the wrong type is told apart from a missing one (the input itself is never shown).
  const result = configSchema().safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ConfigError('', 'it does not match the schema');
  throw new ConfigError(formatPath(issue.path), describe(issue), { cause: result.error });
}

/**
 * The configuration's schema, built on first use: a deployed function reads the configuration compiled
 * into it, already validated at synth, and never runs the schema, so its cold start does not build it.
 */
function configSchema(): typeof Schema.ConfigSchema {
  return (require('./schema') as typeof Schema).ConfigSchema;
}

/** Parses YAML (a superset of JSON) configuration text. */
export function parseConfigText(text: string, source = 'configuration'): Config {
  return parseConfig(readConfigData(text, source));
}

/** The data of YAML (a superset of JSON) configuration text, not yet validated. */
function readConfigData(text: string, source = 'configuration'): unknown {
  const { parseDocument } = yamlParser(source);
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problem = document.errors[0];
  if (problem) throw new ConfigError('', `${source} is not valid YAML: ${problem.message}`, { cause: problem });
  try {
    return document.toJS();
  } catch (error) {
    // An alias with no anchor, or an alias bomb: the YAML library throws while building the data.
    throw new ConfigError('', `${source} is not valid YAML: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * The YAML parser, loaded on first use: the function bundles leave it out (lib/bundling.ts), since a
 * deployed function reads the JSON compiled into it; only a YAML file named by `JIT_CONFIG` needs it.
 */
function yamlParser(source: string): typeof Yaml {
  try {
    return require('yaml') as typeof Yaml;
  } catch (error) {
    throw new ConfigError(
      '',
      `cannot read ${source}: this bundle has no YAML parser; it reads the configuration compiled into it at synth`,
      { cause: error },
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads the configuration file at `path` (default: `JIT_CONFIG`; else, in a deployed function, the
 * configuration compiled into its bundle; else the shipped example).
 */
export function loadConfig(path = process.env.JIT_CONFIG): Config {
  const bundled = path === undefined ? bundledConfigJson() : undefined;
  if (bundled !== undefined) return readBundledConfig(bundled);
  const file = path ?? DEFAULT_CONFIG_PATH;
  return parseConfigText(readConfigText(file), file);
}

/**
 * The configuration compiled into a bundle: validated at synth (lambdas/config/compile.ts), so read
 * as it is. Running the schema again would cost each cold start its compilation and find nothing
 * new: the bundle and its configuration are built, and replaced, together.
 */
export function readBundledConfig(json: string): Config {
  try {
    return JSON.parse(json) as Config;
  } catch (error) {
    throw new ConfigError('', `the bundled configuration is not valid JSON: ${messageOf(error)}`, { cause: error });
  }
}

/** A configuration file: where it is, its text, and its validated content. */
export interface ConfigSource {
  readonly path: string;
  readonly text: string;
  readonly config: Config;
}

/**
 * Loads and validates the configuration file at `path` (default: `JIT_CONFIG`, else the shipped
 * example) and keeps its text: the CDK app compiles that text into every function bundle.
 */
export function loadConfigSource(path = process.env.JIT_CONFIG ?? DEFAULT_CONFIG_PATH): ConfigSource {
  const text = readConfigText(path);
  return { path, text, config: parseConfigText(text, path) };
}

/** The text of the configuration file at `path`, for validation and for shipping inside the function bundles. */
export function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('', `cannot read ${path}: ${messageOf(error)}`, { cause: error });
  }
}

/** `['policies', 0, 'maxDuration']` -> `policies[0].maxDuration`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `${issue.message.replace(/^Invalid input: /, '')}`;
    case 'unrecognized_keys':
      return `has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return issue.message;
  }
}
