/**
 * A change feed for a DynamoDB API that has no streams (dynalite): an HTTP proxy in front of it that
 * sees every accepted write (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems),
 * reads each written item before and after (one write per item at a time, so the two reads are that
 * write's own), and emits DynamoDB Streams records as a table stream with NEW_IMAGE would: INSERT,
 * MODIFY or REMOVE, in order, with rising sequence numbers. A consumer gets them in batches as Lambda
 * hands a stream to a function: records that pass its filter, at least once; the records it reports
 * failed (`batchItemFailures`, or all on a throw) are delivered again, and after `maxAttempts` go to
 * the dead-letter list, as Lambda's on-failure destination would take them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { crc32 } from 'node:zlib';
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../lambdas/store/table';
import { type ForwardedAnswer, forwardRequest, sendAnswer, targetOperation } from './forward';

type Image = Record<string, AttributeValue>;

/** One record as DynamoDB Streams delivers it to Lambda (NEW_IMAGE view). */
export interface ChangeRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventSource: 'aws:dynamodb';
  readonly eventVersion: '1.1';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: Image;
    readonly NewImage?: Image;
    readonly SequenceNumber: string;
    readonly StreamViewType: 'NEW_IMAGE';
  };
}

/** A function's answer to a batch: the sequence numbers to deliver again. */
export interface BatchAnswer {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

/** How the feed delivers. */
export interface ChangeFeedOptions {
  /** The function the records go to. */
  readonly consume: (records: ChangeRecord[]) => Promise<BatchAnswer>;
  /** Which records it gets (Lambda's event filter); the others are passed over. @default all */
  readonly filter?: (record: ChangeRecord) => boolean;
  /**
   * Which items the feed watches, by key: writes to other items pass straight through, unread and
   * unrecorded (each watched write costs two reads). @default every item
   */
  readonly watch?: (key: Image) => boolean;
  /** Records per batch. @default 100 */
  readonly batchSize?: number;
  /** Deliveries of a record before it is dead-lettered. @default 10 */
  readonly maxAttempts?: number;
  /** Told of every record dead-lettered. @default nothing */
  readonly onDeadLetter?: (record: ChangeRecord) => void;
}

/** A running change feed. */
export interface ChangeFeed {
  /** `http://127.0.0.1:<port>`: the DynamoDB endpoint to give clients instead of the target's. */
  readonly url: string;
  /** Records the consumer gave up on, after `maxAttempts` deliveries. */
  readonly deadLetters: ChangeRecord[];
  /** Counts: records emitted, batches delivered, deliveries that failed in part or whole. */
  readonly counts: { emitted: number; batches: number; failedDeliveries: number };
  /** Resolves once every write seen so far is delivered or dead-lettered. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** Writes of one item that return its old image when asked (`ReturnValues: ALL_OLD`). */
const RETURNS_OLD = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** `answer` with another body, its checksum (which the SDK may verify) made for it. */
function withBody(answer: ForwardedAnswer, body: Buffer): ForwardedAnswer {
  const headers = { ...answer.headers };
  if (headers['x-amz-crc32'] !== undefined) headers['x-amz-crc32'] = String(crc32(body));
  return { ...answer, headers, body };
}

/** Starts the feed's proxy in front of `target` (a DynamoDB endpoint) on loopback. */
export async function startChangeFeed(target: string, options: ChangeFeedOptions): Promise<ChangeFeed> {
  const to = new URL(target);
  const reader = new DynamoDBClient({
    endpoint: target,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const batchSize = options.batchSize ?? 100;
  const maxAttempts = options.maxAttempts ?? 10;
  const queue: { record: ChangeRecord; attempts: number }[] = [];
  const deadLetters: ChangeRecord[] = [];
  const counts = { emitted: 0, batches: 0, failedDeliveries: 0 };
  const locks = new Map<string, Promise<void>>();
  let sequence = 0;
  let writing = 0;
  let pumping: Promise<void> | undefined;
  let closed = false;
  let idle: (() => void)[] = [];

  const settle = (): void => {
    if (writing > 0 || queue.length > 0 || pumping) return;
    for (const resolve of idle) resolve();
    idle = [];
  };

  const pump = async (): Promise<void> => {
    while (queue.length > 0 && !closed) {
      const taken = queue.splice(0, batchSize);
      const batch = taken.filter((t) => options.filter?.(t.record) ?? true);
      if (batch.length === 0) continue;
      counts.batches += 1;
      let failed: Set<string>;
      try {
        const answer = await options.consume(batch.map((t) => t.record));
        failed = new Set(answer.batchItemFailures.map((f) => f.itemIdentifier));
      } catch {
        failed = new Set(batch.map((t) => t.record.dynamodb.SequenceNumber));
      }
      if (failed.size === 0) continue;
      counts.failedDeliveries += 1;
      // As Lambda does for a stream: the batch is checkpointed before its first failure and the rest
      // delivered again. A record's tries count only its own failures, not the redeliveries it rode along on.
      const wholeBatch = failed.has('');
      const first = wholeBatch ? 0 : batch.findIndex((t) => failed.has(t.record.dynamodb.SequenceNumber));
      const again = batch.slice(Math.max(first, 0)).map((t) => {
        const own = wholeBatch || failed.has(t.record.dynamodb.SequenceNumber);
        return { ...t, attempts: own ? t.attempts + 1 : t.attempts };
      });
      for (const t of again.filter((a) => a.attempts >= maxAttempts)) {
        deadLetters.push(t.record);
        options.onDeadLetter?.(t.record);
      }
      queue.unshift(...again.filter((a) => a.attempts < maxAttempts));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const startPump = (): void => {
    if (pumping) return;
    pumping = pump().finally(() => {
      pumping = undefined;
      if (queue.length > 0 && !closed) startPump();
      settle();
    });
  };

  const read = async (tableName: string, key: Image): Promise<Image | undefined> =>
    (await reader.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  const exclusive = async <T>(ids: string[], work: () => Promise<T>): Promise<T> => {
    const befores = ids.map((id) => locks.get(id) ?? Promise.resolve());
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = Promise.all(befores).then(() => mine);
    for (const id of ids) locks.set(id, chained);
    await Promise.all(befores);
    try {
      return await work();
    } finally {
      release();
      for (const id of ids) if (locks.get(id) === chained) locks.delete(id);
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const operation = targetOperation(req);
      const parsed = WRITES.has(operation) ? parseBody(body) : {};
      const named = WRITES.has(operation) ? writtenKeys(operation, parsed) : [];
      const written = options.watch ? named.filter((w) => options.watch?.(w.key)) : named;
      let answered = false;
      const respond = (answer: ForwardedAnswer): void => {
        answered = true;
        sendAnswer(res, answer);
      };
      writing += 1;
      try {
        const ids = [...new Set(written.map((w) => `${w.table}|${JSON.stringify(w.key)}`))].sort();
        await exclusive(ids, async () => {
          const [only] = written;
          // One item written that DynamoDB can hand back as it was: the write is answered as soon as it is
          // made (a stream costs the writer nothing), and its new image is read before the next write to it.
          if (
            only &&
            written.length === 1 &&
            RETURNS_OLD.has(operation) &&
            (parsed.ReturnValues ?? 'NONE') === 'NONE'
          ) {
            const answer = await forwardRequest(
              to,
              req,
              Buffer.from(JSON.stringify({ ...parsed, ReturnValues: 'ALL_OLD' })),
            );
            if (answer.status !== 200) return respond(answer);
            const { Attributes: before, ...rest } = JSON.parse(answer.body.toString('utf8') || '{}') as {
              Attributes?: Image;
            };
            respond(withBody(answer, Buffer.from(JSON.stringify(rest))));
            emit(only.key, before, await read(only.table, only.key));
            return;
          }
          const before = await Promise.all(written.map((w) => read(w.table, w.key)));
          const answer = await forwardRequest(to, req, body);
          if (answer.status !== 200) return respond(answer);
          const after = await Promise.all(written.map((w) => read(w.table, w.key)));
          for (const [i, w] of written.entries()) emit(w.key, before[i], after[i]);
          respond(answer);
        });
      } catch {
        if (!answered) res.destroy();
      } finally {
        writing -= 1;
        startPump();
        settle();
      }
    });
  });

  const emit = (key: Image, before: Image | undefined, after: Image | undefined): void => {
    // A write that changed nothing makes no stream record, as in DynamoDB.
    if (isDeepStrictEqual(before, after)) return;
    const eventName = !after ? 'REMOVE' : before ? 'MODIFY' : 'INSERT';
    sequence += 1;
    const SequenceNumber = String(sequence).padStart(21, '0');
    counts.emitted += 1;
    queue.push({
      attempts: 0,
      record: {
        eventID: `local-${SequenceNumber}`,
        eventName,
        eventSource: 'aws:dynamodb',
        eventVersion: '1.1',
        awsRegion: 'local',
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: key,
          ...(after ? { NewImage: after } : {}),
          SequenceNumber,
          StreamViewType: 'NEW_IMAGE',
        },
      },
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deadLetters,
    counts,
    drain: () =>
      new Promise<void>((resolve) => {
        idle.push(resolve);
        settle();
      }),
    async close() {
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pumping;
      reader.destroy();
      for (const resolve of idle) resolve();
    },
  };
}

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

type Written = { table: string; key: Image };

/** The items a write names, by table and key (the product's table keys: TABLE.partitionKey and sortKey). */
function writtenKeys(operation: string, body: Record<string, unknown>): Written[] {
  const keyOf = (item: unknown): Image => {
    const image = (item ?? {}) as Image;
    const key: Image = {};
    for (const name of [TABLE.partitionKey, TABLE.sortKey]) if (image[name]) key[name] = image[name];
    return key;
  };
  const table = String(body.TableName ?? '');
  switch (operation) {
    case 'PutItem':
      return [{ table, key: keyOf(body.Item) }];
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ table, key: keyOf(body.Key) }];
    case 'BatchWriteItem':
      return Object.entries(
        (body.RequestItems ?? {}) as Record<string, Record<string, { Item?: unknown; Key?: unknown }>[]>,
      ).flatMap(([name, requests]) =>
        requests.map((r) => ({ table: name, key: keyOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key) })),
      );
    case 'TransactWriteItems':
      return ((body.TransactItems ?? []) as Record<string, { TableName?: string; Item?: unknown; Key?: unknown }>[])
        .flatMap((t) => [t.Put, t.Update, t.Delete].filter((w) => w !== undefined))
        .map((w) => ({ table: String(w.TableName ?? ''), key: keyOf(w.Item ?? w.Key) }));
    default:
      return [];
  }
}
