/**
 * The requests table over the DynamoDB API. Every state change is one conditional write of one
 * item (DynamoDB Local stand-ins lack transactions, and one item is all a change needs): the
 * request item carries its own event history, and each event is also written as an append-only
 * audit item. A writer that loses a race re-reads, re-applies the domain rule, and either wins
 * on the fresh copy or reports the refusal; it never writes over someone else's change.
 *
 * The request item is the truth: a transition's outcome never depends on its audit item. An audit
 * item that could not be written is logged, counted, and the request flagged for the reconciler,
 * which writes it (lambdas/workflow/reconcile.ts).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { attentionOf, OVERDUE_GRACE_SECONDS } from '../domain/attention';
import { parseInstant, toUtcSecond } from '../domain/durations';
import { DomainError } from '../domain/errors';
import { type LifecycleEvent, transition } from '../domain/lifecycle';
import { type AccessRequest, isTerminal, RequestSchema, type Status, STATUSES } from '../domain/request';
import { describeError, Logger } from '../runtime/logger';
import { AUDIT_WRITE_FAILED_METRIC } from '../runtime/metrics';
import { ContentionError, CorruptItemError, DuplicateRequestError, RequestNotFoundError } from './errors';
import { ATTENTION_PK, TABLE } from './table';

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
  /** The reconciler tried and will try again: not before `nextAt`. Cleared by every transition. */
  repair: z.object({ attempts: z.number().int().nonnegative(), nextAt: z.string() }).optional(),
  /** An audit item of this request could not be written; the reconciler writes it. */
  auditRepair: z.boolean().optional(),
  /** A Slack update of this request was lost; the reconciler brings its messages up to date. */
  notifyRepair: z.boolean().optional(),
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
  /** Where a failed audit write is logged and counted. @default JSON lines on stdout */
  readonly logger?: Logger;
}

/** Sort key of a request item. */
export const REQUEST_SK = 'REQUEST';
/** Sort key of a grant lock item. */
export const LOCK_SK = 'LOCK';
/** Partition key of a request's items. */
export const requestPk = (id: string): string => `REQ#${id}`;
const auditSk = (seq: number): string => `AUDIT#${String(seq).padStart(6, '0')}`;
/** Partition key of a grant lock. */
export const lockPk = (key: GrantKey): string =>
  `LOCK#${[key.cluster, key.svmUuid, key.account, key.application].map(encodeURIComponent).join('#')}`;
/** Where a request sits in the needs-attention index. */
export const requestAttentionSk = (due: string, id: string): string => `${due}#REQ#${id}`;
/** Where a grant lock sits in the needs-attention index. */
export const lockAttentionSk = (due: string, key: GrantKey): string => `${due}#${lockPk(key)}`;

const LockItemSchema = z.object({ requestId: z.string(), until: z.string() });
const DueLockSchema = LockItemSchema;
const GrantKeySchema = z.object({
  cluster: z.string(),
  svmUuid: z.string(),
  account: z.string(),
  application: z.string(),
});
const CURSOR_KEY = { pk: 'RECONCILER', sk: 'CURSOR' } as const;

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

/** The DynamoDB-backed store of requests, audit events and grant locks. */
export class RequestStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly maxAttempts: number;
  private readonly logger: Logger;

  constructor(options: RequestStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.tableName = options.tableName;
    this.retentionSeconds = options.retentionSeconds;
    this.maxAttempts = options.maxAttempts ?? 25;
    this.logger = options.logger ?? new Logger({ service: 'ontap-jit-store' });
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
    await this.audit(event);
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
      const { repair: _done, ...rest } = stored;
      const written = await this.replace(stored, { ...rest, request: next, history: [...stored.history, audit] });
      if (!written) continue;
      await this.audit(audit);
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
    return (await this.readTrail(id)).trail;
  }

  private async writeMissingAudit(id: string): Promise<number> {
    return (await this.readTrail(id)).written;
  }

  private async readTrail(id: string): Promise<{ trail: AuditEvent[]; written: number }> {
    let written = 0;
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
        written += 1;
      }
    }
    return { trail: [...bySeq.values()].sort((a, b) => a.seq - b.seq), written };
  }

  /** Marks a request whose Slack messages may show an older state, for the reconciler. */
  async flagNotify(id: string): Promise<void> {
    await this.update(id, STATUSES, (s) => ({ ...s, notifyRepair: true }));
  }

  /** Writes the missing audit items of a request and clears its flag; the number written. */
  async repairAudit(id: string): Promise<number> {
    const written = await this.writeMissingAudit(id);
    const stored = await this.getStored(id);
    if (stored.auditRepair) await this.update(id, STATUSES, (s) => ({ ...s, auditRepair: false }));
    return written;
  }

  /**
   * Files a request under a later due time after a repair that must be tried again, unless it
   * changed since `version` was read (then its new state decides). Returns whether it did.
   */
  async snooze(id: string, version: number, repair: { attempts: number; nextAt: string }): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: requestPk(id), sk: REQUEST_SK },
          UpdateExpression: 'SET #repair = :repair, #gpk = :gpk, #gsk = :gsk',
          ConditionExpression: 'version = :v',
          ExpressionAttributeNames: {
            '#repair': 'repair',
            '#gpk': TABLE.needsAttention.partitionKey,
            '#gsk': TABLE.needsAttention.sortKey,
          },
          ExpressionAttributeValues: {
            ':repair': repair,
            ':gpk': ATTENTION_PK,
            ':gsk': requestAttentionSk(repair.nextAt, id),
            ':v': version,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * One page of what is due for the reconciler at `now` (ISO), soonest first, from `startKey`: request
   * items and grant locks. `next` is where the following page starts, if there is one.
   */
  async listDue(now: string, limit: number, startKey?: Record<string, unknown>): Promise<DuePage> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.needsAttention.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk < :before',
        ExpressionAttributeNames: { '#pk': TABLE.needsAttention.partitionKey, '#sk': TABLE.needsAttention.sortKey },
        ExpressionAttributeValues: { ':pk': ATTENTION_PK, ':before': `${now}~` },
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items: DueItem[] = [];
    for (const item of out.Items ?? []) {
      if (item.sk === LOCK_SK) {
        const lock = DueLockSchema.safeParse(item);
        const key = GrantKeySchema.safeParse(item);
        items.push(
          lock.success && key.success
            ? { kind: 'lock', ...lock.data, key: key.data }
            : { kind: 'corrupt', key: String(item.pk) },
        );
        continue;
      }
      try {
        items.push({ kind: 'request', stored: this.fromItem(item) });
      } catch {
        items.push({ kind: 'corrupt', key: String(item.pk) });
      }
    }
    return { items, ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
  }

  /** Where the reconciler's last pass stopped reading the needs-attention index (undefined: at its start). */
  async reconcilerCursor(): Promise<Record<string, unknown> | undefined> {
    const read = new GetCommand({ TableName: this.tableName, Key: CURSOR_KEY, ConsistentRead: true });
    const out = await this.doc.send(read);
    const cursor = z.object({ startKey: z.record(z.string(), z.unknown()) }).safeParse(out.Item);
    return cursor.success ? cursor.data.startKey : undefined;
  }

  /** Keeps (or, with undefined, forgets) where the next reconciler pass starts reading. */
  async setReconcilerCursor(startKey: Record<string, unknown> | undefined): Promise<void> {
    if (startKey) await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...CURSOR_KEY, startKey } }));
    else await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: CURSOR_KEY }));
  }

  /** Files a grant lock under a later check time, while `requestId` still holds it. */
  async snoozeLock(key: GrantKey, requestId: string, nextAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: lockPk(key), sk: LOCK_SK },
          UpdateExpression: 'SET #gsk = :gsk',
          ConditionExpression: 'requestId = :me',
          ExpressionAttributeNames: { '#gsk': TABLE.needsAttention.sortKey },
          ExpressionAttributeValues: { ':gsk': lockAttentionSk(nextAt, key), ':me': requestId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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
          // Due for a check one grace period after `until`: a lock that outlives its grant is found then.
          Item: { pk: lockPk(key), sk: LOCK_SK, requestId, until, ...key, ...lockAttention(key, until) },
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

  /**
   * Writes an event's audit item after its transition is recorded. A failure never undoes or fails
   * the transition: it is logged, counted, and the request flagged so the reconciler writes it.
   */
  private async audit(event: AuditEvent): Promise<void> {
    try {
      await this.putAudit(event);
      return;
    } catch (error) {
      const { requestId, seq } = event;
      this.logger.error('audit item not written; the reconciler writes it', { requestId, seq, ...describeError(error) });
      this.logger.metric(AUDIT_WRITE_FAILED_METRIC, 1);
    }
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await this.update(event.requestId, STATUSES, (s) => ({ ...s, auditRepair: true }));
        return;
      } catch (error) {
        // Left unflagged, the gap is still written when the trail is read or the request next needs repair.
        const requestId = event.requestId;
        if (attempt === 3) this.logger.error('audit repair not flagged', { requestId, ...describeError(error) });
      }
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
      ...(stored.repair ? { repair: stored.repair } : {}),
      ...(stored.auditRepair ? { auditRepair: true } : {}),
      ...(stored.notifyRepair ? { notifyRepair: true } : {}),
      gsi1pk: `USER#${request.requester.slackUserId}`,
      gsi1sk: `${request.createdAt}#${request.id}`,
      ...(live ? { gsi2pk: 'LIVE', gsi2sk: `${request.window.end}#${request.id}` } : {}),
      ...requestAttention(stored),
      // Only finished requests expire; a live one must never vanish under a grant.
      ...(isTerminal(request) ? { expiresAt: this.expiry(request.updatedAt) } : {}),
    };
  }

  /** A request item read elsewhere (the needs-attention index), validated as the store's own reads are. */
  parse(item: Record<string, unknown>): StoredRequest {
    return this.fromItem(item);
  }

  private fromItem(item: Record<string, unknown>): StoredRequest {
    const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, expiresAt, history, tokens, repair, auditRepair, notifyRepair, ...rest } = item;
    const request = RequestSchema.safeParse(rest);
    const extras = StoreExtrasSchema.safeParse({ history, tokens, repair, auditRepair, notifyRepair });
    if (!request.success || !extras.success) {
      throw new CorruptItemError(`${String(pk)}/${String(sk)}`, { cause: request.error ?? extras.error });
    }
    return { request: request.data, ...extras.data };
  }
}

/** The needs-attention index attributes of a request item: when the reconciler should look at it, if ever. */
function requestAttention(stored: StoredRequest): Record<string, string> {
  const owed = attentionOf(stored.request)?.due;
  const audit = stored.auditRepair || stored.notifyRepair ? stored.request.updatedAt : undefined;
  let due = [owed, audit].filter((d): d is string => d !== undefined).sort()[0];
  if (due === undefined) return {};
  if (stored.repair && stored.repair.nextAt > due && owed !== undefined) due = stored.repair.nextAt;
  return { gsi3pk: ATTENTION_PK, gsi3sk: requestAttentionSk(due, stored.request.id) };
}

function lockAttention(key: GrantKey, until: string): Record<string, string> {
  const due = toUtcSecond(parseInstant(until).plus({ seconds: OVERDUE_GRACE_SECONDS }));
  return { gsi3pk: ATTENTION_PK, gsi3sk: lockAttentionSk(due, key) };
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
