/**
 * The local S3: @20minutes/s3rver (a real S3 REST API, objects on disk in a temporary folder) behind
 * a guard on loopback that enforces what the archive bucket's policy and Object Lock enforce in AWS,
 * since s3rver does not: a PutObject without `If-None-Match: *` is refused (403), a PutObject on a
 * key already taken fails its condition (412, checked and written under a per-key lock, so two racing
 * writers cannot both win), and nothing can delete, overwrite or re-configure objects (403). The
 * guard also injects faults for tests: a 500 before the write, or the write done and its answer
 * lost (the connection dropped) or never sent (the client's timeout ends the wait).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { forwardRequest, sendAnswer } from './forward';

/** The only keys s3rver accepts (it checks every request's SigV4 signature with them). */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** What a fault does to an S3 call. */
export type S3Fault = 'server-error' | 'lost-answer' | 'timeout';

/** Decides a call's fault from its method and object key; undefined lets it through. */
export type S3FaultChooser = (method: string, key: string) => S3Fault | undefined;

/** A running local S3. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>`: the guarded endpoint to give clients (path-style). */
  readonly url: string;
  /** The bucket created at start. */
  readonly bucket: string;
  /** The current fault chooser (none: every call is served). */
  chooser: S3FaultChooser | undefined;
  /** Faults injected so far, by `<fault> <method>`. */
  readonly injected: Map<string, number>;
  /** Calls the guard refused, by `<status> <method>` (403 policy, 412 key taken). */
  readonly refused: Map<string, number>;
  close(): Promise<void>;
}

const errorXml = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/** Starts s3rver and its guard on loopback with `bucket` created (port 0 = any free port). */
export async function startLocalS3(options: { bucket: string; port?: number }): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'ontap-jit-s3-'));
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    // s3rver signs a bucket's own path without the trailing slash the SDK sends (`/bucket/`), so every
    // listing would fail its check; the access key is still checked (only S3RVER's is known).
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: options.bucket }],
  });
  const upstream = await s3rver.run();
  const target = new URL(`http://127.0.0.1:${upstream.port}`);
  // The guard's own existence check is a request of its own, signed as s3rver requires.
  const checker = new S3Client({
    endpoint: target.origin,
    region: 'local',
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    maxAttempts: 1,
  });
  const exists = async (key: string): Promise<boolean> => {
    try {
      await checker.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof NotFound) return false;
      throw error;
    }
  };
  const injected = new Map<string, number>();
  const refused = new Map<string, number>();
  const state: { chooser: S3FaultChooser | undefined } = { chooser: undefined };
  const locks = new Map<string, Promise<void>>();
  const held = new Set<ServerResponse>();
  // The caller signed its request for the host it addressed (the guard's), so that host goes on to s3rver.
  const forward = (req: IncomingMessage, body: Buffer) => forwardRequest(target, req, body, { keepHost: true });

  const refuse = (res: ServerResponse, method: string, status: number, code: string, message: string): void => {
    refused.set(`${status} ${method}`, (refused.get(`${status} ${method}`) ?? 0) + 1);
    res.writeHead(status, { 'content-type': 'application/xml' }).end(errorXml(code, message));
  };

  /** Runs `work` alone for `key`: the existence check and the write of a conditional put are one step. */
  const exclusive = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const before = locks.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = before.then(() => mine);
    locks.set(key, chained);
    await before;
    try {
      return await work();
    } finally {
      release();
      if (locks.get(key) === chained) locks.delete(key);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://local');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (method === 'GET' || method === 'HEAD') return sendAnswer(res, await forward(req, body), method === 'HEAD');
    // What the bucket policy and Object Lock refuse: deletes, sub-resources (retention, tagging, ACLs,
    // multipart), and any put that is not a create-only put of an object.
    // (The SDK names the operation in `x-id`; any other parameter is a sub-resource.)
    const subresource = [...url.searchParams.keys()].some((name) => name !== 'x-id');
    if (method !== 'PUT' || !key || subresource || bucket !== options.bucket)
      return refuse(res, method, 403, 'AccessDenied', 'Access Denied');
    if (req.headers['if-none-match'] !== '*')
      return refuse(res, method, 403, 'AccessDenied', 'Access Denied: PutObject requires If-None-Match: *');
    const fault = state.chooser?.(method, key);
    if (fault) injected.set(`${fault} ${method}`, (injected.get(`${fault} ${method}`) ?? 0) + 1);
    if (fault === 'server-error')
      return void res.writeHead(500, { 'content-type': 'application/xml' }).end(errorXml('InternalError', 'Injected'));
    const answer = await exclusive(key, async () => ((await exists(key)) ? undefined : forward(req, body)));
    if (!answer)
      return refuse(
        res,
        method,
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
      );
    if (fault === 'lost-answer') return void res.destroy();
    // Written, and the answer never comes: the client gives up after its own timeout.
    if (fault === 'timeout') return void held.add(res);
    sendAnswer(res, answer);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bucket: options.bucket,
    get chooser() {
      return state.chooser;
    },
    set chooser(chooser) {
      state.chooser = chooser;
    },
    injected,
    refused,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      checker.destroy();
      await s3rver.close().catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
