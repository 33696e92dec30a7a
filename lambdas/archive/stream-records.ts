/**
 * The table's stream as the archive writer sees it: the records Lambda hands it (DynamoDB Streams,
 * NEW_IMAGE), the filter that keeps only inserted audit items, and the audit event each record holds.
 * The CDK event source mapping and the local change feed apply the same filter pattern.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { type AuditEvent, AuditEventSchema } from '../store/items';
import { auditSk, requestPk, TABLE } from '../store/table';
import { UnreadableRecordError } from './errors';

/** The sort key prefix of audit items (lambdas/store/table.ts `auditSk`). */
export const AUDIT_SK_PREFIX = 'AUDIT#';

/**
 * The event filter pattern of the writer's event source mapping (Lambda event filtering syntax):
 * inserts of audit items only. Audit items are append-only, so a MODIFY or REMOVE of one is never
 * an event to archive (TTL's removal of an old item is exactly what the archive outlives).
 */
export const ARCHIVE_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { Keys: { [TABLE.sortKey]: { S: [{ prefix: AUDIT_SK_PREFIX }] } } },
} as const;

const ImageSchema = z.record(
  z.string(),
  z.custom<AttributeValue>((v) => typeof v === 'object' && v !== null),
);

/** One DynamoDB Streams record, the fields the writer reads. */
export const StreamRecordSchema = z.object({
  eventID: z.string().optional(),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    Keys: ImageSchema,
    NewImage: ImageSchema.optional(),
    SequenceNumber: z.string(),
  }),
});
/** One DynamoDB Streams record. */
export type StreamRecord = z.infer<typeof StreamRecordSchema>;

/** What Lambda passes the writer: a batch of stream records. */
export const StreamEventSchema = z.object({ Records: z.array(z.unknown()) });

/** Whether a record passes ARCHIVE_STREAM_FILTER (what Lambda's filter does before the writer is invoked). */
export function isArchivable(record: StreamRecord): boolean {
  const sk = record.dynamodb.Keys[TABLE.sortKey];
  return record.eventName === 'INSERT' && sk?.S !== undefined && sk.S.startsWith(AUDIT_SK_PREFIX);
}

/** The audit event a record's new image holds; throws UnreadableRecordError for anything else. */
export function auditEventOf(record: StreamRecord): AuditEvent {
  const sequence = record.dynamodb.SequenceNumber;
  if (!isArchivable(record)) throw new UnreadableRecordError(sequence, `a ${record.eventName} of a non-audit item`);
  if (!record.dynamodb.NewImage) throw new UnreadableRecordError(sequence, 'no new image (stream view type?)');
  const parsed = AuditEventSchema.safeParse(unmarshall(record.dynamodb.NewImage));
  if (!parsed.success) throw new UnreadableRecordError(sequence, parsed.error.message, { cause: parsed.error });
  // The archive's key derives from the event: an item whose body names another request or seq than its keys is refused.
  const { pk, sk } = record.dynamodb.Keys;
  if (pk?.S !== requestPk(parsed.data.requestId) || sk?.S !== auditSk(parsed.data.seq))
    throw new UnreadableRecordError(sequence, `its keys ${pk?.S}/${sk?.S} do not match its request id and seq`);
  return parsed.data;
}
