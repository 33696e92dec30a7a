/**
 * Drift records: one item per drifted JIT entry or JIT setting of a cluster, so each drift is
 * reported once however many passes see it, a report that could not be posted is posted by the next
 * pass, and the record goes when the drift does. A cluster's records share one partition, read with
 * one query per scan. A setting's item also keeps the value first seen, what later values are compared with.
 *
 *   drift record   pk DRIFT#<cluster>   sk ENTRY#<owner uuid>#<account>#<application> | SETTINGS#<owner uuid>
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { MessageRefSchema } from '../domain/request';
import { conditionalWrite, queryAll, type StoreContext } from './context';
import { CorruptItemError } from './errors';

/** A drift as recorded: what, where, since when, and how far its report and removal went. */
export const DriftRecordSchema = z.object({
  cluster: z.string().min(1),
  /** `ENTRY#…` or `SETTINGS#…` (driftKey). */
  key: z.string().min(1),
  kind: z.enum(['foreign', 'finished', 'settings']).optional(),
  ownerUuid: z.string(),
  ownerName: z.string().optional(),
  account: z.string().optional(),
  role: z.string().optional(),
  comment: z.string().optional(),
  /** The request the entry's comment names, if any. */
  requestId: z.string().optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  jitState: z.string().optional(),
  /** Settings: the maximum first seen (the value compared with), and the one that drifted from it. */
  baseline: z.string().optional(),
  max: z.string().optional(),
  /** Settings: the longest window the cluster's policies grant, seconds. */
  allowedSeconds: z.number().int().nonnegative().optional(),
  /** The first pass that saw the drift. */
  since: z.string().optional(),
  /** A pass took the report on at this time; another pass leaves it alone until the claim is stale. */
  claimedAt: z.string().optional(),
  reportedAt: z.string().optional(),
  report: MessageRefSchema.optional(),
  removedAt: z.string().optional(),
});
/** A drift as recorded. */
export type DriftRecord = z.infer<typeof DriftRecordSchema>;

/** Partition of a cluster's drift records. */
const driftPk = (cluster: string): string => `DRIFT#${encodeURIComponent(cluster)}`;

/** The record key of a JIT entry's drift. */
export function entryDriftKey(entry: { ownerUuid: string; account: string; application: string }): string {
  const parts = [entry.ownerUuid.toLowerCase(), entry.account, entry.application].map(encodeURIComponent);
  return `ENTRY#${parts.join('#')}`;
}

/** The record key of an owner's JIT settings. */
export function settingsDriftKey(ownerUuid: string): string {
  return `SETTINGS#${encodeURIComponent(ownerUuid.toLowerCase())}`;
}

function toItem(record: DriftRecord): Record<string, unknown> {
  return { ...record, pk: driftPk(record.cluster), sk: record.key };
}

/** Every drift record of a cluster, by key. */
export async function listDriftRecords(ctx: StoreContext, cluster: string): Promise<Map<string, DriftRecord>> {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': driftPk(cluster) },
    ConsistentRead: true,
  });
  const records = new Map<string, DriftRecord>();
  for (const item of items) {
    const { pk: _pk, sk: _sk, ...rest } = item;
    const parsed = DriftRecordSchema.safeParse(rest);
    if (!parsed.success) throw new CorruptItemError(`${String(item.pk)}/${String(item.sk)}`, { cause: parsed.error });
    records.set(parsed.data.key, parsed.data);
  }
  return records;
}

/** Records a drift first seen now; false (nothing written) when a record of it exists already. */
export function recordNewDrift(ctx: StoreContext, record: DriftRecord): Promise<boolean> {
  return conditionalWrite(ctx, { put: toItem(record), condition: 'attribute_not_exists(pk)' });
}

/**
 * A setting's drift, recorded over its record (which keeps the value compared with); false when the
 * record already holds a drift (a doubled pass).
 */
export function recordSettingsDrift(ctx: StoreContext, record: DriftRecord): Promise<boolean> {
  return conditionalWrite(ctx, {
    put: toItem(record),
    condition: 'attribute_not_exists(pk) OR attribute_not_exists(#kind)',
    names: { '#kind': 'kind' },
  });
}

/**
 * Takes on a drift's report before posting it: false when it is reported already, or another pass
 * claimed it after `staleBefore` (its post may be on the way). A claim older than that was a pass
 * that failed or died before its post was recorded, so the report is tried again.
 */
export function claimDriftReport(
  ctx: StoreContext,
  cluster: string,
  key: string,
  at: string,
  staleBefore: string,
): Promise<boolean> {
  return conditionalWrite(ctx, {
    key: { pk: driftPk(cluster), sk: key },
    update: 'SET #claimedAt = :at',
    condition:
      'attribute_exists(pk) AND attribute_not_exists(#reportedAt) AND ' +
      '(attribute_not_exists(#claimedAt) OR #claimedAt < :stale)',
    names: { '#claimedAt': 'claimedAt', '#reportedAt': 'reportedAt' },
    values: { ':at': at, ':stale': staleBefore },
  });
}

/**
 * Marks a drift's report as posted, once: false when it was marked already (a doubled pass), so the
 * caller knows its post was the second.
 */
export function markDriftReported(
  ctx: StoreContext,
  cluster: string,
  key: string,
  report: z.infer<typeof MessageRefSchema>,
  at: string,
): Promise<boolean> {
  return conditionalWrite(ctx, {
    key: { pk: driftPk(cluster), sk: key },
    update: 'SET #reportedAt = :at, #report = :report',
    condition: 'attribute_exists(pk) AND attribute_not_exists(#reportedAt)',
    names: { '#reportedAt': 'reportedAt', '#report': 'report' },
    values: { ':at': at, ':report': report },
  });
}

/** Marks a drifted entry as removed from the cluster. */
export function markDriftRemoved(ctx: StoreContext, cluster: string, key: string, at: string): Promise<boolean> {
  return conditionalWrite(ctx, {
    key: { pk: driftPk(cluster), sk: key },
    update: 'SET #removedAt = :at',
    condition: 'attribute_exists(pk)',
    names: { '#removedAt': 'removedAt' },
    values: { ':at': at },
  });
}

/** Writes a record whole (a setting's new value to compare with, or its drift). */
export async function putDriftRecord(ctx: StoreContext, record: DriftRecord): Promise<void> {
  await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: toItem(record) }));
}

/** Forgets a drift that is gone. */
export async function clearDrift(ctx: StoreContext, cluster: string, key: string): Promise<void> {
  await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: { pk: driftPk(cluster), sk: key } }));
}
