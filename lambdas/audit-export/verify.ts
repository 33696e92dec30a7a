/**
 * Whether the archive holds the table's audit trail for a time range: every event compared by its key
 * (request id, sequence number), bodies compared as parsed events. The archive is write-once, so an
 * event missing from it or different in it means the table was changed after the event was archived,
 * the archive's copy was, or the writer is behind (a range ending a few minutes ago can show that).
 */
import { isDeepStrictEqual } from 'node:util';
import type { AuditEvent } from '../store/items';
import type { TimeRange, TrailSource } from './table-source';

/** One difference between the table's trail and the archive. */
export interface Finding {
  /** `missing`: in the table, not in the archive; `extra`: in the archive only; `different`: both, unequal. */
  readonly kind: 'missing' | 'extra' | 'different';
  readonly requestId: string;
  readonly seq: number;
  readonly table?: AuditEvent;
  readonly archive?: AuditEvent;
}

/** What a verification found, and how many events each side held. */
export interface Verification {
  readonly range: TimeRange;
  readonly tableEvents: number;
  readonly archiveEvents: number;
  readonly findings: readonly Finding[];
}

/** Compares the table's audit events in the range with the archive's, event by event. */
export async function verifyArchive(table: TrailSource, archive: TrailSource, range: TimeRange): Promise<Verification> {
  const [inTable, inArchive] = await Promise.all([table.events(range), archive.events(range)]);
  const archived = new Map(inArchive.map((e) => [keyOf(e), e]));
  const findings: Finding[] = [];
  for (const event of inTable) {
    const copy = archived.get(keyOf(event));
    archived.delete(keyOf(event));
    const where = { requestId: event.requestId, seq: event.seq };
    if (!copy) findings.push({ kind: 'missing', ...where, table: event });
    else if (!isDeepStrictEqual(event, copy))
      findings.push({ kind: 'different', ...where, table: event, archive: copy });
  }
  for (const copy of archived.values()) {
    findings.push({ kind: 'extra', requestId: copy.requestId, seq: copy.seq, archive: copy });
  }
  findings.sort((a, b) => a.requestId.localeCompare(b.requestId) || a.seq - b.seq);
  return { range, tableEvents: inTable.length, archiveEvents: inArchive.length, findings };
}

/** One line per finding, for a person reading the report. */
export function describeFinding(finding: Finding): string {
  const where = `${finding.requestId} #${finding.seq}`;
  switch (finding.kind) {
    case 'missing':
      return `not in the archive: ${where} ${finding.table?.type ?? ''} at ${finding.table?.at ?? ''}`;
    case 'extra':
      return `in the archive, not in the table (deleted from it?): ${where} ${finding.archive?.type ?? ''} at ${finding.archive?.at ?? ''}`;
    case 'different':
      return `different: ${where} table ${JSON.stringify(finding.table)} archive ${JSON.stringify(finding.archive)}`;
  }
}

function keyOf(event: Pick<AuditEvent, 'requestId' | 'seq'>): string {
  return `${event.requestId}#${event.seq}`;
}
