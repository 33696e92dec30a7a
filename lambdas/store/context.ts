/** What every part of the store shares: the document client, the table, its limits, paged reads, conditional writes. */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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

/** Every item a query matches, every page read, in the query's order. */
export async function queryAll(
  ctx: StoreContext,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(
      new QueryCommand({ ...input, TableName: ctx.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
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

/** When an item written at `from` (ISO) expires: DynamoDB TTL, epoch seconds. */
export function expiryOf(ctx: StoreContext, from: string): number {
  return Math.floor(Date.parse(from) / 1000) + ctx.retentionSeconds;
}
