/**
 * The archive writer: copies each audit event of a batch of stream records to the archive bucket,
 * one object per event under the key the event itself gives (layout.ts), with `If-None-Match: *` so
 * an object already there is never replaced. Delivery from the stream is at least once, so a key
 * already taken is the normal case of a redelivery: the archived body is read back and compared.
 * The same event is "already archived"; a different one is a conflict, logged and counted (its
 * alarm rings), and the archived object is kept: the archive is the record nobody can rewrite.
 */
import { isDeepStrictEqual } from 'node:util';
import { GetObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { countMetric, describeError, type Logger, type Metrics } from '../runtime/logger';
import type { AuditEvent } from '../store/items';
import { ArchiveConflictError } from './errors';
import { archiveBodyOf, archiveKeyOf, parseArchiveBody } from './layout';
import { ARCHIVE_METRICS } from './metrics';
import { auditEventOf, isArchivable, StreamRecordSchema } from './stream-records';

/** What the writer works with. */
export interface ArchiveWriterDeps {
  readonly s3: S3Client;
  /** The archive bucket (AUDIT_ARCHIVE_BUCKET). */
  readonly bucket: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** What became of one event. */
export type ArchiveOutcome = 'archived' | 'already-archived' | 'conflict';

/** What became of a batch: the sequence numbers to deliver again, and a count per outcome. */
export interface BatchResult {
  /** Sequence numbers of the records not archived (Lambda's `batchItemFailures` identifiers). */
  readonly failures: string[];
  readonly counts: Readonly<Record<ArchiveOutcome | 'failed' | 'skipped', number>>;
}

/** Puts in flight at once: a batch of 100 at once would make each put wait on the others past its timeout. */
const WRITES_AT_ONCE = 10;

/** Archives every audit event of `records` (a few side by side); the ones that failed are reported, not thrown. */
export async function archiveBatch(deps: ArchiveWriterDeps, records: readonly unknown[]): Promise<BatchResult> {
  const counts = { archived: 0, 'already-archived': 0, conflict: 0, failed: 0, skipped: 0 };
  const failures: string[] = [];
  await inParallel(records, WRITES_AT_ONCE, async (raw) => {
    const parsed = StreamRecordSchema.safeParse(raw);
    if (!parsed.success) {
      // Without a sequence number the record cannot be named: an empty identifier fails the whole batch.
      deps.logger.error('stream record unreadable', { problem: parsed.error.message });
      counts.failed += 1;
      failures.push(sequenceOf(raw));
      return;
    }
    const record = parsed.data;
    if (!isArchivable(record)) {
      counts.skipped += 1;
      return;
    }
    const sequenceNumber = record.dynamodb.SequenceNumber;
    try {
      const outcome = await archiveEvent(deps, auditEventOf(record));
      counts[outcome] += 1;
    } catch (error) {
      deps.logger.warn('audit event not archived; delivered again', { sequenceNumber, ...describeError(error) });
      counts.failed += 1;
      failures.push(sequenceNumber);
    }
  });
  countMetric(deps.metrics, ARCHIVE_METRICS.archived, counts.archived);
  countMetric(deps.metrics, ARCHIVE_METRICS.alreadyArchived, counts['already-archived']);
  countMetric(deps.metrics, ARCHIVE_METRICS.conflicts, counts.conflict);
  countMetric(deps.metrics, ARCHIVE_METRICS.failed, counts.failed);
  return { failures, counts };
}

/** Writes one event's object unless its key is taken; a taken key is compared with the event. */
export async function archiveEvent(deps: ArchiveWriterDeps, event: AuditEvent): Promise<ArchiveOutcome> {
  const key = archiveKeyOf(event);
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        Body: archiveBodyOf(event),
        ContentType: 'application/json',
        IfNoneMatch: '*',
      }),
    );
    return 'archived';
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
  }
  const archived = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
  const text = (await archived.Body?.transformToString('utf8')) ?? '';
  // Compared as events, not as text: the same event is the same record whatever the key order of its line.
  if (sameEvent(text, event)) return 'already-archived';
  const conflict = new ArchiveConflictError(key);
  deps.logger.error('archive conflict: a different event under an archived key; the archived one is kept', {
    key,
    requestId: event.requestId,
    seq: event.seq,
    ...describeError(conflict),
  });
  return 'conflict';
}

function sameEvent(text: string, event: AuditEvent): boolean {
  try {
    return isDeepStrictEqual(parseArchiveBody(text), parseArchiveBody(archiveBodyOf(event)));
  } catch {
    return false;
  }
}

/** S3's answer to a conditional write whose condition failed: the key is already taken. */
function isPreconditionFailed(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'PreconditionFailed' || error.$metadata.httpStatusCode === 412)
  );
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

function sequenceOf(raw: unknown): string {
  const dynamodb = typeof raw === 'object' && raw !== null ? (raw as { dynamodb?: unknown }).dynamodb : undefined;
  const sequence = typeof dynamodb === 'object' && dynamodb !== null ? (dynamodb as Record<string, unknown>) : {};
  return typeof sequence.SequenceNumber === 'string' ? sequence.SequenceNumber : '';
}
