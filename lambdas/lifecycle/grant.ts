/**
 * Grant: takes the lock on (cluster, SVM uuid, account, ssh), creates the JIT entry with exactly
 * the approved values, records GRANTED. The window follows from the record (a scheduled request's
 * requested end, from its start or its later approval) or, for an immediate request, from the start
 * in the task input, fixed before the task; so a retry asks ONTAP for the very same entry and an
 * entry created by a try whose answer was lost counts as created. A failed grant is cleaned up by
 * `cleanUpGrant`.
 */
import type { GrantAhead } from '../domain/approval-route';
import { parseInstant, toUtcSecond } from '../domain/durations';
import type { AccessRequest, RequestIn } from '../domain/request';
import { grantWindow } from '../domain/window';
import { OntapJitEntryMismatchError } from '../ontap';
import { awaitedLater } from '../runtime/awaited-later';
import { nowOf } from '../runtime/clock';
import { describeError, type Logger } from '../runtime/logger';
import type { LockResult } from '../store/grant-locks';
import type { GrantKey } from '../store/table';
import { minRemainingOf } from './await-approval';
import { firstEndWait } from './await-end';
import { GrantConflictError, RequestClosedError, RequestInvalidError } from './errors';
import { announce } from './notify';
import type { Ports } from './ports';
import { askRequesterEarly, type RequesterLookup, reauthorize } from './reauthorize';
import type { GrantInput, GrantOutput } from './task-io';

/** Grants request `requestId` from `start` for its approved duration. */
export async function grantAccess(
  ports: Pick<Ports, 'store' | 'config' | 'clock' | 'directory' | 'notifier' | 'ontap'>,
  input: GrantInput,
  log: Logger,
): Promise<GrantOutput> {
  // What the approval named lets the lock and the requester's lookup go out with the read: nothing reaches
  // the cluster before the read has confirmed them (the same lock, end, requester and policy).
  const early = startAhead(ports, input);
  // A failed read leaves a lock taken ahead in place: a retry takes it again, RecordGrantFailure cleans up.
  const stored = await ports.store.getStored(input.requestId);
  const { request } = stored;
  // Only this task writes GRANTED: an earlier try of it did, and lost the answer.
  if (request.status === 'ACTIVE') return grantedEarlier(ports, request, early, log);
  if (request.status !== 'APPROVED') {
    if (early) await giveBackClosed(ports, request, early, log);
    await announce(ports, request, { approval: true, requester: true }, log);
    throw new RequestClosedError(request.id, request.status);
  }
  // The cluster's client (its credentials) is made ready during the requester check, not after it.
  // Its failure is the task's failure, but only once the requester check has finished.
  const client = awaitedLater(ports.ontap(request.cluster));
  // A scheduled request keeps its requested end: approved late, it gets what is left of its window.
  const granted = grantWindow(request, parseInstant(input.start), minRemainingOf(ports, request));
  const key = grantKeyOf(request);
  const sameLock = early !== undefined && sameKey(early.key, key);
  const until = granted.ok ? granted.window.end : undefined;
  const locked = sameLock && early.ahead.until === until ? early.locking : undefined;
  const asked = early && namesRequester(early.ahead, request) ? early.asked : undefined;
  if (early && ((granted.ok && !locked) || !asked)) {
    log.warn('the grant was started on another lock or requester than the request names; taken again');
  }
  // Another lock never had an entry made under it by this request; the same one is taken again below, never let go.
  if (early && !sameLock) await giveBack(ports, early, request.id, log);
  if (!granted.ok) {
    // The window follows from the record and `start` alone: too short now, it always was, so no try made an entry.
    if (early && sameLock) await giveBack(ports, early, request.id, log);
    // A requester who no longer qualifies closes the request all the same.
    await stillQualifies(ports, request, log, asked);
    const left = `${granted.left} seconds`;
    throw new RequestInvalidError(`Only ${left} of the requested window were left; nothing was granted.`);
  }
  const { window, seconds } = granted;
  // The last look before anything reaches the cluster. The lock grants nothing by itself, so it is taken
  // meanwhile (one write fewer between the approval and the POST) and given back if the requester is gone.
  // Its failure is the task's failure, but only once the requester check has finished.
  const locking = locked ?? awaitedLater(ports.store.acquireGrantLock(key, request.id, window.end));
  try {
    await stillQualifies(ports, request, log, asked);
  } catch (error) {
    const lock = await locking.catch(() => undefined);
    // An earlier try's POST may have made the entry (its answer lost): it goes before the lock does.
    if (error instanceof RequestClosedError && lock?.ok) await cleanUpOrLeave(ports, request, log);
    throw error;
  }
  const lock = await locking;
  if (!lock.ok) throw new GrantConflictError(lock.heldBy, lock.until);
  const ontap = await client;

  const { created, entry } = await ontap.ensureJitUser({
    ownerUuid: key.svmUuid,
    account: key.account,
    application: 'ssh',
    role: request.role,
    jitValidity: seconds,
    sessionValidity: Math.min(input.sessionValiditySeconds, seconds),
    startTime: window.start,
    comment: entryComment(request),
  });
  log.info(created ? 'JIT entry created' : 'JIT entry was already there from an earlier try', { window });

  // The entry's jit_state comes with the POST's answer: the card shows it from the start, at no extra call.
  const at = toUtcSecond(nowOf(ports.clock));
  const live = { state: entry.jitState, since: at };
  // Written on the copy read above: one read of the request per grant (a cancel meanwhile fails the write, which re-reads).
  const result = await ports.store.apply(request.id, { type: 'GRANTED', at, window, live }, undefined, {
    read: stored,
  });
  if (!result.ok) {
    // Cancelled while the entry was being made: take it back before stopping.
    log.info('request closed during the grant; removing the entry', { status: result.request.status });
    await cleanUpGrant(ports, result.request, log);
    await announce(ports, result.request, { approval: true, requester: true }, log);
    throw new RequestClosedError(request.id, result.request.status);
  }
  await announce(ports, result.request, { approval: true, requester: true, thread: {} }, log);
  // Until "ends soon" when the policy tells it, else until the end (await-end.ts).
  const endTimeoutSeconds = firstEndWait(ports, result.request, ports.clock.now());
  return { window, endTimeoutSeconds };
}

/**
 * A grant an earlier try of this task recorded (its GRANTED write landed, its answer did not): nothing is
 * made again; a lock taken ahead on another key is given back, the messages are brought up to date (each
 * milestone is told once), and the workflow goes on to the window the record holds.
 */
async function grantedEarlier(
  ports: Pick<Ports, 'store' | 'config' | 'clock' | 'notifier' | 'ontap'>,
  request: RequestIn<'ACTIVE'>,
  early: Ahead | undefined,
  log: Logger,
): Promise<GrantOutput> {
  log.info('granted by an earlier try of this grant', { window: request.window });
  if (early && !sameKey(early.key, grantKeyOf(request))) await giveBack(ports, early, request.id, log);
  const told = await announce(ports, request, { approval: true, requester: true, thread: {} }, log);
  return { window: request.window, endTimeoutSeconds: firstEndWait(ports, told, ports.clock.now()) };
}

/** Checks the requester again; RequestClosedError (the request closed, both sides told) when they no longer qualify. */
async function stillQualifies(
  ports: Pick<Ports, 'config' | 'directory' | 'store' | 'clock' | 'notifier'>,
  request: AccessRequest,
  log: Logger,
  asked?: Promise<RequesterLookup>,
): Promise<void> {
  const still = await reauthorize(ports, request, log, asked);
  if (!still.ok) throw new RequestClosedError(request.id, still.request.status);
}

/** The lock and the requester's lookup, started with the read on what the approval named. */
interface Ahead {
  readonly ahead: GrantAhead;
  readonly key: GrantKey;
  readonly locking: Promise<LockResult>;
  readonly asked: Promise<RequesterLookup> | undefined;
}

function startAhead(
  ports: Pick<Ports, 'store' | 'config' | 'directory' | 'ontap'>,
  input: GrantInput,
): Ahead | undefined {
  const ahead = input.decision?.ahead;
  if (!ahead) return undefined;
  const { cluster, svmUuid, account, application } = ahead;
  const key = { cluster, svmUuid, account, application };
  // Slack first: of the three calls, its answer takes longest.
  const asked = askRequesterEarly(ports, ahead.requester, ahead.policy);
  // The cluster's client (its credentials, on a first call) is made ready meanwhile too; the grant uses the
  // one of the cluster the request names, the same one when they agree.
  ports.ontap(ahead.cluster).catch(() => undefined);
  // Awaited once the request is read; until then a failure is nobody's to throw.
  const locking = awaitedLater(ports.store.acquireGrantLock(key, input.requestId, ahead.until));
  return { ahead, key, locking, asked };
}

/** Whether the requester looked up ahead is the one the request names, under its policy. */
function namesRequester(ahead: GrantAhead, request: AccessRequest): boolean {
  return ahead.requester === request.requester.slackUserId && ahead.policy === request.policy;
}

/**
 * Gives back a lock taken ahead for a grant that will not happen on it (a lock the request does not
 * name, a window too short): no entry was ever made under it by this request, since the POST only goes
 * out on a lock the read confirmed.
 */
async function giveBack(ports: Pick<Ports, 'store'>, early: Ahead, id: string, log: Logger): Promise<void> {
  const lock = await early.locking.catch(() => undefined);
  if (lock?.ok) await releaseLock(ports, early.key, id, log);
}

/**
 * A request found closed after its lock was taken ahead: the lock is not left to block the next grant.
 * A grant whose revoke failed keeps its lock; else an entry an earlier try made is removed first (cleanUpGrant), then
 * the lock released; what cannot be cleaned now is left to the reconciler.
 */
async function giveBackClosed(
  ports: Pick<Ports, 'store' | 'ontap'>,
  request: AccessRequest,
  early: Ahead,
  log: Logger,
): Promise<void> {
  const lock = await early.locking.catch(() => undefined);
  // ACTIVE never gets here (an earlier try's grant: grantedEarlier); a grant whose revoke failed keeps its lock.
  if (!lock?.ok || request.status === 'REVOKE_FAILED') return;
  if (!request.svm.uuid || !sameKey(early.key, grantKeyOf(request))) return giveBack(ports, early, request.id, log);
  await cleanUpOrLeave(ports, request, log);
}

/** `cleanUpGrant` for a request that closed; what cannot be cleaned now (the cluster unreachable) is the reconciler's. */
async function cleanUpOrLeave(
  ports: Pick<Ports, 'store' | 'ontap'>,
  request: AccessRequest,
  log: Logger,
): Promise<void> {
  try {
    await cleanUpGrant(ports, request, log);
  } catch (error) {
    log.warn('grant lock of a closed request not released; the reconciler releases it', describeError(error));
  }
}

function sameKey(a: GrantKey, b: GrantKey): boolean {
  return (
    a.cluster === b.cluster && a.svmUuid === b.svmUuid && a.account === b.account && a.application === b.application
  );
}

/** Gives back a lock taken for a grant that will not happen; one left behind is released by the reconciler. */
async function releaseLock(ports: Pick<Ports, 'store'>, key: GrantKey, requestId: string, log: Logger): Promise<void> {
  try {
    await ports.store.releaseGrantLock(key, requestId);
  } catch (error) {
    log.warn('grant lock not released; the reconciler releases it', describeError(error));
  }
}

/**
 * Leaves nothing of this request's grant behind: if it holds the grant lock, its JIT entry (only
 * one whose comment names this request) is removed and the lock released. Another request's lock
 * or entry is never touched. Returns whether an entry was removed; throws when the cluster could
 * not be asked, keeping the lock (the entry may still be there).
 */
export async function cleanUpGrant(
  ports: Pick<Ports, 'store' | 'ontap'>,
  request: AccessRequest,
  log: Logger,
): Promise<{ removed: boolean }> {
  if (!request.svm.uuid) return { removed: false };
  const key = grantKeyOf(request);
  const holder = await ports.store.lockHolder(key);
  if (holder?.requestId !== request.id) return { removed: false };
  const { removed } = await removeOwnEntry(ports, request, key, log);
  await ports.store.releaseGrantLock(key, request.id);
  if (removed) log.info('partial grant removed from the cluster');
  return { removed };
}

/**
 * Removes the request's JIT entry from its cluster, but only an entry whose comment names this
 * request: another grant's entry on the same account is left alone. Whether there was one to remove.
 */
export async function removeOwnEntry(
  ports: Pick<Ports, 'ontap'>,
  request: AccessRequest,
  key: GrantKey,
  log: Logger,
): Promise<{ removed: boolean }> {
  const ontap = await ports.ontap(key.cluster);
  try {
    const onlyIfComment = entryComment(request);
    const { alreadyGone } = await ontap.removeJitUser(key.svmUuid, key.account, 'ssh', { onlyIfComment });
    return { removed: !alreadyGone };
  } catch (error) {
    if (!(error instanceof OntapJitEntryMismatchError)) throw error;
    log.warn("the entry on the cluster is another grant's; left alone");
    return { removed: false };
  }
}

/** The grant lock key of a request: (cluster, SVM uuid, account, application). */
export function grantKeyOf(request: AccessRequest): GrantKey {
  const svmUuid = request.svm.uuid;
  if (!svmUuid) throw new RequestInvalidError(`Request ${request.id} has no SVM uuid; it was never validated.`);
  return {
    cluster: request.cluster,
    svmUuid,
    account: request.requester.ontapAccount,
    application: request.application,
  };
}

/**
 * The JIT entry's `comment`: names the request and the requester, so the entry on the cluster says
 * who and why, and a revoke can prove the entry is this request's before it deletes it.
 */
export function entryComment(request: AccessRequest): string {
  const who = request.requester.name
    ? `${request.requester.name} (${request.requester.slackUserId})`
    : request.requester.slackUserId;
  return `ontap-jit-approvals request ${request.id} for ${who}`.slice(0, 250);
}
