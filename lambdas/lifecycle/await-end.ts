/**
 * The end of a grant. AwaitEnd keeps the end token with the request; the window's end (the task's
 * timeout) or "Revoke now" (the Slack side records REVOKE_REQUESTED, then completes the token)
 * ends the wait. Revoke removes this request's JIT entry (a 404 is "already gone"), records
 * EXPIRED or REVOKED, releases the grant lock and tells everyone.
 */
import { toUtcSecond } from '../domain/durations';
import { OntapJitEntryMismatchError } from '../ontap';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import type { Runtime } from '../runtime/runtime';
import { entryComment, grantKeyOf } from './grant-key';
import { announce } from './notify';
import { isTimeout, type RevokeOutput } from './task-io';

/** AwaitEnd: keeps the token; ends the wait at once if a revoke was asked for before the token was kept. */
export async function awaitEnd(
  rt: Runtime,
  input: { requestId: string; taskToken: string },
  log: Logger,
): Promise<{ waiting: boolean }> {
  const kept = await rt.store.setToken(input.requestId, 'end', input.taskToken, ['ACTIVE']);
  const request = await rt.store.get(input.requestId);
  if (!kept || (request.status === 'ACTIVE' && request.revokeRequestedBy !== undefined)) {
    log.info('revoke asked for before the end wait began; ending it now', { status: request.status });
    await rt.workflow.endNow(input.taskToken);
    return { waiting: false };
  }
  return { waiting: true };
}

/** Revoke: removes the entry if it is still this request's, and closes the request. */
export async function revokeAccess(
  rt: Runtime,
  input: { requestId: string; wait?: unknown },
  log: Logger,
): Promise<RevokeOutput> {
  const request = await rt.store.get(input.requestId);
  if (request.status !== 'ACTIVE' && request.status !== 'REVOKE_FAILED') {
    log.warn('nothing to revoke', { status: request.status });
    return { status: request.status, alreadyGone: true };
  }
  const key = grantKeyOf(request);
  const holder = await rt.store.lockHolder(key);
  let alreadyGone = true;
  if (holder && holder.requestId !== request.id) {
    // Another request's grant holds this key now: its entry is not ours to remove.
    log.warn('the grant key is held by another request; not touching the cluster', { heldBy: holder.requestId });
  } else {
    const ontap = await rt.ontap(request.cluster);
    try {
      ({ alreadyGone } = await ontap.removeJitUser(key.svmUuid, key.account, 'ssh', {
        onlyIfComment: entryComment(request),
      }));
    } catch (error) {
      if (!(error instanceof OntapJitEntryMismatchError)) throw error;
      log.warn('the entry on the cluster belongs to another grant; left alone');
    }
  }
  const result = await rt.store.apply(request.id, { type: 'REVOKED', at: toUtcSecond(nowOf(rt.clock)), alreadyGone });
  await rt.store.releaseGrantLock(key, request.id);
  log.info('grant ended', { status: result.request.status, alreadyGone, windowEnded: isTimeout(input.wait) });
  // Ended by someone else meanwhile (the workflow and the reconciler both may): they told everyone.
  if (result.ok) await announce(rt, result.request, { approval: true, requester: true, thread: { alreadyGone } }, log);
  return { status: result.request.status, alreadyGone };
}
