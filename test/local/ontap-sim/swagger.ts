/**
 * Reads definitions out of NetApp's ONTAP 9.8 OpenAPI file (3 MB) by slicing
 * out only the blocks a test needs, which is much faster than parsing it all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

/** Where the shared reference lives, relative to the repository root. */
export const SWAGGER_PATH = join(__dirname, '..', '..', '..', '..', 'shared', 'ontap-docs', 'ontap-9.8-swagger.yaml');

// The OpenAPI file lives beside the repository (../shared); the shape checks cannot run without it.
if (!existsSync(SWAGGER_PATH)) {
  throw new Error(`${SWAGGER_PATH} is missing: clone the repository beside shared/ (it holds ontap-docs/)`);
}

/** A swagger schema object, as far as key checks need it. */
export interface SwaggerSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, SwaggerSchema>;
  items?: SwaggerSchema;
  enum?: unknown[];
}

let text: string | undefined;
const cache = new Map<string, SwaggerSchema>();

/** One definition (`#/definitions/<name>`), parsed. */
export function definition(name: string): SwaggerSchema {
  const hit = cache.get(name);
  if (hit) return hit;
  text ??= readFileSync(SWAGGER_PATH, 'utf8');
  const defs = text.indexOf('\ndefinitions:\n');
  const start = text.indexOf(`\n  ${name}:\n`, defs);
  if (defs < 0 || start < 0) throw new Error(`no definition ${name}`);
  const rest = text.slice(start + 1);
  const end = rest.slice(1).search(/\n {2}\S|\n\S/);
  const block = end < 0 ? rest : rest.slice(0, end + 1);
  const parsed: unknown = YAML.parse(block);
  if (typeof parsed !== 'object' || parsed === null || !(name in parsed))
    throw new Error(`cannot parse definition ${name}`);
  const schema = (parsed as Record<string, SwaggerSchema>)[name] ?? {};
  cache.set(name, schema);
  return schema;
}

function resolve(schema: SwaggerSchema): SwaggerSchema {
  return schema.$ref ? definition(schema.$ref.replace('#/definitions/', '')) : schema;
}

/** Every key path in `value` that the schema does not define, e.g. `applications[].foo`. */
export function undefinedKeys(value: unknown, schema: SwaggerSchema, path = ''): string[] {
  const s = resolve(schema);
  if (Array.isArray(value)) {
    return s.items ? value.flatMap((v) => undefinedKeys(v, s.items ?? {}, `${path}[]`)) : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const props = s.properties ?? {};
  return Object.entries(value).flatMap(([k, v]) => {
    const sub = props[k];
    const where = path ? `${path}.${k}` : k;
    return sub ? undefinedKeys(v, sub, where) : [where];
  });
}
