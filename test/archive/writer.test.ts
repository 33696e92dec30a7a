/**
 * The archive writer against the local S3 API server (s3rver behind the bucket-policy guard), fed
 * stream records as Lambda hands them: a redelivered batch writes nothing twice, a different body
 * under an archived key is refused, kept and counted, failures are reported per record, and what is
 * not an audit insert is passed over or reported, never archived.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { archiveBodyOf, archiveKeyOf } from '../../lambdas/archive/layout';
import { ARCHIVE_METRICS } from '../../lambdas/archive/metrics';
import { archiveS3Client } from '../../lambdas/archive/s3-client';
import type { ArchiveWriterDeps } from '../../lambdas/archive/writer';
import { make } from '../../lambdas/handlers/archive-writer';
import type { AuditEvent } from '../../lambdas/store/items';
import { auditSk, requestPk } from '../../lambdas/store/table';
import { sinkLogger, sinkMetrics } from '../../local/local-logger';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '../../local/s3-server';

let s3: LocalS3;
let deps: ArchiveWriterDeps;
let lines: string[] = [];
const BUCKET = 'archive-writer-test';

beforeAll(async () => {
  s3 = await startLocalS3({ bucket: BUCKET });
  deps = {
    s3: archiveS3Client({
      region: 'local',
      endpoint: s3.url,
      credentials: LOCAL_S3_CREDENTIALS,
      requestTimeoutMs: 5000,
    }),
    bucket: BUCKET,
    logger: sinkLogger((l) => lines.push(l), 'archive-test', 'debug'),
    metrics: sinkMetrics((l) => lines.push(l), 'archive-test'),
  };
});
afterAll(async () => {
  deps.s3.destroy();
  await s3.close();
});
beforeEach(() => {
  lines = [];
  s3.chooser = undefined;
  s3.refused.clear();
});

const writer = make(() => deps);
let sequence = 0;

function event(requestId: string, seq: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    requestId,
    seq,
    at: '2026-11-30T23:59:59Z',
    type: 'APPROVED',
    actor: 'U0BOB',
    from: 'PENDING',
    to: 'APPROVED',
    ...overrides,
  };
}

/** A stream record of the audit item `e` inserted, as DynamoDB Streams gives it (NEW_IMAGE). */
function insert(e: AuditEvent, eventName: 'INSERT' | 'MODIFY' = 'INSERT'): Record<string, unknown> {
  sequence += 1;
  const keys = { pk: requestPk(e.requestId), sk: auditSk(e.seq) };
  return {
    eventID: `e${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall(keys),
      NewImage: marshall({ ...keys, ...e, expiresAt: 1_900_000_000 }),
      SequenceNumber: String(sequence).padStart(21, '0'),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

async function body(key: string): Promise<string> {
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await object.Body?.transformToString('utf8')) ?? '';
}

function metric(name: string): number {
  return lines
    .filter((l) => l.includes('"_aws"'))
    .reduce((sum, l) => sum + (Number((JSON.parse(l) as Record<string, unknown>)[name]) || 0), 0);
}

test('archives each audit event under its key, with its body (no table keys, no TTL)', async () => {
  const e = event('REQ-writer-1', 3);
  const answer = await writer({ Records: [insert(e)] });
  expect(answer).toEqual({ batchItemFailures: [] });
  expect(archiveKeyOf(e)).toBe('audit/date=2026-11-30/REQ-writer-1/000003.json');
  expect(await body(archiveKeyOf(e))).toBe(archiveBodyOf(e));
  expect(await body(archiveKeyOf(e))).not.toContain('expiresAt');
  expect(metric(ARCHIVE_METRICS.archived)).toBe(1);
});

test('a redelivered batch writes nothing twice: every key is already taken, with the same event', async () => {
  const events = [event('REQ-writer-2', 0, { type: 'REQUESTED', to: 'PENDING' }), event('REQ-writer-2', 1)];
  const records = events.map((e) => insert(e));
  await writer({ Records: records });
  lines = [];
  const again = await writer({ Records: records });
  expect(again).toEqual({ batchItemFailures: [] });
  expect(metric(ARCHIVE_METRICS.archived)).toBe(0);
  expect(metric(ARCHIVE_METRICS.alreadyArchived)).toBe(2);
  expect(s3.refused.get('412 PUT')).toBe(2);
  for (const e of events) expect(await body(archiveKeyOf(e))).toBe(archiveBodyOf(e));
});

test('a different event under an archived key is refused, logged, counted, and the archived one kept', async () => {
  const original = event('REQ-writer-3', 2);
  await writer({ Records: [insert(original)] });
  lines = [];
  const altered = { ...original, actor: 'U0MALLORY' };
  const answer = await writer({ Records: [insert(altered)] });
  // Not retried: no delivery can make it right, and the alarm on the conflict metric tells someone.
  expect(answer).toEqual({ batchItemFailures: [] });
  expect(metric(ARCHIVE_METRICS.conflicts)).toBe(1);
  expect(lines.some((l) => l.includes('ArchiveConflictError') && l.includes(archiveKeyOf(original)))).toBe(true);
  expect(await body(archiveKeyOf(original))).toBe(archiveBodyOf(original));
});

test('a put failing past the client retries is reported by sequence number; the others archived', async () => {
  const failing = event('REQ-writer-4', 1);
  const fine = event('REQ-writer-4', 2);
  s3.chooser = (_method, key) => (key === archiveKeyOf(failing) ? 'server-error' : undefined);
  const records = [insert(failing), insert(fine)];
  const answer = await writer({ Records: records });
  const failed = (records[0] as { dynamodb: { SequenceNumber: string } }).dynamodb.SequenceNumber;
  expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: failed }] });
  expect(await body(archiveKeyOf(fine))).toBe(archiveBodyOf(fine));
  expect(metric(ARCHIVE_METRICS.failed)).toBe(1);
  // Delivered again once S3 answers: archived.
  s3.chooser = undefined;
  expect(await writer({ Records: [records[0]] })).toEqual({ batchItemFailures: [] });
  expect(await body(archiveKeyOf(failing))).toBe(archiveBodyOf(failing));
});

test('a write whose answer is lost is tried again and found archived, not written twice', async () => {
  const e = event('REQ-writer-5', 4);
  let first = true;
  s3.chooser = () => {
    if (!first) return undefined;
    first = false;
    return 'lost-answer';
  };
  expect(await writer({ Records: [insert(e)] })).toEqual({ batchItemFailures: [] });
  expect(s3.injected.get('lost-answer PUT')).toBeGreaterThan(0);
  expect(metric(ARCHIVE_METRICS.alreadyArchived)).toBe(1);
  expect(await body(archiveKeyOf(e))).toBe(archiveBodyOf(e));
});

test('non-audit records are passed over; a malformed audit insert is reported, never archived', async () => {
  const modified = insert(event('REQ-writer-6', 1), 'MODIFY');
  const wrongKeys = insert(event('REQ-writer-6', 2));
  (wrongKeys.dynamodb as { Keys: unknown }).Keys = marshall({ pk: requestPk('REQ-other-666'), sk: auditSk(2) });
  const noImage = insert(event('REQ-writer-6', 3));
  delete (noImage.dynamodb as { NewImage?: unknown }).NewImage;
  const answer = await writer({ Records: [modified, wrongKeys, noImage] });
  const sequenceOf = (r: Record<string, unknown>) => (r.dynamodb as { SequenceNumber: string }).SequenceNumber;
  expect(answer.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
    [sequenceOf(wrongKeys), sequenceOf(noImage)].sort(),
  );
  expect(metric(ARCHIVE_METRICS.archived)).toBe(0);
  expect(lines.some((l) => l.includes('UnreadableRecordError'))).toBe(true);
});

test('the local S3 enforces the bucket policy: no put without If-None-Match, no delete', async () => {
  const key = 'audit/date=2026-11-30/REQ-writer-7/000001.json';
  await expect(deps.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }))).rejects.toMatchObject({
    $metadata: { httpStatusCode: 403 },
  });
  await deps.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'first', IfNoneMatch: '*' }));
  await expect(
    deps.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'second', IfNoneMatch: '*' })),
  ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  await expect(deps.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({
    $metadata: { httpStatusCode: 403 },
  });
  expect(await body(key)).toBe('first');
});
