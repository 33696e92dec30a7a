/**
 * The archive writer's environment and S3 client, read once:
 *
 *   AUDIT_ARCHIVE_BUCKET   the archive bucket (required)
 *   S3_ENDPOINT            another S3 API (the local one); absent in AWS, where the regional endpoint is used
 *   AWS_REGION             set by Lambda
 */
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { EnvironmentError } from '../runtime/errors';

const ArchiveEnvSchema = z.object({
  AUDIT_ARCHIVE_BUCKET: z.string().min(3),
  S3_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});
/** The archive writer's validated environment. */
export type ArchiveEnv = z.infer<typeof ArchiveEnvSchema>;

/** Reads and validates the archive writer's variables; throws EnvironmentError naming the variable. */
export function readArchiveEnv(env: NodeJS.ProcessEnv = process.env): ArchiveEnv {
  const parsed = ArchiveEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new EnvironmentError(String(issue?.path[0] ?? 'AUDIT_ARCHIVE_BUCKET'), issue?.message ?? 'is invalid');
}

/**
 * An S3 client for the archive: the regional endpoint in AWS, or `endpoint` (path-style, as local S3
 * APIs serve it). Checksums only where S3 requires them: the local S3 API does not read the streaming
 * trailers newer SDKs send by default.
 */
export function archiveS3Client(options: {
  region: string;
  endpoint?: string;
  /** Keys the local S3 API accepts; absent, the default chain (the function's role in AWS). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Milliseconds one attempt may take before it is abandoned and tried again. @default 5000 */
  requestTimeoutMs?: number;
}): S3Client {
  return new S3Client({
    region: options.region,
    maxAttempts: 3,
    // A write whose answer never comes is tried again: the conditional put makes the second try safe.
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 5000, throwOnRequestTimeout: true },
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
}
