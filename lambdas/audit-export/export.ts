/** The export: the rows a filter selects from a source, as CSV or JSON. */
import { toCsv, toJson } from './format';
import { type ExportFilter, type ExportRow, rowsOf } from './rows';
import type { TrailSource } from './table-source';

/** The formats an export is written in. */
export const FORMATS = ['csv', 'json'] as const;
/** One export format. */
export type Format = (typeof FORMATS)[number];

/** The rows of the requests made in the filter's range that it selects, oldest first. */
export async function exportRows(source: TrailSource, filter: ExportFilter): Promise<ExportRow[]> {
  return rowsOf(await source.trails({ since: filter.since, until: filter.until }), filter);
}

/** The rows written in `format`. */
export function render(rows: readonly ExportRow[], format: Format): string {
  return format === 'csv' ? toCsv(rows) : toJson(rows);
}
