/**
 * The archive source against a real S3 API (s3rver on loopback, as the local stack runs it): the trails and
 * events it reads are the ones written under the archive's layout, and --verify finds an altered copy there.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { archiveBodyOf, archiveKeyOf } from '../../lambdas/archive/layout';
import { ArchiveSource } from '../../lambdas/audit-export/archive-source';
import { useDynamo } from '../support/dynamo';
import { audit, lifecycle, NOW, REVOKED_STEPS, tableSource } from './support';

// s3rver has no type definitions: only the two calls used here are typed.
const S3rver = require('@20minutes/s3rver') as new (
  options: Record<string, unknown>,
) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const ctx = useDynamo();
const BUCKET = 'audit-archive';
let server: InstanceType<typeof S3rver>;
let s3: S3Client;

beforeAll(async () => {
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: await mkdtemp(join(tmpdir(), 'jit-export-s3-')),
    vhostBuckets: false,
    // s3rver signs a bucket's own path without the trailing slash the SDK sends; the key is still checked.
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

it('reads the same rows from the archive in S3 as from the table, and --verify finds a copy altered there', async () => {
  const { store, dynamo } = ctx();
  const table = tableSource(dynamo);
  // Over two days: the trail of the second request continues on the next day.
  await lifecycle(store, '2026-11-20T09:00:00Z', REVOKED_STEPS);
  const late = await lifecycle(store, '2026-11-21T23:50:00Z', REVOKED_STEPS);
  const range = { since: '2026-11-01T00:00:00Z', until: NOW };
  for (const event of await table.events(range)) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: archiveKeyOf(event), Body: archiveBodyOf(event) }));
  }
  const archive = new ArchiveSource({ s3, bucket: BUCKET, now: () => NOW });
  const json = ['--since', '2026-11-01', '--format', 'json'];
  const fromTable = await audit(json, { table, archive });
  const fromArchive = await audit([...json, '--from-archive'], { table, archive });
  expect(fromArchive.code).toBe(0);
  expect(JSON.parse(fromArchive.out)).toEqual(JSON.parse(fromTable.out));
  expect(JSON.parse(fromArchive.out)).toHaveLength(2);
  expect((await audit(['--verify', '--since', '2026-11-01'], { table, archive })).code).toBe(0);

  const [, approve] = await store.auditTrail(late.id);
  if (!approve) throw new Error('no APPROVE event');
  const forged = `${JSON.stringify({ ...approve, actor: 'U0MALLORY' })}\n`;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: archiveKeyOf(approve), Body: forged }));
  const verified = await audit(['--verify', '--since', '2026-11-01'], { table, archive });
  expect(verified.code).toBe(1);
  expect(verified.out).toMatch(new RegExp(`^different: ${late.id} #1 .*U0MALLORY`));
});
