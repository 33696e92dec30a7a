/**
 * An in-memory request store for use-case unit tests: the RequestStore methods the use cases call, with
 * the same conditional-write semantics (a write lands only on the version it read, a lost race re-reads
 * and re-applies the domain rule). `interleave` lets a test slip another writer's change between a
 * use case's read and its write, which is how a race is lost for real.
 */
import { attentionOf, OVERDUE_GRACE_SECONDS } from '../../lambdas/domain/attention';
import { parseInstant, toUtcSecond } from '../../lambdas/domain/durations';
import { type AccessRequest, RequestSchema, STATUSES, type Status } from '../../lambdas/domain/request';
import { type LifecycleEvent, transition } from '../../lambdas/domain/transitions';
import { requestedEvent, toAuditEvent } from '../../lambdas/store/audit-trail';
import type { DueItem, DuePage } from '../../lambdas/store/due-items';
import { ContentionError, DuplicateRequestError, RequestNotFoundError } from '../../lambdas/store/errors';
import type { LockResult } from '../../lambdas/store/grant-locks';
import type { StoredRequest } from '../../lambdas/store/items';
import {
  type ApplyOptions,
  nextStored,
  type RequestStore,
  type TokenKind,
  type TransitionResult,
} from '../../lambdas/store/requests';
import type { GrantKey } from '../../lambdas/store/table';

/** The store methods the use cases call: what a fake must do and a real RequestStore does. */
export type StorePort = Pick<
  RequestStore,
  | 'create'
  | 'get'
  | 'getStored'
  | 'apply'
  | 'update'
  | 'setToken'
  | 'listOpenByRequester'
  | 'flagNotify'
  | 'repairAudit'
  | 'recordOpening'
  | 'snooze'
  | 'listDue'
  | 'reconcilerCursor'
  | 'setReconcilerCursor'
  | 'snoozeLock'
  | 'acquireGrantLock'
  | 'lockHolder'
  | 'releaseGrantLock'
>;

/** A lock as the fake keeps it. */
interface Lock {
  readonly key: GrantKey;
  readonly requestId: string;
  readonly until: string;
  readonly nextAt?: string;
}

const lockId = (key: GrantKey): string => `${key.cluster}/${key.svmUuid}/${key.account}/${key.application}`;
const copy = <T>(value: T): T => structuredClone(value);

/** The in-memory store. Every read hands out a copy, as a database would. */
export class FakeStore implements StorePort {
  private readonly items = new Map<string, StoredRequest>();
  private readonly locks = new Map<string, Lock>();
  private cursor: Record<string, unknown> | undefined;
  private beforeWrite: (() => void)[] = [];
  /** How many conditional writes were refused because another writer got there first. */
  conflicts = 0;
  /** How many writes of request items landed. */
  writes = 0;

  /** Puts a request in as it is (any status), with its store attributes. */
  put(request: AccessRequest, extras: Partial<Omit<StoredRequest, 'request'>> = {}): this {
    this.items.set(request.id, copy({ history: [], tokens: {}, ...extras, request }));
    return this;
  }

  /** Runs `change` (another writer) just before the next write lands, so that write loses its race. */
  interleave(change: () => void): void {
    this.beforeWrite.push(change);
  }

  /** Applies an event as another writer would (no race, no authorization); throws when it does not apply. */
  force(id: string, event: LifecycleEvent): AccessRequest {
    const stored = this.read(id);
    const next = transition(stored.request, event).next;
    const audit = toAuditEvent(id, stored.history.length, event, stored.request.status, next.status);
    this.items.set(id, { ...stored, request: next, history: [...stored.history, audit] });
    return copy(next);
  }

  /** The grant locks held now, by request id. */
  heldLocks(): { key: GrantKey; requestId: string; until: string }[] {
    return [...this.locks.values()].map(({ key, requestId, until }) => copy({ key, requestId, until }));
  }

  /** Puts a grant lock in as it is (a lock another request holds, or one left behind). */
  putLock(key: GrantKey, requestId: string, until: string): void {
    this.locks.set(lockId(key), { key: copy(key), requestId, until });
  }

  async create(request: AccessRequest, actor?: string): Promise<AccessRequest> {
    const parsed = RequestSchema.parse(request);
    if (this.items.has(parsed.id)) throw new DuplicateRequestError(parsed.id);
    this.items.set(parsed.id, { request: parsed, history: [requestedEvent(parsed, actor)], tokens: {} });
    return copy(parsed);
  }

  /** The fake keeps audit events in the history alone: the opening's item is there from the start. */
  async recordOpening(_stored: StoredRequest): Promise<void> {}

  async getStored(id: string): Promise<StoredRequest> {
    return copy(this.read(id));
  }

  async get(id: string): Promise<AccessRequest> {
    return copy(this.read(id).request);
  }

  async apply(
    id: string,
    event: LifecycleEvent,
    authorize?: (r: AccessRequest) => void,
    options: ApplyOptions = {},
  ): Promise<TransitionResult> {
    let read = options.read;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const stored = copy(read ?? this.read(id));
      read = undefined;
      const { result, next } = nextStored(id, stored, event, authorize);
      if (!result.ok || !next) return result;
      if (!this.replace(stored, next)) continue;
      await options.alongside?.(result);
      return { ...result, request: copy(result.request) };
    }
    throw new ContentionError(id, 5);
  }

  async update(
    id: string,
    expected: readonly Status[],
    change: (stored: StoredRequest) => StoredRequest,
  ): Promise<{ ok: boolean; stored: StoredRequest }> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const stored = copy(this.read(id));
      if (!expected.includes(stored.request.status)) return { ok: false, stored };
      const changed = change(copy(stored));
      const request = RequestSchema.parse({ ...changed.request, version: stored.request.version + 1 });
      const next = { ...changed, request };
      if (this.replace(stored, next)) return { ok: true, stored: copy(next) };
    }
    throw new ContentionError(id, 5);
  }

  async setToken(id: string, kind: TokenKind, token: string, expected: readonly Status[]): Promise<boolean> {
    const { ok } = await this.update(id, expected, (s) => ({ ...s, tokens: { ...s.tokens, [kind]: token } }));
    return ok;
  }

  async listOpenByRequester(slackUserId: string): Promise<AccessRequest[]> {
    // Open as a per-person limit counts it: pending, or approved and not started.
    const open = new Set<Status>(['PENDING', 'APPROVED']);
    return [...this.items.values()]
      .map((s) => copy(s.request))
      .filter((r) => r.requester.slackUserId === slackUserId && open.has(r.status));
  }

  async flagNotify(id: string): Promise<void> {
    await this.update(id, STATUSES, (s) => ({ ...s, notifyRepair: true }));
  }

  async repairAudit(id: string): Promise<number> {
    const stored = this.read(id);
    if (!stored.auditRepair) return 0;
    await this.update(id, STATUSES, (s) => ({ ...s, auditRepair: false }));
    return 1;
  }

  async snooze(id: string, version: number, repair: { attempts: number; nextAt: string }): Promise<boolean> {
    const stored = this.read(id);
    if (stored.request.version !== version) return false;
    this.items.set(id, { ...stored, repair: { ...repair } });
    return true;
  }

  /** What is due at `now`, soonest first, as the needs-attention index files it; `startKey` is an offset. */
  async listDue(now: string, limit: number, startKey?: Record<string, unknown>): Promise<DuePage> {
    const due: { at: string; item: DueItem }[] = [];
    for (const stored of this.items.values()) {
      const at = dueOf(stored);
      if (at !== undefined && at <= now) due.push({ at, item: { kind: 'request', stored: copy(stored) } });
    }
    for (const lock of this.locks.values()) {
      const at = lock.nextAt ?? toUtcSecond(parseInstant(lock.until).plus({ seconds: OVERDUE_GRACE_SECONDS }));
      if (at <= now)
        due.push({ at, item: { kind: 'lock', key: copy(lock.key), requestId: lock.requestId, until: lock.until } });
    }
    due.sort((a, b) => a.at.localeCompare(b.at));
    const from = typeof startKey?.offset === 'number' ? startKey.offset : 0;
    const items = due.slice(from, from + limit).map((d) => d.item);
    return { items, ...(from + limit < due.length ? { next: { offset: from + limit } } : {}) };
  }

  async reconcilerCursor(): Promise<Record<string, unknown> | undefined> {
    return this.cursor;
  }

  async setReconcilerCursor(startKey: Record<string, unknown> | undefined): Promise<void> {
    this.cursor = startKey;
  }

  async snoozeLock(key: GrantKey, requestId: string, nextAt: string): Promise<boolean> {
    const lock = this.locks.get(lockId(key));
    if (lock?.requestId !== requestId) return false;
    this.locks.set(lockId(key), { ...lock, nextAt });
    return true;
  }

  async acquireGrantLock(key: GrantKey, requestId: string, until: string): Promise<LockResult> {
    const held = this.locks.get(lockId(key));
    if (held && held.requestId !== requestId) return { ok: false, heldBy: held.requestId, until: held.until };
    this.locks.set(lockId(key), { key: copy(key), requestId, until });
    return { ok: true };
  }

  async lockHolder(key: GrantKey): Promise<{ requestId: string; until: string } | undefined> {
    const held = this.locks.get(lockId(key));
    return held ? { requestId: held.requestId, until: held.until } : undefined;
  }

  async releaseGrantLock(key: GrantKey, requestId: string): Promise<boolean> {
    if (this.locks.get(lockId(key))?.requestId !== requestId) return false;
    this.locks.delete(lockId(key));
    return true;
  }

  private read(id: string): StoredRequest {
    const stored = this.items.get(id);
    if (!stored) throw new RequestNotFoundError(id);
    return stored;
  }

  /** The conditional write: lands only when the item still has the version that was read. */
  private replace(read: StoredRequest, next: StoredRequest): boolean {
    const interleaved = this.beforeWrite.shift();
    interleaved?.();
    if (this.read(read.request.id).request.version !== read.request.version) {
      this.conflicts += 1;
      return false;
    }
    this.items.set(next.request.id, copy(next));
    this.writes += 1;
    return true;
  }
}

/** When the needs-attention index would file a stored request (the store's own rule, items.ts). */
function dueOf(stored: StoredRequest): string | undefined {
  const owed = attentionOf(stored.request)?.due;
  const flagged = stored.auditRepair || stored.notifyRepair ? stored.request.updatedAt : undefined;
  let due = [owed, flagged].filter((d): d is string => d !== undefined).sort()[0];
  if (due !== undefined && stored.repair && stored.repair.nextAt > due && owed !== undefined)
    due = stored.repair.nextAt;
  return due;
}
