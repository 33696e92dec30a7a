/**
 * Export rows as a CSV file a spreadsheet opens with one row per request (RFC 4180 quoting, a UTF-8 byte
 * order mark so Excel reads names right, cells that a spreadsheet would run as a formula made inert),
 * * or as one JSON array of row objects.
 */
import { stringify } from 'csv-stringify/sync';
import type { ExportRow } from './rows';

/** The column headers of the CSV, in order. */
export const CSV_COLUMNS = [
  'request',
  'requested_at',
  'requester_slack_id',
  'requester_ontap_account',
  'cluster',
  'svm',
  'role',
  'policy',
  'duration_seconds',
  'requested_start',
  'window_start',
  'window_end',
  'approvals',
  'status',
  'outcome',
  'ended_by',
  'ended_at',
  'break_glass',
  'digest',
  'not_in_source',
] as const;

/** The byte order mark that tells a spreadsheet the file is UTF-8. */
export const UTF8_BOM = '\uFEFF';

/** The rows as a CSV file: a header row, then one row per request. */
export function toCsv(rows: readonly ExportRow[]): string {
  const records = rows.map((row) =>
    [
      row.request,
      row.requestedAt,
      row.requesterSlackId,
      row.requesterOntapAccount,
      row.cluster,
      row.svm,
      row.role,
      row.policy,
      row.durationSeconds === undefined ? '' : String(row.durationSeconds),
      row.requestedStart ?? '',
      row.windowStart ?? '',
      row.windowEnd ?? '',
      row.approvals.map((a) => `${a.by} ${a.at}`).join('; '),
      row.status,
      row.outcome,
      row.endedBy ?? '',
      row.endedAt ?? '',
      row.breakGlass ? 'yes' : 'no',
      row.digest ?? '',
      row.missing.join('; '),
    ].map(inert),
  );
  return UTF8_BOM + stringify([[...CSV_COLUMNS], ...records], { record_delimiter: '\r\n', quoted_match: /^\s|\s$/ });
}

/** The rows as a JSON array, one object per request. */
export function toJson(rows: readonly ExportRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/**
 * A cell a spreadsheet shows as text: one starting with `=`, `+`, `-`, `@`, a tab or a carriage return would
 * be read as a formula (OWASP's CSV injection advice), so it is prefixed with a single quote.
 */
export function inert(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
