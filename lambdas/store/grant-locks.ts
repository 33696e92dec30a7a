/**
 * Grant locks: at most one live grant per (cluster, SVM uuid, account, application). A lock item is
 * taken with a conditional put, released only by its holder, and sits in the needs-attention index
 * so the reconciler finds one that outlives its grant.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type StoreContext, writeIf } from './context';
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
  const taken = await writeIf(() =>
    ctx.doc.send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: { pk: lockPk(key), sk: LOCK_SK, requestId, until, ...key, ...lockAttention(key, until) },
        ConditionExpression: 'attribute_not_exists(pk) OR requestId = :me',
        ExpressionAttributeValues: { ':me': requestId },
      }),
    ),
  );
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
  const out = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tableName, Key: { pk: lockPk(key), sk: LOCK_SK }, ConsistentRead: true }),
  );
  return out.Item ? LockItemSchema.parse(out.Item) : undefined;
}

/** Releases a grant lock only if this request holds it; returns whether it did. */
export function releaseGrantLock(ctx: StoreContext, key: GrantKey, requestId: string): Promise<boolean> {
  return writeIf(() =>
    ctx.doc.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: { pk: lockPk(key), sk: LOCK_SK },
        ConditionExpression: 'requestId = :me',
        ExpressionAttributeValues: { ':me': requestId },
      }),
    ),
  );
}

/** Files a grant lock under a later check time, while `requestId` still holds it; returns whether it did. */
export function snoozeLock(ctx: StoreContext, key: GrantKey, requestId: string, nextAt: string): Promise<boolean> {
  return writeIf(() =>
    ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: lockPk(key), sk: LOCK_SK },
        UpdateExpression: 'SET #gsk = :gsk',
        ConditionExpression: 'requestId = :me',
        ExpressionAttributeNames: { '#gsk': TABLE.needsAttention.sortKey },
        ExpressionAttributeValues: { ':gsk': lockAttentionSk(nextAt, key), ':me': requestId },
      }),
    ),
  );
}
