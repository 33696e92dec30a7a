/**
 * What the reconciler reads: the sparse needs-attention index (requests and grant locks it owes a
 * repair, keyed on when), the cursor where its last pass stopped, and the snooze after a failed repair.
 */
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { conditionalWrite, queryPage, type StoreContext } from './context';
import { DueItemsUnreadError } from './errors';
import { dueBefore } from './index-queries';
import { fromItem, GrantKeySchema, LockItemSchema, type StoredRequest } from './items';
import {
  ATTENTION_PK,
  CURSOR_KEY,
  type GrantKey,
  LOCK_SK,
  REQUEST_SK,
  requestAttentionSk,
  requestPk,
  TABLE,
} from './table';

/** Something the reconciler owes a repair: a request, a grant lock, or an item it cannot read. */
export type DueItem =
  | { readonly kind: 'request'; readonly stored: StoredRequest }
  | { readonly kind: 'lock'; readonly key: GrantKey; readonly requestId: string; readonly until: string }
  | { readonly kind: 'corrupt'; readonly key: string };

/** One page of the needs-attention index. */
export interface DuePage {
  readonly items: readonly DueItem[];
  readonly next?: Record<string, unknown>;
}

/**
 * One page of what is due for the reconciler at `now` (ISO), soonest first, from `startKey`: request
 * items and grant locks. `next` is where the following page starts, if there is one. The index holds
 * a lock whole but only a request's keys: the page's due requests are read from the table in one
 * consistent batch, so the reconciler works on their current copies (a request gone meanwhile is left out).
 */
export async function listDue(
  ctx: StoreContext,
  now: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<DuePage> {
  const page = await queryPage(ctx, { ...dueBefore(TABLE.needsAttention, ATTENTION_PK, now), Limit: limit }, startKey);
  const requests = await readRequests(
    ctx,
    page.items.filter((entry) => entry.sk === REQUEST_SK).map((entry) => String(entry.pk)),
  );
  const items = page.items.map((entry) => (entry.sk === REQUEST_SK ? requests.get(String(entry.pk)) : entry));
  return { ...page, items: items.filter((item) => item !== undefined).map(toRequestOrLock) };
}

/** BatchGetItem takes at most this many keys a call. */
const BATCH_GET_LIMIT = 100;
/** Calls one batch may take while DynamoDB hands back keys it did not read (throttled), before giving up. */
const BATCH_GET_ATTEMPTS = 5;

/** The request items under `pks`, read consistently, by partition key; a request not there is absent. */
async function readRequests(ctx: StoreContext, pks: string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < pks.length; i += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = pks.slice(i, i + BATCH_GET_LIMIT).map((pk) => ({ pk, sk: REQUEST_SK }));
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > BATCH_GET_ATTEMPTS) throw new DueItemsUnreadError(keys.length);
      const out = await ctx.doc.send(
        new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[ctx.tableName] ?? []) found.set(String(item.pk), item);
      keys = out.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
    }
  }
  return found;
}

function toRequestOrLock(item: Record<string, unknown>): DueItem {
  if (item.sk === LOCK_SK) {
    const lock = LockItemSchema.safeParse(item);
    const key = GrantKeySchema.safeParse(item);
    return lock.success && key.success
      ? { kind: 'lock', ...lock.data, key: key.data }
      : { kind: 'corrupt', key: String(item.pk) };
  }
  try {
    return { kind: 'request', stored: fromItem(item) };
  } catch {
    return { kind: 'corrupt', key: String(item.pk) };
  }
}

/** Where the reconciler's last pass stopped reading the needs-attention index (undefined: at its start). */
export async function reconcilerCursor(ctx: StoreContext): Promise<Record<string, unknown> | undefined> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: CURSOR_KEY, ConsistentRead: true }));
  const cursor = z.object({ startKey: z.record(z.string(), z.unknown()) }).safeParse(out.Item);
  return cursor.success ? cursor.data.startKey : undefined;
}

/** Keeps (or, with undefined, forgets) where the next reconciler pass starts reading. */
export async function setReconcilerCursor(
  ctx: StoreContext,
  startKey: Record<string, unknown> | undefined,
): Promise<void> {
  if (startKey) await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: { ...CURSOR_KEY, startKey } }));
  else await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: CURSOR_KEY }));
}

/**
 * Files a request under a later due time after a repair that must be tried again, unless it
 * changed since `version` was read (then its new state decides). Returns whether it did.
 */
export function snoozeRequest(
  ctx: StoreContext,
  id: string,
  version: number,
  repair: { attempts: number; nextAt: string },
): Promise<boolean> {
  return conditionalWrite(ctx, {
    key: { pk: requestPk(id), sk: REQUEST_SK },
    update: 'SET #repair = :repair, #gpk = :gpk, #gsk = :gsk',
    condition: 'version = :v',
    names: { '#repair': 'repair', '#gpk': TABLE.needsAttention.partitionKey, '#gsk': TABLE.needsAttention.sortKey },
    values: { ':repair': repair, ':gpk': ATTENTION_PK, ':gsk': requestAttentionSk(repair.nextAt, id), ':v': version },
  });
}
