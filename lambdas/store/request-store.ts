/**
 * The requests table over the DynamoDB API. Every state change is one conditional write of one
 * item (DynamoDB Local stand-ins lack transactions, and one item is all a change needs): the
 * request item carries its own event history, and each event is also written as an append-only
 * audit item. A writer that loses a race re-reads, re-applies the domain rule, and either wins
 * on the fresh copy or reports the refusal; it never writes over someone else's change.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DomainError } from '../domain/errors';
import { type LifecycleEvent, transition } from '../domain/lifecycle';
import { type AccessRequest, isTerminal, RequestSchema, type Status } from '../domain/request';
import { ContentionError, CorruptItemError, DuplicateRequestError, RequestNotFoundError } from './errors';
import { TABLE } from './table';

/** One entry of a request's audit trail. */
export const AuditEventSchema = z.object({
  requestId: z.string(),
  seq: z.number().int().nonnegative(),
  at: z.string(),
  type: z.string(),
  actor: z.string().optional(),
  from: z.string().optional(),
  to: z.string(),
  detail: z.string().optional(),
});
/** One entry of a request's audit trail. */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** Which wait of the workflow a task token belongs to. */
export type TokenKind = 'approval' | 'end';

const StoreExtrasSchema = z.object({
  history: z.array(AuditEventSchema).default([]),
  tokens: z.object({ approval: z.string().optional(), end: z.string().optional() }).default({}),
});

/** A request as stored: the request plus the store's own attributes. */
export type StoredRequest = { request: AccessRequest } & z.infer<typeof StoreExtrasSchema>;

/** What a transition attempt came to. */
export type TransitionResult =
  | { readonly ok: true; readonly request: AccessRequest; readonly from: Status; readonly to: Status; readonly event: AuditEvent }
  | {
      readonly ok: false;
      /** The request as it is now (what the winner left). */
      readonly request: AccessRequest;
      /** Why this caller's event did not apply. */
      readonly error: DomainError;
      /** The last recorded event: who won, and what they did. */
      readonly lastEvent: AuditEvent | undefined;
    };

/** The grant lock key: at most one live grant per (cluster, SVM uuid, account, application). */
export interface GrantKey {
  readonly cluster: string;
  readonly svmUuid: string;
  readonly account: string;
  readonly application: string;
}

/** What taking the grant lock came to. */
export type LockResult = { readonly ok: true } | { readonly ok: false; readonly heldBy: string; readonly until: string };

/** Options of the store. */
export interface RequestStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** How long finished requests are kept, in seconds (DynamoDB TTL removes them after). */
  readonly retentionSeconds: number;
  /** Attempts at one conditional write under contention before giving up. @default 25 */
  readonly maxAttempts?: number;
}

const REQUEST_SK = 'REQUEST';
const LOCK_SK = 'LOCK';
const requestPk = (id: string): string => `REQ#${id}`;
const auditSk = (seq: number): string => `AUDIT#${String(seq).padStart(6, '0')}`;
const lockPk = (key: GrantKey): string =>
  `LOCK#${[key.cluster, key.svmUuid, key.account, key.application].map(encodeURIComponent).join('#')}`;

const LockItemSchema = z.object({ requestId: z.string(), until: z.string() });

/** The DynamoDB-backed store of requests, audit events and grant locks. */
export class RequestStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly maxAttempts: number;

  constructor(options: RequestStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.tableName = options.tableName;
    this.retentionSeconds = options.retentionSeconds;
    this.maxAttempts = options.maxAttempts ?? 25;
  }

  /** Records a new PENDING request; refuses an id that exists. */
  async create(request: AccessRequest, actor?: string): Promise<AccessRequest> {
    const parsed = RequestSchema.parse(request);
    const event: AuditEvent = {
      requestId: parsed.id,
      seq: 0,
      at: parsed.createdAt,
      type: 'REQUESTED',
      to: parsed.status,
      ...(actor !== undefined ? { actor } : {}),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.toItem({ request: parsed, history: [event], tokens: {} }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new DuplicateRequestError(parsed.id);
      throw error;
    }
    await this.putAudit(event);
    return parsed;
  }

  /** Reads a request with the store's attributes; throws if there is none. */
  async getStored(id: string): Promise<StoredRequest> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: requestPk(id), sk: REQUEST_SK }, ConsistentRead: true }),
    );
    if (!out.Item) throw new RequestNotFoundError(id);
    return this.fromItem(out.Item);
  }

  /** Reads a request; throws if there is none. */
  async get(id: string): Promise<AccessRequest> {
    return (await this.getStored(id)).request;
  }

  /**
   * Applies a lifecycle event with a conditional write. `authorize` runs on every fresh copy
   * before the domain transition (who may approve can depend on the current state); a refusal by
   * either is returned, not thrown, with the request as it stands and who last changed it.
   */
  async apply(id: string, event: LifecycleEvent, authorize?: (current: AccessRequest) => void): Promise<TransitionResult> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const stored = await this.getStored(id);
      const current = stored.request;
      let next: AccessRequest;
      try {
        authorize?.(current);
        next = transition(current, event).next;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return { ok: false, request: current, error, lastEvent: stored.history.at(-1) };
      }
      const audit = toAuditEvent(id, stored.history.length, event, current.status, next.status);
      const written = await this.replace(stored, { ...stored, request: next, history: [...stored.history, audit] });
      if (!written) continue;
      await this.putAudit(audit);
      return { ok: true, request: next, from: current.status, to: next.status, event: audit };
    }
    throw new ContentionError(id, this.maxAttempts);
  }

  /**
   * Changes store-only facts (task tokens, Slack message references, execution ARN) while the
   * request is in one of `expected`; returns false and writes nothing when it is not.
   */
  async update(
    id: string,
    expected: readonly Status[],
    change: (stored: StoredRequest) => StoredRequest,
  ): Promise<{ ok: boolean; stored: StoredRequest }> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const stored = await this.getStored(id);
      if (!expected.includes(stored.request.status)) return { ok: false, stored };
      const changed = change(stored);
      const next = { ...changed, request: RequestSchema.parse({ ...changed.request, version: stored.request.version + 1 }) };
      if (await this.replace(stored, next)) return { ok: true, stored: next };
    }
    throw new ContentionError(id, this.maxAttempts);
  }

  /** Keeps a workflow task token with the request (never in Slack). */
  async setToken(id: string, kind: TokenKind, token: string, expected: readonly Status[]): Promise<boolean> {
    const { ok } = await this.update(id, expected, (s) => ({ ...s, tokens: { ...s.tokens, [kind]: token } }));
    return ok;
  }

  /** The requests someone made, newest first. */
  async listByRequester(slackUserId: string, limit = 20): Promise<AccessRequest[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.byRequester.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.byRequester.partitionKey },
        ExpressionAttributeValues: { ':pk': `USER#${slackUserId}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => this.fromItem(item).request);
  }

  /**
   * Requests someone made that are still open (pending, or approved and not started), every page
   * read: what a per-person limit counts.
   */
  async listOpenByRequester(slackUserId: string): Promise<AccessRequest[]> {
    const out: AccessRequest[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.byRequester.indexName,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: '#status IN (:pending, :approved)',
          ExpressionAttributeNames: { '#pk': TABLE.byRequester.partitionKey, '#status': 'status' },
          ExpressionAttributeValues: { ':pk': `USER#${slackUserId}`, ':pending': 'PENDING', ':approved': 'APPROVED' },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      out.push(...(page.Items ?? []).map((item) => this.fromItem(item).request));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /** Live grants ending before `before` (ISO), soonest first: what a sweep must make sure ends. */
  async listActiveEndingBefore(before: string, limit = 100): Promise<AccessRequest[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.activeByEnd.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk < :before',
        ExpressionAttributeNames: { '#pk': TABLE.activeByEnd.partitionKey, '#sk': TABLE.activeByEnd.sortKey },
        ExpressionAttributeValues: { ':pk': 'LIVE', ':before': `${before}~` },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => this.fromItem(item).request);
  }

  /**
   * The audit trail, oldest first. Built from the audit items and the request's own history, so an
   * event whose audit item could not be written is still there (and is written now).
   */
  async auditTrail(id: string): Promise<AuditEvent[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': requestPk(id) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    const requestItem = items.find((i) => i.sk === REQUEST_SK);
    if (!requestItem) throw new RequestNotFoundError(id);
    const bySeq = new Map<number, AuditEvent>();
    for (const item of items.filter((i) => i.sk !== REQUEST_SK)) {
      const event = AuditEventSchema.parse(item);
      bySeq.set(event.seq, event);
    }
    for (const event of this.fromItem(requestItem).history) {
      if (!bySeq.has(event.seq)) {
        await this.putAudit(event);
        bySeq.set(event.seq, event);
      }
    }
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Takes the lock on a grant key for a request until `until`. Held by another request, it is
   * refused with the holder; taking it again for the same request succeeds (retries are safe).
   */
  async acquireGrantLock(key: GrantKey, requestId: string, until: string): Promise<LockResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: lockPk(key), sk: LOCK_SK, requestId, until, ...key },
          ConditionExpression: 'attribute_not_exists(pk) OR requestId = :me',
          ExpressionAttributeValues: { ':me': requestId },
        }),
      );
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const holder = await this.lockHolder(key);
      // The holder released it between our write and our read: try once more.
      if (!holder) return this.acquireGrantLock(key, requestId, until);
      return { ok: false, heldBy: holder.requestId, until: holder.until };
    }
  }

  /** Who holds the lock on a grant key, if anyone. */
  async lockHolder(key: GrantKey): Promise<{ requestId: string; until: string } | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: lockPk(key), sk: LOCK_SK }, ConsistentRead: true }),
    );
    return out.Item ? LockItemSchema.parse(out.Item) : undefined;
  }

  /** Releases a grant lock only if this request holds it; returns whether it did. */
  async releaseGrantLock(key: GrantKey, requestId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: lockPk(key), sk: LOCK_SK },
          ConditionExpression: 'requestId = :me',
          ExpressionAttributeValues: { ':me': requestId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Writes `next` only if the item is still at `previous`'s version; false when someone else got there first. */
  private async replace(previous: StoredRequest, next: StoredRequest): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.toItem(next),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': previous.request.version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async putAudit(event: AuditEvent): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: requestPk(event.requestId), sk: auditSk(event.seq), ...event, expiresAt: this.expiry(event.at) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Already written (a retry, or the trail repairing itself): append-only means never overwrite.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private expiry(from: string): number {
    return Math.floor(Date.parse(from) / 1000) + this.retentionSeconds;
  }

  private toItem(stored: StoredRequest): Record<string, unknown> {
    const { request } = stored;
    const live = request.status === 'ACTIVE' || request.status === 'REVOKE_FAILED';
    return {
      ...request,
      pk: requestPk(request.id),
      sk: REQUEST_SK,
      history: stored.history,
      tokens: stored.tokens,
      gsi1pk: `USER#${request.requester.slackUserId}`,
      gsi1sk: `${request.createdAt}#${request.id}`,
      ...(live ? { gsi2pk: 'LIVE', gsi2sk: `${request.window.end}#${request.id}` } : {}),
      // Only finished requests expire; a live one must never vanish under a grant.
      ...(isTerminal(request) ? { expiresAt: this.expiry(request.updatedAt) } : {}),
    };
  }

  private fromItem(item: Record<string, unknown>): StoredRequest {
    const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, expiresAt, history, tokens, ...rest } = item;
    const request = RequestSchema.safeParse(rest);
    const extras = StoreExtrasSchema.safeParse({ history, tokens });
    if (!request.success || !extras.success) {
      throw new CorruptItemError(`${String(pk)}/${String(sk)}`, { cause: request.error ?? extras.error });
    }
    return { request: request.data, ...extras.data };
  }
}

function toAuditEvent(requestId: string, seq: number, event: LifecycleEvent, from: Status, to: Status): AuditEvent {
  const detail = describe(event);
  return {
    requestId,
    seq,
    at: event.at,
    type: event.type,
    from,
    to,
    ...('by' in event ? { actor: event.by } : {}),
    ...(detail !== undefined ? { detail } : {}),
  };
}

function describe(event: LifecycleEvent): string | undefined {
  switch (event.type) {
    case 'DENY':
    case 'VALIDATION_FAILED':
    case 'REAUTHORIZATION_FAILED':
    case 'GRANT_FAILED':
    case 'REVOKE_FAILED':
      return event.reason;
    case 'GRANTED':
      return `${event.window.start} to ${event.window.end}`;
    case 'REVOKED':
      return event.alreadyGone ? 'entry was already gone from the cluster' : undefined;
    default:
      return undefined;
  }
}
