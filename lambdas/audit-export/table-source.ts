/**
 * The export's view of the requests table. An operator's export is rare, so it scans the table with a
 * filter rather than keep an index on every request for it: one Scan reads every item once (billed by
 * size, eventually consistent: half a read unit per 4 KB scanned, filtered-out items included), paged,
 * and bounded by `maxItemsRead`. What a source hands out is the same for the table and the archive.
 */
import { type DynamoDBDocumentClient, ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { requestFacts } from '../store/audit-trail';
import { type AuditEvent, AuditEventSchema, fromItem } from '../store/items';
import { REQUEST_SK } from '../store/table';
import { ExportTooLargeError } from './errors';
import type { RequestTrail } from './rows';

/** A time range [since, until), ISO instants. */
export interface TimeRange {
  readonly since: string;
  readonly until: string;
}

/** Where an export reads trails and events from: the table or the archive. */
export interface TrailSource {
  /** The trails of the requests made in the range, whole (events after `until` included). */
  trails(range: TimeRange): Promise<RequestTrail[]>;
  /** Every audit event that happened in the range, as the source keeps it. */
  events(range: TimeRange): Promise<AuditEvent[]>;
}

/** Options of the table source. */
export interface TableSourceOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Items a Scan may read before the export is refused as too large. @default 2,000,000 */
  readonly maxItemsRead?: number;
  /** Items per Scan page. @default 1000 */
  readonly pageSize?: number;
}

/** The trails and events of the requests table. */
export class TableSource implements TrailSource {
  constructor(private readonly options: TableSourceOptions) {}

  /** Request items made in the range and the audit items at or after `since`, in one Scan. */
  async trails(range: TimeRange): Promise<RequestTrail[]> {
    const items = await this.scan({
      FilterExpression:
        '(sk = :request AND createdAt >= :since AND createdAt < :until) OR (begins_with(sk, :audit) AND #at >= :since)',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':request': REQUEST_SK, ':audit': 'AUDIT#', ...bounds(range) },
    });
    const audit = new Map<string, AuditEvent[]>();
    for (const item of items.filter((i) => i.sk !== REQUEST_SK)) {
      const event = AuditEventSchema.parse(item);
      audit.set(event.requestId, [...(audit.get(event.requestId) ?? []), event]);
    }
    return items
      .filter((i) => i.sk === REQUEST_SK)
      .map((item) => {
        const { request, history } = fromItem(item);
        // The request's own history is the truth; an event kept only as an audit item is added to it.
        const bySeq = new Map(history.map((e) => [e.seq, e]));
        for (const event of audit.get(request.id) ?? []) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
        return {
          requestId: request.id,
          events: [...bySeq.values()].sort((a, b) => a.seq - b.seq),
          asked: requestFacts(request),
        };
      });
  }

  /** The audit items whose event happened in the range: what the archive should hold for it. */
  async events(range: TimeRange): Promise<AuditEvent[]> {
    const items = await this.scan({
      FilterExpression: 'begins_with(sk, :audit) AND #at >= :since AND #at < :until',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':audit': 'AUDIT#', ...bounds(range) },
    });
    return items.map((item) => AuditEventSchema.parse(item));
  }

  private async scan(input: Omit<ScanCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const { doc, tableName, maxItemsRead = 2_000_000, pageSize = 1000 } = this.options;
    const items: Record<string, unknown>[] = [];
    let read = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({ ...input, TableName: tableName, Limit: pageSize, ExclusiveStartKey: startKey }),
      );
      read += page.ScannedCount ?? 0;
      if (read > maxItemsRead) throw new ExportTooLargeError('table items', maxItemsRead);
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

function bounds(range: TimeRange): Record<string, string> {
  return { ':since': range.since, ':until': range.until };
}
