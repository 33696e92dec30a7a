/**
 * The requests table over the DynamoDB API. Every state change is one conditional write of one
 * item (DynamoDB Local stand-ins lack transactions, and one item is all a change needs): the
 * request item carries its own event history, and each event is also written as an append-only
 * audit item. A writer that loses a race re-reads, re-applies the domain rule, and either wins
 * on the fresh copy or reports the refusal; it never writes over someone else's change.
 *
 * The request item is the truth: a transition's outcome never depends on its audit item. An audit
 * item that could not be written is logged, counted, and the request flagged for the reconciler,
 * which writes it (lambdas/lifecycle/reconcile.ts).
 *
 * `RequestStore` is the one entry callers use; the grant locks, the audit trail and the
 * reconciler's reads live in their own modules beside it.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredCommand } from '../domain/digest';
import { DomainError } from '../domain/errors';
import {
  type AccessRequest,
  type DigestState,
  type MessageRef,
  RequestSchema,
  STATUSES,
  type Status,
} from '../domain/request';
import { type LifecycleEvent, transition } from '../domain/transitions';
import { readTrail, requestedEvent, toAuditEvent, writeAudit } from './audit-trail';
import {
  conditionalWrite,
  queryAll,
  queryPage,
  type RequestStoreOptions,
  type StoreContext,
  storeContext,
  writeOutcomeUnknown,
} from './context';
import { putDigestLines, readDigestLines } from './digests';
import * as drift from './drift-records';
import { type DuePage, listDue, reconcilerCursor, setReconcilerCursor, snoozeRequest } from './due-items';
import { ContentionError, DuplicateRequestError, RequestNotFoundError, WriteUnconfirmedError } from './errors';
import { acquireGrantLock, type LockResult, lockHolder, releaseGrantLock, snoozeLock } from './grant-locks';
import { byRequester, dueBefore, pendingUnder } from './index-queries';
import { type AuditEvent, fromItem, type StoredRequest, toItem } from './items';
import { type GrantKey, REQUEST_SK, requestPk, TABLE } from './table';

// The constructor's options, beside the class; they are defined with the context they build.
export type { RequestStoreOptions } from './context';

/** Which wait of the workflow a task token belongs to. */
export type TokenKind = 'approval' | 'end';

/** What a transition attempt came to. */
export type TransitionResult =
  | {
      readonly ok: true;
      readonly request: AccessRequest;
      readonly from: Status;
      readonly to: Status;
      readonly event: AuditEvent;
    }
  | {
      readonly ok: false;
      /** The request as it is now (what the winner left). */
      readonly request: AccessRequest;
      /** Why this caller's event did not apply. */
      readonly error: DomainError;
      /** The last recorded event: who won, and what they did. */
      readonly lastEvent: AuditEvent | undefined;
    };

/**
 * One try of `apply` on a read copy, no I/O: the refusal (authorize's or the lifecycle's) with the
 * request as it stands, or the item to write (the event appended to the history, repair flags
 * cleared) and what it changed. The store and its in-memory fake in the tests both apply through it.
 */
export function nextStored(
  id: string,
  stored: StoredRequest,
  event: LifecycleEvent,
  authorize?: (current: AccessRequest) => void,
): { readonly result: TransitionResult; readonly next?: StoredRequest } {
  const current = stored.request;
  let next: AccessRequest;
  try {
    authorize?.(current);
    next = transition(current, event).next;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { result: { ok: false, request: current, error, lastEvent: stored.history.at(-1) } };
  }
  const audit = toAuditEvent(id, stored.history.length, event, current.status, next.status);
  const { repair: _done, ...rest } = stored;
  return {
    result: { ok: true, request: next, from: current.status, to: next.status, event: audit },
    next: {
      ...rest,
      request: next,
      history: [...stored.history, audit],
      tokens: tokensFor(next.status, stored.tokens),
    },
  };
}

/**
 * The task tokens a request in `status` can still use: the approval wait's while it waits for approval
 * or for its signal, the end wait's while its grant is live. A task token is about a kilobyte, and
 * every later write of the item pays for the bytes it keeps.
 */
export function tokensFor(status: Status, tokens: StoredRequest['tokens']): StoredRequest['tokens'] {
  const { approval, end } = tokens;
  const waiting = status === 'PENDING' || status === 'APPROVED';
  const live = status === 'ACTIVE' || status === 'REVOKE_FAILED';
  return { ...(waiting && approval !== undefined ? { approval } : {}), ...(live && end !== undefined ? { end } : {}) };
}

/** How `apply` may spare a read and overlap its audit write with the caller's next step. */
export interface ApplyOptions {
  /**
   * A copy the caller has just read: the first try writes on it instead of reading again (a lost
   * race still re-reads, so a stale copy costs one refused write, never a wrong one).
   */
  readonly read?: StoredRequest;
  /**
   * What the caller does once the change is recorded (a workflow signal), run at the same time as the
   * audit item's write; its failure is thrown once that write has settled.
   */
  readonly alongside?: (result: Extract<TransitionResult, { ok: true }>) => Promise<void>;
}

/** Waits for both; the second's failure is thrown once the first has settled (the audit write never throws). */
async function together(audit: Promise<void>, next: Promise<void> | undefined): Promise<void> {
  const [, outcome] = await Promise.allSettled([audit, next]);
  if (outcome.status === 'rejected') throw outcome.reason;
}

/** A request waiting for approval, as the pending index's keys tell it (read the request for the rest). */
export interface PendingEntry {
  readonly id: string;
  readonly requester: string;
  readonly createdAt: string;
}

/** The DynamoDB-backed store of requests, audit events and grant locks. */
export class RequestStore {
  private readonly ctx: StoreContext;

  constructor(options: RequestStoreOptions) {
    this.ctx = storeContext(options);
  }

  /**
   * Records a new PENDING request; refuses an id that exists. With `openingLater`, the REQUESTED audit
   * item is left to `recordOpening` (the workflow's first step writes it); until then the event is in
   * the request's own history, and reading the trail writes it.
   */
  async create(
    request: AccessRequest,
    actor?: string,
    options: { readonly openingLater?: boolean } = {},
  ): Promise<AccessRequest> {
    const parsed = RequestSchema.parse(request);
    const event = requestedEvent(parsed, actor);
    const written: StoredRequest = { request: parsed, history: [event], tokens: {}, writeId: randomUUID() };
    let unanswered: unknown;
    try {
      const created = await conditionalWrite(this.ctx, {
        put: toItem(this.ctx, written),
        condition: 'attribute_not_exists(pk)',
      });
      if (created) return await this.opened(event, options, parsed);
    } catch (error) {
      if (!writeOutcomeUnknown(error)) throw error;
      unanswered = error;
    }
    // Refused (there already), or no answer: read back, and know this write's own item (the SDK's next try,
    // after an answer lost, finds it there) from another's.
    let found: StoredRequest;
    try {
      found = await this.getStored(parsed.id);
    } catch (error) {
      if (unanswered !== undefined && error instanceof RequestNotFoundError) throw unanswered;
      if (unanswered !== undefined) throw new WriteUnconfirmedError(parsed.id, { cause: unanswered });
      throw error;
    }
    if (found.writeId !== written.writeId) throw new DuplicateRequestError(parsed.id, found.request);
    return this.opened(event, options, parsed);
  }

  /** A request just created: its REQUESTED audit item written now, unless the workflow writes it. */
  private async opened(
    event: AuditEvent,
    options: { readonly openingLater?: boolean },
    request: AccessRequest,
  ): Promise<AccessRequest> {
    if (!options.openingLater) await this.audit(event);
    return request;
  }

  /**
   * Writes the audit item of a request's first event (REQUESTED) unless it is there already; never
   * throws: a failed write flags the request, and the reconciler writes it.
   */
  async recordOpening(stored: StoredRequest): Promise<void> {
    const first = stored.history[0];
    if (first !== undefined) await this.audit(first);
  }

  /** Reads a request with the store's attributes; throws if there is none. */
  async getStored(id: string): Promise<StoredRequest> {
    const read = { TableName: this.ctx.tableName, Key: { pk: requestPk(id), sk: REQUEST_SK }, ConsistentRead: true };
    const out = await this.ctx.doc.send(new GetCommand(read));
    if (!out.Item) throw new RequestNotFoundError(id);
    return fromItem(out.Item);
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
  async apply(
    id: string,
    event: LifecycleEvent,
    authorize?: (current: AccessRequest) => void,
    options: ApplyOptions = {},
  ): Promise<TransitionResult> {
    let read = options.read;
    for (let attempt = 1; attempt <= this.ctx.maxAttempts; attempt++) {
      const stored = read ?? (await this.getStored(id));
      read = undefined;
      const { result, next } = nextStored(id, stored, event, authorize);
      if (!result.ok || !next) return result;
      const written = await this.replaceKnown(stored, next);
      if (!written.ok) {
        // Someone else's write got there first: decide again on the copy read back.
        read = written.fresh;
        continue;
      }
      await together(this.audit(result.event), options.alongside?.(result));
      return result;
    }
    throw new ContentionError(id, this.ctx.maxAttempts);
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
    for (let attempt = 1; attempt <= this.ctx.maxAttempts; attempt++) {
      const stored = await this.getStored(id);
      if (!expected.includes(stored.request.status)) return { ok: false, stored };
      const changed = change(stored);
      const request = RequestSchema.parse({ ...changed.request, version: stored.request.version + 1 });
      const next = { ...changed, request };
      if (await this.replace(stored, next)) return { ok: true, stored: next };
    }
    throw new ContentionError(id, this.ctx.maxAttempts);
  }

  /** Keeps a workflow task token with the request (never in Slack). */
  async setToken(id: string, kind: TokenKind, token: string, expected: readonly Status[]): Promise<boolean> {
    const { ok } = await this.update(id, expected, (s) => ({ ...s, tokens: { ...s.tokens, [kind]: token } }));
    return ok;
  }

  /** The requests someone made, newest first. */
  async listByRequester(slackUserId: string, limit = 20): Promise<AccessRequest[]> {
    const page = await queryPage(this.ctx, { ...byRequester(slackUserId), ScanIndexForward: false, Limit: limit });
    return page.items.map((item) => fromItem(item).request);
  }

  /**
   * Requests someone made that are still open (pending, or approved and not started), every page
   * read: what a per-person limit counts.
   */
  async listOpenByRequester(slackUserId: string): Promise<AccessRequest[]> {
    const query = byRequester(slackUserId);
    const items = await queryAll(this.ctx, {
      ...query,
      FilterExpression: '#status IN (:pending, :approved)',
      ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#status': 'status' },
      ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ':pending': 'PENDING', ':approved': 'APPROVED' },
    });
    return items.map((item) => fromItem(item).request);
  }

  /**
   * The requests waiting for approval under a policy, oldest first, read from the keys-only index:
   * at most `limit` (a policy rarely has more than a few waiting; `more` says when it had).
   */
  async listPendingUnder(policy: string, limit = 200): Promise<{ entries: PendingEntry[]; more: boolean }> {
    const entries: PendingEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await queryPage(this.ctx, { ...pendingUnder(policy), Limit: limit - entries.length }, startKey);
      for (const item of page.items) {
        const [createdAt, requester, id] = String(item[TABLE.pendingByPolicy.sortKey] ?? '').split('#');
        if (createdAt && requester && id) entries.push({ id, requester, createdAt });
      }
      startKey = page.next;
    } while (startKey && entries.length < limit);
    return { entries, more: startKey !== undefined };
  }

  /**
   * Requests someone made since `since` (ISO) that are in one of `statuses`, every page read, newest
   * first: only what was made since is read, so the cost does not grow with the person's history.
   */
  async listByRequesterIn(slackUserId: string, statuses: readonly Status[], since: string): Promise<AccessRequest[]> {
    const query = byRequester(slackUserId);
    const names = statuses.map((_, i) => `:s${i}`);
    const items = await queryAll(this.ctx, {
      ...query,
      KeyConditionExpression: `${query.KeyConditionExpression} AND #sk >= :since`,
      ScanIndexForward: false,
      FilterExpression: `#status IN (${names.join(', ')})`,
      ExpressionAttributeNames: {
        ...query.ExpressionAttributeNames,
        '#sk': TABLE.byRequester.sortKey,
        '#status': 'status',
      },
      ExpressionAttributeValues: {
        ...query.ExpressionAttributeValues,
        ':since': since,
        ...Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s])),
      },
    });
    return items.map((item) => fromItem(item).request);
  }

  /** Live grants ending before `before` (ISO), soonest first: what a sweep must make sure ends. */
  async listActiveEndingBefore(before: string, limit = 100): Promise<AccessRequest[]> {
    const page = await queryPage(this.ctx, { ...dueBefore(TABLE.activeByEnd, 'LIVE', before), Limit: limit });
    return page.items.map((item) => fromItem(item).request);
  }

  /**
   * The audit trail, oldest first. Built from the audit items and the request's own history, so an
   * event whose audit item could not be written is still there (and is written now).
   */
  async auditTrail(id: string): Promise<AuditEvent[]> {
    return (await readTrail(this.ctx, id)).trail;
  }

  /**
   * Changes a finished grant's digest state by a conditional write, if `change` gives a new one for the
   * request as it is now (undefined: nothing written). With `detail`, the digest's summary is appended
   * as an ACTIVITY_DIGEST audit event. Says whether this call changed it, so only one of two callers
   * racing (the revoke and a reconciler pass) goes on to post.
   */
  async changeDigest(
    id: string,
    change: (current: AccessRequest) => { digest: DigestState; at: string; detail?: string } | undefined,
  ): Promise<{ changed: boolean; request: AccessRequest; event?: AuditEvent }> {
    for (let attempt = 1; attempt <= this.ctx.maxAttempts; attempt++) {
      const stored = await this.getStored(id);
      const next = change(stored.request);
      if (next === undefined) return { changed: false, request: stored.request };
      const seq = stored.history.length;
      const status = stored.request.status;
      const event: AuditEvent | undefined =
        next.detail === undefined
          ? undefined
          : { requestId: id, seq, at: next.at, type: 'ACTIVITY_DIGEST', from: status, to: status, detail: next.detail };
      const digest = event ? { ...next.digest, seq } : next.digest;
      const request = RequestSchema.parse({ ...stored.request, digest, version: stored.request.version + 1 });
      const history = event ? [...stored.history, event] : stored.history;
      if (!(await this.replaceKnown(stored, { ...stored, request, history })).ok) continue;
      if (event) await this.audit(event);
      return { changed: true, request, ...(event ? { event } : {}) };
    }
    throw new ContentionError(id, this.ctx.maxAttempts);
  }

  /** Stores a digest's whole list under the end of its window (store/digests.ts); the number of items it takes. */
  putDigestLines(id: string, end: string, at: string, lines: readonly StoredCommand[]): Promise<number> {
    return putDigestLines(this.ctx, id, end, at, lines);
  }

  /** A digest's whole list as stored for the window ending at `end`, oldest first. */
  digestLines(id: string, end: string): Promise<StoredCommand[]> {
    return readDigestLines(this.ctx, id, end);
  }

  /** Marks a request whose Slack messages may show an older state, for the reconciler. */
  async flagNotify(id: string): Promise<void> {
    await this.update(id, STATUSES, (s) => ({ ...s, notifyRepair: true }));
  }

  /**
   * Writes the missing audit items of a request and clears its flag; the number written. An event
   * recorded after the trail was read (its own audit item maybe not written, the request flagged again)
   * keeps the flag: the next repair writes it.
   */
  async repairAudit(id: string): Promise<number> {
    const { trail, written } = await readTrail(this.ctx, id);
    const repaired = new Set(trail.map((event) => event.seq));
    const covered = (s: StoredRequest): boolean => s.history.every((event) => repaired.has(event.seq));
    const stored = await this.getStored(id);
    if (stored.auditRepair && covered(stored))
      await this.update(id, STATUSES, (s) => ({ ...s, auditRepair: !covered(s) && s.auditRepair === true }));
    return written;
  }

  /** Files a request under a later due time after a failed repair, unless it changed since `version`. */
  snooze(id: string, version: number, repair: { attempts: number; nextAt: string }): Promise<boolean> {
    return snoozeRequest(this.ctx, id, version, repair);
  }

  /** One page of what is due for the reconciler at `now` (ISO), soonest first, from `startKey`. */
  listDue(now: string, limit: number, startKey?: Record<string, unknown>): Promise<DuePage> {
    return listDue(this.ctx, now, limit, startKey);
  }

  /** Where the reconciler's last pass stopped reading the needs-attention index (undefined: at its start). */
  reconcilerCursor(): Promise<Record<string, unknown> | undefined> {
    return reconcilerCursor(this.ctx);
  }

  /** Keeps (or, with undefined, forgets) where the next reconciler pass starts reading. */
  setReconcilerCursor(startKey: Record<string, unknown> | undefined): Promise<void> {
    return setReconcilerCursor(this.ctx, startKey);
  }

  /** Files a grant lock under a later check time, while `requestId` still holds it. */
  snoozeLock(key: GrantKey, requestId: string, nextAt: string): Promise<boolean> {
    return snoozeLock(this.ctx, key, requestId, nextAt);
  }

  /** Takes the lock on a grant key for a request until `until`, or says who holds it (grant-locks.ts). */
  acquireGrantLock(key: GrantKey, requestId: string, until: string): Promise<LockResult> {
    return acquireGrantLock(this.ctx, key, requestId, until);
  }

  /** Who holds the lock on a grant key, if anyone. */
  lockHolder(key: GrantKey): Promise<{ requestId: string; until: string } | undefined> {
    return lockHolder(this.ctx, key);
  }

  /** Releases a grant lock only if this request holds it; returns whether it did. */
  releaseGrantLock(key: GrantKey, requestId: string): Promise<boolean> {
    return releaseGrantLock(this.ctx, key, requestId);
  }

  /** Every drift record of a cluster, by key (drift-records.ts). */
  listDriftRecords(cluster: string): Promise<Map<string, drift.DriftRecord>> {
    return drift.listDriftRecords(this.ctx, cluster);
  }

  /** Records a drift first seen now; false when a record of it exists already. */
  recordNewDrift(record: drift.DriftRecord): Promise<boolean> {
    return drift.recordNewDrift(this.ctx, record);
  }

  /** Records a setting's drift over its record; false when it holds a drift already. */
  recordSettingsDrift(record: drift.DriftRecord): Promise<boolean> {
    return drift.recordSettingsDrift(this.ctx, record);
  }

  /** Takes on a drift's report before posting it; false when reported, or claimed since `staleBefore`. */
  claimDriftReport(cluster: string, key: string, at: string, staleBefore: string): Promise<boolean> {
    return drift.claimDriftReport(this.ctx, cluster, key, at, staleBefore);
  }

  /** Marks a drift's report as posted, once; false when it was marked already. */
  markDriftReported(cluster: string, key: string, report: MessageRef, at: string): Promise<boolean> {
    return drift.markDriftReported(this.ctx, cluster, key, report, at);
  }

  /** Marks a drifted entry as removed from its cluster. */
  markDriftRemoved(cluster: string, key: string, at: string): Promise<boolean> {
    return drift.markDriftRemoved(this.ctx, cluster, key, at);
  }

  /** Writes a drift record whole. */
  putDriftRecord(record: drift.DriftRecord): Promise<void> {
    return drift.putDriftRecord(this.ctx, record);
  }

  /** Forgets a drift that is gone. */
  clearDrift(cluster: string, key: string): Promise<void> {
    return drift.clearDrift(this.ctx, cluster, key);
  }

  /** A request item read elsewhere (the needs-attention index), validated as the store's own reads are. */
  parse(item: Record<string, unknown>): StoredRequest {
    return fromItem(item);
  }

  /**
   * Writes `next` in place of `previous` and tells whether it is there now. A write whose answer was lost
   * looks refused (the SDK's next try finds the version moved on: by this write) or failed (no answer on
   * any try); either way the item is read back, and a copy carrying this write's id is its own (the id is
   * new for each write; later writes keep it only on top of this one). Any other copy is someone else's,
   * handed back to decide on again. WriteUnconfirmedError when that read fails too.
   */
  private async replaceKnown(
    previous: StoredRequest,
    next: StoredRequest,
  ): Promise<{ readonly ok: true } | { readonly ok: false; readonly fresh: StoredRequest }> {
    const mine = { ...next, writeId: randomUUID() };
    let unanswered: unknown;
    try {
      if (await this.replace(previous, mine)) return { ok: true };
    } catch (error) {
      if (!writeOutcomeUnknown(error)) throw error;
      unanswered = error;
    }
    const id = next.request.id;
    let fresh: StoredRequest;
    try {
      fresh = await this.getStored(id);
    } catch (error) {
      if (unanswered === undefined) throw error;
      throw new WriteUnconfirmedError(id, { cause: unanswered });
    }
    return fresh.writeId === mine.writeId ? { ok: true } : { ok: false, fresh };
  }

  /** Writes `next` only if the item is still at `previous`'s version; false when someone else got there first. */
  private replace(previous: StoredRequest, next: StoredRequest): Promise<boolean> {
    return conditionalWrite(this.ctx, {
      put: toItem(this.ctx, next),
      condition: 'version = :v',
      values: { ':v': previous.request.version },
    });
  }

  /** Writes an event's audit item; a failure flags the request for the reconciler instead of failing. */
  private audit(event: AuditEvent): Promise<void> {
    const flagRepair = () => this.update(event.requestId, STATUSES, (s) => ({ ...s, auditRepair: true }));
    return writeAudit(this.ctx, event, flagRepair);
  }
}
