/**
 * The archive writer (DynamoDB Streams event source, inserts of audit items only): copies each audit
 * event to the archive bucket and reports the records that failed by sequence number, so Lambda
 * delivers those again (ReportBatchItemFailures), then to the dead-letter queue.
 */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import type { Context, DynamoDBBatchResponse } from 'aws-lambda';
import { archiveS3Client, readArchiveEnv } from '../archive/s3-client';
import { StreamEventSchema } from '../archive/stream-records';
import { type ArchiveWriterDeps, archiveBatch } from '../archive/writer';
import { createLogger, createMetrics, publishMetrics } from '../runtime/logger';

/** The writer over the dependencies `deps()` gives. */
export const make =
  (deps: () => ArchiveWriterDeps) =>
  async (event: unknown, context?: Context): Promise<DynamoDBBatchResponse> => {
    const d = deps();
    if (context) d.logger.addContext(context);
    // An event that is not a batch at all is a wiring error: thrown, so the whole batch is retried and seen.
    const { Records } = StreamEventSchema.parse(event);
    try {
      const { failures } = await archiveBatch(d, Records);
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    } finally {
      publishMetrics(d.metrics);
    }
  };

let built: ArchiveWriterDeps | undefined;
/** The writer's dependencies from the environment, built once per container. */
export function depsFromEnvironment(): ArchiveWriterDeps {
  if (built) return built;
  const env = readArchiveEnv();
  built = {
    s3: archiveS3Client({ region: env.AWS_REGION, ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}) }),
    bucket: env.AUDIT_ARCHIVE_BUCKET,
    logger: createLogger('ontap-jit-archive'),
    metrics: createMetrics('ontap-jit-archive'),
  };
  return built;
}

/** Lambda entry point. */
export const handler = make(depsFromEnvironment);
