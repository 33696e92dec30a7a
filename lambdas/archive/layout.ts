/**
 * Where and how the audit archive keeps each event, shared by the writer (from the table's stream) and
 * every reader (the export, `--verify`). One object per audit event, a single JSON line, under a key
 * derived from the event alone, so a redelivered event lands on the same key and is never a second copy:
 *
 *   audit/date=YYYY-MM-DD/<request id>/<seq, 6 digits>.json
 *
 * `date` is the UTC day of the event's `at`: Athena prunes on it (partition projection, see the README's
 * archive section), and a time-range read lists only the days it needs.
 */
import { type AuditEvent, AuditEventSchema } from '../store/items';

/** The prefix every archived audit event lives under. */
export const ARCHIVE_PREFIX = 'audit/';

const KEY = /^audit\/date=(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9-]{8,80})\/(\d{6})\.json$/;

/** The object key of one audit event. */
export function archiveKeyOf(event: Pick<AuditEvent, 'requestId' | 'seq' | 'at'>): string {
  return `${dayPrefix(event.at.slice(0, 10))}${event.requestId}/${String(event.seq).padStart(6, '0')}.json`;
}

/** The prefix of one UTC day's events (`YYYY-MM-DD`). */
export function dayPrefix(day: string): string {
  return `${ARCHIVE_PREFIX}date=${day}/`;
}

/** The request id, sequence number and day a key names, or undefined for a key outside the layout. */
export function parseArchiveKey(key: string): { requestId: string; seq: number; day: string } | undefined {
  const match = KEY.exec(key);
  if (!match) return undefined;
  const [, day, requestId, seq] = match as unknown as [string, string, string, string];
  return { requestId, seq: Number(seq), day };
}

/** The object body of one audit event: the event's own attributes as one JSON line (no table keys, no TTL). */
export function archiveBodyOf(event: AuditEvent): string {
  return `${JSON.stringify(AuditEventSchema.parse(event))}\n`;
}

/** The audit event an archived object holds; throws when the body is not one. */
export function parseArchiveBody(body: string): AuditEvent {
  return AuditEventSchema.parse(JSON.parse(body));
}
