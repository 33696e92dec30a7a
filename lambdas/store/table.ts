/**
 * The one table's shape, used by the CDK table construct and by the local stack's DynamoDB
 * (local/dynamodb.ts `createTableInput`) to create it, so the two never drift.
 *
 *   request     pk REQ#<id>      sk REQUEST            + gsi1 (requester), + gsi2 while a grant is live,
 *                                                     + gsi4 (keys only) while it waits for approval
 *   audit event pk REQ#<id>      sk AUDIT#<seq, 6 digits>   append-only
 *   digest part pk REQ#<id>      sk DIGEST#<seq>#<part>     write-once: a digest's whole list (digests.ts)
 *   grant lock  pk LOCK#<key>    sk LOCK               one per live (cluster, SVM uuid, account, application)
 *   cursor      pk RECONCILER    sk CURSOR             where the reconciler's last pass stopped reading
 *
 * The needs-attention index is sparse: a request or lock is in it only while the reconciler owes it
 * something (a signal to re-send, a revoke or clean-up to retry, a lock to check), keyed on when.
 *
 * Every index write is billed by the size of the index entry, and a write that changes nothing an
 * index holds costs that index nothing. So each index projects only what its queries read: the two
 * request indexes the request's own attributes (not its history, task tokens or repair flags, which
 * make up most of the item), the needs-attention index a lock's attributes alone (the reconciler
 * reads a due request's item whole, and fresh, from the table).
 */
import { RequestSchema } from '../domain/request';

/** Every top-level attribute an access request can have, in any status: what a request query reads. */
export const REQUEST_ATTRIBUTES: readonly string[] = [
  ...new Set(RequestSchema.options.flatMap((variant) => Object.keys(variant.shape))),
];

/** The attributes of a grant lock the reconciler reads from the needs-attention index (items.ts schemas). */
export const LOCK_ATTRIBUTES = ['requestId', 'until', 'cluster', 'svmUuid', 'account', 'application'] as const;

/** Attribute names of the table's keys, indexes (with the non-key attributes each projects) and TTL. */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  byRequester: { indexName: 'by-requester', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projects: REQUEST_ATTRIBUTES },
  activeByEnd: { indexName: 'active-by-end', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projects: REQUEST_ATTRIBUTES },
  needsAttention: {
    indexName: 'needs-attention',
    partitionKey: 'gsi3pk',
    sortKey: 'gsi3sk',
    projects: LOCK_ATTRIBUTES as readonly string[],
  },
  /**
   * Requests waiting for approval, one partition per policy (`PENDING#<policy>`), sorted by
   * `<createdAt>#<requester>#<id>`: what an approver's Home lists. Keys only, so a pending request
   * costs an index write when it enters and when it leaves, not on every update while it waits.
   */
  pendingByPolicy: {
    indexName: 'pending-by-policy',
    partitionKey: 'gsi4pk',
    sortKey: 'gsi4sk',
    projects: [] as readonly string[],
  },
} as const;

/** What an index holds besides the keys, as CreateTable takes it: the attributes it projects, or keys only. */
export type IndexProjection =
  | { readonly ProjectionType: 'KEYS_ONLY' }
  | { readonly ProjectionType: 'INCLUDE'; readonly NonKeyAttributes: string[] };

/** The projection of an index: keys only when it projects no other attribute. */
export function projectionOf(index: (typeof INDEXES)[number]): IndexProjection {
  return index.projects.length === 0
    ? { ProjectionType: 'KEYS_ONLY' }
    : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projects] };
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
