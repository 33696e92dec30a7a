/**
 * Grant locks: at most one live grant per (cluster, SVM uuid, account, application). A lock item is
 * taken with a conditional put, released only by its holder, and sits in the needs-attention index
 * so the reconciler finds one that outlives its grant.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, type StoreContext } from './context';
import { LockItemSchema, lockAttention } from './items';
import { type GrantKey, LOCK_SK, lockAttentionSk, lockPk, TABLE } from './table';

/** What taking the grant lock came to. */
export type LockResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly heldBy: string; readonly until: string };

/**
 * Takes the lock on a grant key for a request until `until`. Held by another request, it is
 * refused with the holder; taking it again for the same request succeeds (retries are safe).
 */
export async function acquireGrantLock(
  ctx: StoreContext,
  key: GrantKey,
  requestId: string,
  until: string,
): Promise<LockResult> {
  const taken = await conditionalWrite(ctx, {
    put: { ...lockKey(key), requestId, until, ...key, ...lockAttention(key, until) },
    condition: 'attribute_not_exists(pk) OR requestId = :me',
    values: { ':me': requestId },
  });
  if (taken) return { ok: true };
  const holder = await lockHolder(ctx, key);
  // The holder released it between our write and our read: try once more.
  if (!holder) return acquireGrantLock(ctx, key, requestId, until);
  return { ok: false, heldBy: holder.requestId, until: holder.until };
}

/** Who holds the lock on a grant key, if anyone. */
export async function lockHolder(
  ctx: StoreContext,
  key: GrantKey,
): Promise<{ requestId: string; until: string } | undefined> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: lockKey(key), ConsistentRead: true }));
  return out.Item ? LockItemSchema.parse(out.Item) : undefined;
}

/** Releases a grant lock only if this request holds it; returns whether it did. */
export function releaseGrantLock(ctx: StoreContext, key: GrantKey, requestId: string): Promise<boolean> {
  return conditionalWrite(ctx, { key: lockKey(key), remove: true, ...whileHeldBy(requestId) });
}

/** Files a grant lock under a later check time, while `requestId` still holds it; returns whether it did. */
export function snoozeLock(ctx: StoreContext, key: GrantKey, requestId: string, nextAt: string): Promise<boolean> {
  const held = whileHeldBy(requestId);
  return conditionalWrite(ctx, {
    key: lockKey(key),
    update: 'SET #gsk = :gsk',
    condition: held.condition,
    names: { '#gsk': TABLE.needsAttention.sortKey },
    values: { ...held.values, ':gsk': lockAttentionSk(nextAt, key) },
  });
}

/** The key of the lock item of a grant key. */
function lockKey(key: GrantKey): { pk: string; sk: string } {
  return { pk: lockPk(key), sk: LOCK_SK };
}

/** The condition that makes a write to a lock apply only while `requestId` holds it. */
function whileHeldBy(requestId: string): { condition: string; values: Record<string, unknown> } {
  return { condition: 'requestId = :me', values: { ':me': requestId } };
}
