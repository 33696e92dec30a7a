/**
 * Grant: takes the lock on (cluster, SVM uuid, account, ssh), creates the JIT entry with exactly
 * the approved values, records GRANTED. The window follows from the record (a scheduled request's
 * requested end, from its start or its later approval) or, for an immediate request, from the start
 * in the task input, fixed before the task; so a retry asks ONTAP for the very same entry and an
 * entry created by a try whose answer was lost counts as created. A failed grant is cleaned up by
 * `cleanUpGrant`.
 */
import { parseInstant, toUtcSecond } from '../domain/durations';
import type { AccessRequest } from '../domain/request';
import { grantWindow } from '../domain/window';
import { OntapJitEntryMismatchError } from '../ontap';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import type { Runtime } from '../runtime/runtime';
import { minRemainingOf } from './await-approval';
import { GrantConflictError, RequestClosedError, RequestInvalidError } from './errors';
import { entryComment, grantKeyOf } from './grant-key';
import { announce } from './notify';
import { reauthorize } from './reauthorize';
import type { GrantOutput } from './task-io';

/** Grants request `requestId` from `start` for its approved duration. */
export async function grantAccess(
  rt: Runtime,
  input: { requestId: string; start: string; sessionValiditySeconds: number },
  log: Logger,
): Promise<GrantOutput> {
  const request = await rt.store.get(input.requestId);
  if (request.status !== 'APPROVED') {
    await announce(rt, request, { approval: true, requester: true }, log);
    throw new RequestClosedError(request.id, request.status);
  }
  // The last look before anything reaches the cluster.
  const still = await reauthorize(rt, request, log);
  if (!still.ok) throw new RequestClosedError(request.id, still.request.status);
  // A scheduled request keeps its requested end: approved late, it gets what is left of its window.
  const granted = grantWindow(request, parseInstant(input.start), minRemainingOf(rt, request));
  if (!granted.ok) {
    const left = `${granted.left} seconds`;
    throw new RequestInvalidError(`Only ${left} of the requested window were left; nothing was granted.`);
  }
  const { window, seconds } = granted;
  const key = grantKeyOf(request);
  const lock = await rt.store.acquireGrantLock(key, request.id, window.end);
  if (!lock.ok) throw new GrantConflictError(lock.heldBy, lock.until);

  const ontap = await rt.ontap(request.cluster);
  const { created } = await ontap.ensureJitUser({
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

  const result = await rt.store.apply(request.id, { type: 'GRANTED', at: toUtcSecond(nowOf(rt.clock)), window });
  if (!result.ok) {
    // Cancelled while the entry was being made: take it back before stopping.
    log.info('request closed during the grant; removing the entry', { status: result.request.status });
    await cleanUpGrant(rt, result.request, log);
    await announce(rt, result.request, { approval: true, requester: true }, log);
    throw new RequestClosedError(request.id, result.request.status);
  }
  await announce(rt, result.request, { approval: true, requester: true, thread: {} }, log);
  const endTimeoutSeconds = Math.max(1, Math.ceil((parseInstant(window.end).toMillis() - rt.clock.now()) / 1000));
  return { window, endTimeoutSeconds };
}

/**
 * Leaves nothing of this request's grant behind: if it holds the grant lock, its JIT entry (only
 * one whose comment names this request) is removed and the lock released. Another request's lock
 * or entry is never touched. Returns whether an entry was removed; throws when the cluster could
 * not be asked, keeping the lock (the entry may still be there).
 */
export async function cleanUpGrant(rt: Runtime, request: AccessRequest, log: Logger): Promise<{ removed: boolean }> {
  if (!request.svm.uuid) return { removed: false };
  const key = grantKeyOf(request);
  const holder = await rt.store.lockHolder(key);
  if (holder?.requestId !== request.id) return { removed: false };
  const ontap = await rt.ontap(request.cluster);
  let removed = false;
  try {
    removed = !(await ontap.removeJitUser(key.svmUuid, key.account, 'ssh', { onlyIfComment: entryComment(request) }))
      .alreadyGone;
  } catch (error) {
    if (!(error instanceof OntapJitEntryMismatchError)) throw error;
    log.info("the entry on the cluster is not this request's; left alone");
  }
  await rt.store.releaseGrantLock(key, request.id);
  if (removed) log.info('partial grant removed from the cluster');
  return { removed };
}
