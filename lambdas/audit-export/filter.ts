/**
 * Export filters as people write them, on the command line and after `/jit audit`: a time range (`30d`,
 * `12h`, `2w` back from now, or a UTC date or instant) and `cluster=`, `svm=`, `person=`, `status=`. Pure.
 */
import { BadFilterError } from './errors';
import { type ExportFilter, parseStatus } from './rows';

/** The range an export covers when none is given: the last 30 days. */
export const DEFAULT_SINCE = '30d';
/** The longest range one export covers. */
export const MAX_RANGE_DAYS = 800;

const UNIT_SECONDS: Readonly<Record<string, number>> = { h: 3600, d: 86_400, w: 7 * 86_400 };

/** The instant `text` names: `<n>h|d|w` before now, or a UTC date (`YYYY-MM-DD`) or ISO instant. */
export function parseInstantText(text: string, now: string, what: string): string {
  const relative = /^(\d{1,4})([hdw])$/.exec(text.trim());
  if (relative) {
    const [, n = '0', unit = 'd'] = relative;
    return iso(Date.parse(now) - Number(n) * (UNIT_SECONDS[unit] ?? 0) * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return checked(`${text}T00:00:00Z`, what, text);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(text)) return checked(text, what, text);
  throw new BadFilterError(`${what} "${text}" is not a time: write 30d, 12h, 2w, 2026-11-01 or 2026-11-01T09:00:00Z.`);
}

/** The filter the options name; throws BadFilterError naming the one that is wrong. */
export function buildFilter(
  options: {
    readonly since?: string;
    readonly until?: string;
    readonly cluster?: string;
    readonly svm?: string;
    readonly person?: string;
    readonly status?: string;
  },
  now: string,
): ExportFilter {
  const since = parseInstantText(options.since ?? DEFAULT_SINCE, now, 'since');
  const until =
    options.until !== undefined ? parseInstantText(options.until, now, 'until') : iso(Date.parse(now) + 1000);
  if (since >= until) throw new BadFilterError(`since (${since}) must be before until (${until}).`);
  if (Date.parse(until) - Date.parse(since) > MAX_RANGE_DAYS * 86_400_000) {
    throw new BadFilterError(`The range is longer than ${MAX_RANGE_DAYS} days; export it in parts.`);
  }
  return {
    since,
    until,
    ...(nonEmpty(options.cluster, 'cluster') !== undefined ? { cluster: options.cluster } : {}),
    ...(nonEmpty(options.svm, 'svm') !== undefined ? { svm: options.svm } : {}),
    ...(options.person !== undefined ? { person: personOf(options.person) } : {}),
    ...(options.status !== undefined ? { status: parseStatus(options.status) } : {}),
  };
}

const KEYS = ['since', 'until', 'cluster', 'svm', 'person', 'status'] as const;

/**
 * The filter in the text after `/jit audit`: `since 30d`, `until 2026-11-01` (or `since=30d`), and
 * `cluster=X svm=Y person=@U status=REVOKED`, in any order; Slack's `<@U123|name>` mentions are read as ids.
 */
export function parseFilterText(text: string, now: string): ExportFilter {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const options: Partial<Record<(typeof KEYS)[number], string>> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const eq = word.indexOf('=');
    const key = (eq >= 0 ? word.slice(0, eq) : word).toLowerCase();
    const known = KEYS.find((k) => k === key);
    if (!known) throw new BadFilterError(`"${word}" is not a filter: use ${KEYS.map((k) => `${k}=…`).join(' ')}.`);
    const value = eq >= 0 ? word.slice(eq + 1) : words[++i];
    if (value === undefined || value === '') throw new BadFilterError(`${known} needs a value.`);
    if (options[known] !== undefined) throw new BadFilterError(`${known} is given twice.`);
    options[known] = value;
  }
  return buildFilter(options, now);
}

/** A person as written: a Slack mention (`<@U123|name>`, `<@U123>`, `@U123`) as its id, else as typed. */
export function personOf(text: string): string {
  const mention = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(text) ?? /^@([UW][A-Z0-9]{2,20})$/.exec(text);
  const person = mention?.[1] ?? text.trim();
  if (person === '' || person.length > 200) throw new BadFilterError('person needs a Slack id or an ONTAP account.');
  return person;
}

function nonEmpty(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new BadFilterError(`${what} needs a value.`);
  return value;
}

function checked(value: string, what: string, text: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new BadFilterError(`${what} "${text}" is not a valid date.`);
  return iso(t);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
