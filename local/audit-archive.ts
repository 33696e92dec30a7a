/**
 * The audit archive on one machine: the local S3 (s3rver behind its policy guard), the change feed in
 * front of the DynamoDB API, and the archive writer (the same handler the Lambda runs) consuming the
 * feed with the Lambda event filter's rule. Give the store `dynamoEndpoint` and every audit item it
 * inserts is archived, at least once, as the table's stream does it in AWS.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ARCHIVE_PREFIX } from '../lambdas/archive/layout';
import { archiveS3Client } from '../lambdas/archive/s3-client';
import { AUDIT_SK_PREFIX, isArchivable, StreamRecordSchema } from '../lambdas/archive/stream-records';
import type { ArchiveWriterDeps } from '../lambdas/archive/writer';
import { make } from '../lambdas/handlers/archive-writer';
import type { Logger, Metrics } from '../lambdas/runtime/logger';
import { TABLE } from '../lambdas/store/table';
import { type ChangeFeed, startChangeFeed } from './dynamodb-change-feed';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from './s3-server';

/** The archive bucket's name locally (AUDIT_ARCHIVE_BUCKET). */
export const LOCAL_ARCHIVE_BUCKET = 'ontap-jit-audit-archive';

/** A running local archive. */
export interface LocalArchive {
  /** The DynamoDB endpoint whose writes are archived (the change feed's proxy). */
  readonly dynamoEndpoint: string;
  /** The local S3 (S3_ENDPOINT is its `url`), with its fault hook and refusal counts. */
  readonly s3: LocalS3;
  readonly bucket: string;
  /** The change feed: its dead letters (the local dead-letter queue) and counts. */
  readonly feed: ChangeFeed;
  /** A client for the local S3, as a reader of the archive uses it. */
  readonly client: S3Client;
  /** Every archived object (key and body), or one request's; lists the whole archive. */
  objects(requestId?: string): Promise<{ key: string; body: string }[]>;
  close(): Promise<void>;
}

/** Starts the local S3 and a change feed in front of `dynamoEndpoint` feeding the archive writer. */
export async function startLocalArchive(options: {
  dynamoEndpoint: string;
  logger: Logger;
  metrics: Metrics;
  bucket?: string;
  /** Milliseconds an S3 call may take before the writer abandons and retries it. @default 5000 */
  s3TimeoutMs?: number;
}): Promise<LocalArchive> {
  const bucket = options.bucket ?? LOCAL_ARCHIVE_BUCKET;
  const s3 = await startLocalS3({ bucket });
  const client = archiveS3Client({
    region: 'local',
    endpoint: s3.url,
    credentials: LOCAL_S3_CREDENTIALS,
    requestTimeoutMs: options.s3TimeoutMs ?? 5000,
  });
  // Readers (tests, the sandbox) use a client of their own, with the SDK's patience rather than the writer's.
  const reader = archiveS3Client({ region: 'local', endpoint: s3.url, credentials: LOCAL_S3_CREDENTIALS });
  const logger = options.logger.createChild({ persistentKeys: { task: 'archive-writer' } });
  const deps: ArchiveWriterDeps = { s3: client, bucket, logger, metrics: options.metrics };
  const writer = make(() => deps);
  let feed: ChangeFeed;
  try {
    feed = await startChangeFeed(options.dynamoEndpoint, {
      consume: (records) => writer({ Records: records }),
      // Only audit items are archived: the other writes (requests, locks) are not read around.
      watch: (key) => key[TABLE.sortKey]?.S?.startsWith(AUDIT_SK_PREFIX) === true,
      // Lambda's event filter (ARCHIVE_STREAM_FILTER): inserts of audit items only.
      filter: (record) => {
        const parsed = StreamRecordSchema.safeParse(record);
        return parsed.success && isArchivable(parsed.data);
      },
      onDeadLetter: (record) =>
        logger.error('audit event dead-lettered', { sequenceNumber: record.dynamodb.SequenceNumber }),
    });
  } catch (error) {
    client.destroy();
    reader.destroy();
    await s3.close();
    throw error;
  }
  const objects = async (requestId?: string): Promise<{ key: string; body: string }[]> => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await reader.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: ARCHIVE_PREFIX, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const wanted = keys.filter((k) => requestId === undefined || k.includes(`/${requestId}/`));
    const read: { key: string; body: string }[] = [];
    // A few at a time: thousands of reads at once would keep s3rver past the client's timeout.
    for (let at = 0; at < wanted.length; at += 16) {
      const page = wanted.slice(at, at + 16).map(async (key) => {
        const object = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return { key, body: (await object.Body?.transformToString('utf8')) ?? '' };
      });
      read.push(...(await Promise.all(page)));
    }
    return read;
  };
  return {
    dynamoEndpoint: feed.url,
    s3,
    bucket,
    feed,
    client: reader,
    objects,
    async close() {
      await feed.close();
      client.destroy();
      reader.destroy();
      await s3.close();
    },
  };
}
