/**
 * Putting names into URLs safely.
 *
 * Path keys and query values are percent-encoded, so `/`, `?`, `&`, `%`, `#`
 * cannot change the path or the query. ONTAP's query language still reads
 * `*`, `|`, `!`, `<`, `>` and `..` inside a decoded filter value as wildcard,
 * or, not, comparison and range, and offers no quoting. So a name used as an
 * exact match that contains any of them is refused before any call is made,
 * rather than quietly matching other entries. The same rule holds for names
 * in paths, so every operation accepts the same names (ONTAP itself rejects
 * such characters in user names: code 7077897).
 */
import { OntapInvalidInputError } from './errors';

// biome-ignore lint/suspicious/noControlCharactersInRegex: it matches control characters so that names carrying them are refused.
const CONTROL = /[\u0000-\u001f\u007f]/;
const QUERY_OPERATORS = /[*|!<>]|\.\./;

/** Why a name cannot be used as an exact ONTAP match, or null when it can. */
export function unsafeNameReason(value: string): string | null {
  if (value.length === 0) return 'is empty';
  if (value.length > 256) return 'is longer than 256 characters';
  if (CONTROL.test(value)) return 'contains a control character';
  if (QUERY_OPERATORS.test(value)) return 'contains a character ONTAP reads as a query operator (* | ! < > or ..)';
  return null;
}

/** Returns `value` if it is usable as an exact match; otherwise throws OntapInvalidInputError naming `kind`. */
export function exactName(kind: string, value: string): string {
  const reason = unsafeNameReason(value);
  if (reason !== null)
    throw new OntapInvalidInputError(`The ${kind} ${JSON.stringify(value)} ${reason}.`, { target: kind });
  return value;
}

/** Encodes one path segment; a lone `.` or `..` is escaped too so no URL normaliser can collapse it. */
export function pathSegment(value: string): string {
  if (value === '.' || value === '..') return value.replace(/\./g, '%2E');
  return encodeURIComponent(value);
}

const UUID = /^[0-9a-fA-F-]{1,64}$/;

/** Returns `value` if it looks like an ONTAP uuid, else throws; uuids go into paths unescaped-looking and must stay plain. */
export function uuidArg(kind: string, value: string): string {
  if (!UUID.test(value))
    throw new OntapInvalidInputError(`The ${kind} ${JSON.stringify(value)} is not a uuid.`, { target: kind });
  return value;
}

/** Query parameters, each value percent-encoded. */
export type QueryValues = Record<string, string | number | boolean | undefined>;

/** Builds `?a=1&b=2` (or `''`), percent-encoding keys and values. */
export function queryString(params: QueryValues): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
