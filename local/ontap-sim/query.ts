/**
 * ONTAP's collection conventions: `fields`, query filters (`*`, `!`, `|`, `<`, `>`),
 * `order_by`, `max_records` paging with `_links.next`, and `return_records`.
 */
import { OntapSimError } from './errors';
import type { WireRecord } from './records';

/** What a collection allows and always returns. */
export interface CollectionSpec {
  /** Dotted paths always returned (the record's keys), besides `_links`. */
  keyFields: string[];
  /** Top-level field names a caller may ask for with `fields` or sort on. */
  fields: string[];
  /** Dotted paths a caller may filter on. */
  filters: string[];
}

/** Query parameters in the order they came, already percent-decoded. */
export type QueryParams = Array<[string, string]>;

/** Parameters that steer a GET rather than filter it. `start.offset` is the simulator's paging cursor. */
const CONTROL_PARAMS = new Set([
  'fields',
  'max_records',
  'return_records',
  'return_timeout',
  'order_by',
  'start.offset',
]);

/** Splits and decodes a raw query string; a malformed escape is a 400 like any bad argument. */
export function parseQuery(raw: string): QueryParams {
  if (raw === '') return [];
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new OntapSimError(400, `Invalid percent-encoding in query "${s}".`, '2', 'query');
    }
  };
  return raw
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))];
    });
}

/** The last value of a parameter, if present. */
export function lastParam(query: QueryParams, name: string): string | undefined {
  let value: string | undefined;
  for (const [k, v] of query) if (k === name) value = v;
  return value;
}

/** Refuses parameters other than `allowed`, the way ONTAP refuses an unexpected argument. */
export function onlyParams(query: QueryParams, allowed: string[]): void {
  for (const [k] of query) {
    if (!allowed.includes(k)) throw new OntapSimError(400, `Unexpected argument "${k}".`, '2', k);
  }
}

/** `return_records` as a boolean (`true`/`false`/`1`/`0`); `fallback` when absent. */
export function booleanParam(query: QueryParams, name: string, fallback: boolean): boolean {
  const v = lastParam(query, name);
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new OntapSimError(400, `Invalid value "${v}" for field "${name}".`, '2', name);
}

function intParam(query: QueryParams, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = lastParam(query, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new OntapSimError(400, `Invalid value "${v}" for field "${name}".`, '2', name);
  return Number(v);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every leaf value at a dotted path, looking through arrays (`applications.application`). */
export function valuesAt(record: unknown, path: string): unknown[] {
  let current: unknown[] = [record];
  for (const segment of path.split('.')) {
    const next: unknown[] = [];
    for (const item of current) {
      const items = Array.isArray(item) ? item : [item];
      for (const it of items) {
        if (isObject(it) && segment in it) next.push(it[segment]);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** An anchored RegExp for a pattern whose only special character is `*` (any run, including `/`). */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function matchesOne(value: string, alt: string): boolean {
  for (const op of ['<=', '>=', '<', '>'] as const) {
    if (alt.startsWith(op)) {
      const c = compare(value, alt.slice(op.length));
      return op === '<=' ? c <= 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c > 0;
    }
  }
  if (alt.includes('*')) return globToRegExp(alt).test(value);
  return value === alt;
}

/**
 * Whether a record's values satisfy an ONTAP query expression: alternatives
 * joined by `|`; each exact, a `*` wildcard, a `!` negation or a `<`/`>` comparison.
 * Matching is case-sensitive (the reference pages do not say; exact is the safe reading).
 */
export function matchesFilter(values: unknown[], expression: string): boolean {
  const strings = values.map((v) => String(v));
  return expression.split('|').some((alt) => {
    if (alt.startsWith('!')) return !strings.some((s) => matchesOne(s, alt.slice(1)));
    return strings.some((s) => matchesOne(s, alt));
  });
}

function pick(source: unknown, segments: string[]): unknown {
  if (segments.length === 0) return structuredClone(source);
  if (Array.isArray(source)) return source.map((item) => pick(item, segments));
  const [head, ...rest] = segments;
  if (!isObject(source) || head === undefined || !(head in source)) return undefined;
  const value = pick(source[head], rest);
  return value === undefined ? undefined : { [head]: value };
}

function merge(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (Array.isArray(a) && Array.isArray(b)) return a.map((item, i) => merge(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
    return out;
  }
  return b;
}

/** Keeps the key fields, `_links` and the requested dotted paths of a record. */
export function project(record: WireRecord, keyFields: string[], requested: string[]): WireRecord {
  let out: unknown = {};
  for (const path of [...keyFields, ...requested, '_links']) out = merge(out, pick(record, path.split('.')));
  return typeof out === 'object' && out !== null ? Object.fromEntries(Object.entries(out)) : {};
}

/** Reads `fields`: `undefined` for none, `'*'` for all, else the dotted paths asked for (each checked). */
export function fieldsParam(query: QueryParams, spec: CollectionSpec): string[] | '*' | undefined {
  const raw = query.filter(([k]) => k === 'fields').map(([, v]) => v);
  if (raw.length === 0) return undefined;
  const list = raw
    .flatMap((v) => v.split(','))
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (list.some((f) => f === '*' || f === '**')) return '*';
  for (const f of list) {
    const top = f.split('.')[0] ?? '';
    if (!spec.fields.includes(top))
      throw new OntapSimError(400, `The value "${f}" is invalid for field "fields".`, '2', 'fields');
  }
  return list;
}

/** Applies filters, order, paging and field selection to a collection and builds the answer body. */
export function answerCollection(
  all: WireRecord[],
  spec: CollectionSpec,
  query: QueryParams,
  path: string,
  selfHref: string,
): WireRecord {
  let records = all;
  for (const [k, v] of query) {
    if (CONTROL_PARAMS.has(k)) continue;
    if (!spec.filters.includes(k)) throw new OntapSimError(400, `Unexpected argument "${k}".`, '2', k);
    records = records.filter((r) => matchesFilter(valuesAt(r, k), v));
  }

  const orderBy = query.filter(([k]) => k === 'order_by').flatMap(([, v]) => v.split(','));
  // Without order_by, records come in key order, as ONTAP lists them.
  const defaultOrder = spec.keyFields.map((f) => (f === 'owner' ? 'owner.name' : f));
  const sortKeys = (orderBy.length > 0 ? orderBy : defaultOrder)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const [field = '', dir = 'asc'] = s.split(/\s+/);
      if (!spec.fields.includes(field.split('.')[0] ?? '') || (dir !== 'asc' && dir !== 'desc')) {
        throw new OntapSimError(400, `Invalid value "${s}" for field "order_by".`, '2', 'order_by');
      }
      return { field, sign: dir === 'desc' ? -1 : 1 };
    });
  records = [...records].sort((a, b) => {
    for (const { field, sign } of sortKeys) {
      const c = compare(String(valuesAt(a, field)[0] ?? ''), String(valuesAt(b, field)[0] ?? ''));
      if (c !== 0) return c * sign;
    }
    return 0;
  });

  intParam(query, 'return_timeout', 0, 120);
  const maxRecords = intParam(query, 'max_records', 1);
  const offset = intParam(query, 'start.offset', 0) ?? 0;
  if (!booleanParam(query, 'return_records', true)) {
    return { num_records: records.length, _links: { self: { href: selfHref } } };
  }
  const page = records.slice(offset, maxRecords === undefined ? undefined : offset + maxRecords);
  const fields = fieldsParam(query, spec);
  const shaped = page.map((r) => (fields === '*' ? r : project(r, spec.keyFields, fields ?? [])));
  const links: Record<string, { href: string }> = { self: { href: selfHref } };
  if (maxRecords !== undefined && offset + maxRecords < records.length) {
    const rest = query.filter(([k]) => k !== 'start.offset');
    rest.push(['start.offset', String(offset + maxRecords)]);
    links.next = {
      href: `${path}?${rest.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
    };
  }
  return { records: shaped, num_records: shaped.length, _links: links };
}
