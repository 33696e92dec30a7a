/**
 * The side panels the local stack fills in (the ONTAP cluster as the simulator sees it, the
 * selected request's audit trail, …): each is a function or a URL returning rows, shown as a table.
 * Whatever shape comes back is turned into columns and text cells here, so the page only draws.
 */
import { isRecord } from './block-kit';
import { PanelError } from './errors';

/** What a panel is asked for: who is looking, and the message they selected, if any. */
export interface PanelContext {
  readonly user: string;
  readonly selected?: { readonly channel: string; readonly ts: string; readonly text: string };
}

/** A panel: a title and where its rows come from (a function, or a URL answering JSON to a GET). */
export type PanelSource =
  | { readonly title: string; readonly fetch: (context: PanelContext) => Promise<unknown> }
  | { readonly title: string; readonly url: string };

/** A panel's data as the page draws it. */
export interface PanelTable {
  readonly title: string;
  readonly columns: string[];
  readonly rows: string[][];
  /** Shown when there are no rows or the data is not a table. */
  readonly note?: string;
  readonly error?: string;
}

const MAX_ROWS = 200;
const LIST_KEYS = ['records', 'rows', 'items', 'events', 'entries'];

/** Turns rows of any shape into a table: records (ONTAP's `{records: […]}` too), lists, or one object as key/value. */
export function toTable(title: string, data: unknown): PanelTable {
  if (isRecord(data) && Array.isArray(data.columns) && Array.isArray(data.rows)) {
    return {
      title,
      columns: data.columns.map(cell),
      rows: data.rows.slice(0, MAX_ROWS).map((row: unknown) => (Array.isArray(row) ? row.map(cell) : [cell(row)])),
    };
  }
  const list = Array.isArray(data)
    ? data
    : isRecord(data)
      ? LIST_KEYS.map((k) => data[k]).find(Array.isArray)
      : undefined;
  if (list) {
    if (list.length === 0) return { title, columns: [], rows: [], note: 'Nothing yet.' };
    if (list.every(isRecord)) {
      const columns = [...new Set(list.flatMap((r) => Object.keys(r)))];
      return { title, columns, rows: list.slice(0, MAX_ROWS).map((r) => columns.map((c) => cell(r[c]))) };
    }
    return { title, columns: ['value'], rows: list.slice(0, MAX_ROWS).map((v) => [cell(v)]) };
  }
  if (isRecord(data))
    return { title, columns: ['field', 'value'], rows: Object.entries(data).map(([k, v]) => [k, cell(v)]) };
  if (data === undefined || data === null) return { title, columns: [], rows: [], note: 'Nothing yet.' };
  return { title, columns: [], rows: [], note: cell(data) };
}

/** A cell's text: objects with a `name` (ONTAP's `{name, uuid}` references) show the name. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(cell).join(', ');
  if (isRecord(value) && typeof value.name === 'string') return value.name;
  return JSON.stringify(value);
}

/** Loads one panel; a failing source becomes a table with an error rather than a failed page. */
export async function loadPanel(source: PanelSource, context: PanelContext): Promise<PanelTable> {
  try {
    if ('fetch' in source) return toTable(source.title, await source.fetch(context));
    const url = new URL(source.url);
    url.searchParams.set('user', context.user);
    if (context.selected) {
      url.searchParams.set('channel', context.selected.channel);
      url.searchParams.set('ts', context.selected.ts);
    }
    const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return toTable(source.title, await response.json());
  } catch (error) {
    const failure = new PanelError(source.title, { cause: error });
    return {
      title: source.title,
      columns: [],
      rows: [],
      error: `${failure.message} ${error instanceof Error ? error.message : ''}`.trim(),
    };
  }
}
