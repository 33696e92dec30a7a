/** What every part of the store shares: the document client, the table, its limits, paged reads, conditional writes. */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createLogger, createMetrics, type Logger, type Metrics } from '../runtime/logger';

/** The store's handle on the table, passed to each of its parts. */
export interface StoreContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** How long finished requests and audit items are kept, in seconds. */
  readonly retentionSeconds: number;
  /** Attempts at one conditional write under contention before giving up. */
  readonly maxAttempts: number;
  /** Where a failed audit write is logged. */
  readonly logger: Logger;
  /** Where a failed audit write is counted. */
  readonly metrics: Metrics;
}

/** Options of the store. */
export interface RequestStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** How long finished requests are kept, in seconds (DynamoDB TTL removes them after). */
  readonly retentionSeconds: number;
  /** Attempts at one conditional write under contention before giving up. @default 25 */
  readonly maxAttempts?: number;
  /** Where a failed audit write is logged. @default a logger of its own */
  readonly logger?: Logger;
  /** Where a failed audit write is counted. @default metrics of its own */
  readonly metrics?: Metrics;
}

/** The store's handle on the table described by `options`, with the defaults filled in. */
export function storeContext(options: RequestStoreOptions): StoreContext {
  return {
    doc: DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    }),
    tableName: options.tableName,
    retentionSeconds: options.retentionSeconds,
    maxAttempts: options.maxAttempts ?? 25,
    logger: options.logger ?? createLogger('ontap-jit-store'),
    metrics: options.metrics ?? createMetrics('ontap-jit-store'),
  };
}

/** A query of the store's table (or one of its indexes), without the table's name or where to start. */
export type StoreQuery = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** One page of a query. */
export interface QueryPage {
  readonly items: Record<string, unknown>[];
  /** Where the following page starts; absent on the last page. */
  readonly next?: Record<string, unknown>;
}

/** One page of what a query matches, from `startKey` (or the start), in the query's order. */
export async function queryPage(
  ctx: StoreContext,
  input: StoreQuery,
  startKey?: Record<string, unknown>,
): Promise<QueryPage> {
  const out = await ctx.doc.send(
    new QueryCommand({ ...input, TableName: ctx.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
  );
  return { items: out.Items ?? [], ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
}

/** Every item a query matches, every page read, in the query's order. */
export async function queryAll(ctx: StoreContext, input: StoreQuery): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryPage(ctx, input, startKey);
    items.push(...page.items);
    startKey = page.next;
  } while (startKey);
  return items;
}

/**
 * Sends one conditional write; false when its condition did not hold (someone else changed the item
 * first, or it is already there). Any other failure is thrown.
 */
export async function writeIf(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Whether a write that failed may have landed all the same. The AWS SDK marks what DynamoDB refused as
 * the caller's fault (`$fault: 'client'`: a failed condition, a throttle, an invalid request), and those
 * changed nothing; a server fault (5xx), a timeout or no answer at all (the connection lost after the
 * write was sent) may hide a write that was made.
 */
export function writeOutcomeUnknown(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof ConditionalCheckFailedException) return false;
  const sent = '$metadata' in error || 'code' in error || error.name === 'TimeoutError';
  return sent && (error as { $fault?: string }).$fault !== 'client';
}

/** A write of one item that applies only while `condition` holds: a put, an update or a delete. */
export type ConditionalWrite = {
  /** The condition expression the item must meet when the write lands. */
  readonly condition: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, unknown>;
} & (
  | { readonly put: Record<string, unknown> }
  | { readonly key: Record<string, unknown>; readonly update: string }
  | { readonly key: Record<string, unknown>; readonly remove: true }
);

/** Makes one conditional write to the table; false when its condition did not hold (see writeIf). */
export function conditionalWrite(ctx: StoreContext, write: ConditionalWrite): Promise<boolean> {
  const common = {
    TableName: ctx.tableName,
    ConditionExpression: write.condition,
    ...(write.names ? { ExpressionAttributeNames: write.names } : {}),
    ...(write.values ? { ExpressionAttributeValues: write.values } : {}),
  };
  return writeIf(() => {
    if ('put' in write) return ctx.doc.send(new PutCommand({ ...common, Item: write.put }));
    if ('update' in write)
      return ctx.doc.send(new UpdateCommand({ ...common, Key: write.key, UpdateExpression: write.update }));
    return ctx.doc.send(new DeleteCommand({ ...common, Key: write.key }));
  });
}

/** When an item written at `from` (ISO) expires: DynamoDB TTL, epoch seconds. */
export function expiryOf(ctx: StoreContext, from: string): number {
  return Math.floor(Date.parse(from) / 1000) + ctx.retentionSeconds;
}
