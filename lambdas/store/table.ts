/**
 * The one table's shape, used by the CDK table construct and by the local stack's DynamoDB
 * (local/dynamodb.ts `createTableInput`) to create it, so the two never drift.
 *
 *   request     pk REQ#<id>      sk REQUEST            + gsi1 (requester), + gsi2 while a grant is live,
 *                                                     + gsi4 (keys only) while it waits for approval
 *   audit event pk REQ#<id>      sk AUDIT#<seq, 6 digits>   append-only
 *   grant lock  pk LOCK#<key>    sk LOCK               one per live (cluster, SVM uuid, account, application)
 *   cursor      pk RECONCILER    sk CURSOR             where the reconciler's last pass stopped reading
 *
 * The needs-attention index is sparse: a request or lock is in it only while the reconciler owes it
 * something (a signal to re-send, a revoke or clean-up to retry, a lock to check), keyed on when.
 */

/** Attribute names of the table's keys, indexes and TTL. */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  byRequester: { indexName: 'by-requester', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  activeByEnd: { indexName: 'active-by-end', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  needsAttention: { indexName: 'needs-attention', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  /**
   * Requests waiting for approval, one partition per policy (`PENDING#<policy>`), sorted by
   * `<createdAt>#<requester>#<id>`: what an approver's Home lists. Keys only, so a pending request
   * costs an index write when it enters and when it leaves, not on every update while it waits.
   */
  pendingByPolicy: {
    indexName: 'pending-by-policy',
    partitionKey: 'gsi4pk',
    sortKey: 'gsi4sk',
    projection: 'KEYS_ONLY',
  },
} as const;

/** What an index holds besides the keys: every attribute, unless it says keys only. */
export type IndexProjection = 'ALL' | 'KEYS_ONLY';

/** The projection of an index. */
export function projectionOf(index: (typeof INDEXES)[number]): IndexProjection {
  return 'projection' in index ? index.projection : 'ALL';
}

/** The one partition value of the needs-attention index; its sort key is `<due ISO>#<item>`. */
export const ATTENTION_PK = 'DUE';

/** The global secondary indexes, in the order CreateTable and the CDK construct list them. */
export const INDEXES = [TABLE.byRequester, TABLE.activeByEnd, TABLE.needsAttention, TABLE.pendingByPolicy] as const;

/** The grant lock key: at most one live grant per (cluster, SVM uuid, account, application). */
export interface GrantKey {
  readonly cluster: string;
  readonly svmUuid: string;
  readonly account: string;
  readonly application: string;
}

/** Sort key of a request item. */
export const REQUEST_SK = 'REQUEST';
/** Sort key of a grant lock item. */
export const LOCK_SK = 'LOCK';
/** Partition key of a request's items. */
export const requestPk = (id: string): string => `REQ#${id}`;
/** Sort key of a request's audit item: the sequence number zero-padded, so the trail sorts in order. */
export const auditSk = (seq: number): string => `AUDIT#${String(seq).padStart(6, '0')}`;
/** Partition key of a grant lock. */
export const lockPk = (key: GrantKey): string =>
  `LOCK#${[key.cluster, key.svmUuid, key.account, key.application].map(encodeURIComponent).join('#')}`;
/** The pending-by-policy partition of a policy's requests. */
export const pendingPk = (policy: string): string => `PENDING#${policy}`;
/** Where a pending request sits in its policy's partition: its age, its requester and its id, readable from the keys. */
export const pendingSk = (createdAt: string, requester: string, id: string): string =>
  `${createdAt}#${requester}#${id}`;
/** Where a request sits in the needs-attention index. */
export const requestAttentionSk = (due: string, id: string): string => `${due}#REQ#${id}`;
/** Where a grant lock sits in the needs-attention index. */
export const lockAttentionSk = (due: string, key: GrantKey): string => `${due}#${lockPk(key)}`;
/** Key of the item holding where the reconciler's last pass stopped reading. */
export const CURSOR_KEY = { pk: 'RECONCILER', sk: 'CURSOR' } as const;
