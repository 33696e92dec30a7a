/**
 * Revoke: after the end wait (the window's end, or "Revoke now"), and from the reconciler when the
 * workflow could not. Removes this request's JIT entry (a 404 is "already gone"; an entry another
 * grant made is left alone), records EXPIRED or REVOKED, releases the grant lock and tells everyone.
 */
import { toUtcSecond } from '../domain/durations';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { grantKeyOf, removeOwnEntry } from './grant';
import { announce } from './notify';
import type { Ports } from './ports';
import { isTimeout, type RevokeOutput } from './task-io';

/** Revoke: removes the entry if it is still this request's, and closes the request. */
export async function revokeAccess(
  ports: Pick<Ports, 'store' | 'ontap' | 'clock' | 'notifier'>,
  input: { requestId: string; wait?: unknown },
  log: Logger,
): Promise<RevokeOutput> {
  const request = await ports.store.get(input.requestId);
  if (request.status !== 'ACTIVE' && request.status !== 'REVOKE_FAILED') {
    log.warn('nothing to revoke', { status: request.status });
    return { status: request.status, alreadyGone: true };
  }
  const key = grantKeyOf(request);
  const holder = await ports.store.lockHolder(key);
  let alreadyGone = true;
  if (holder && holder.requestId !== request.id) {
    // Another request's grant holds this key now: its entry is not ours to remove.
    log.warn('the grant key is held by another request; not touching the cluster', { heldBy: holder.requestId });
  } else {
    alreadyGone = !(await removeOwnEntry(ports, request, key, log)).removed;
  }
  const result = await ports.store.apply(request.id, {
    type: 'REVOKED',
    at: toUtcSecond(nowOf(ports.clock)),
    alreadyGone,
  });
  await ports.store.releaseGrantLock(key, request.id);
  log.info('grant ended', { status: result.request.status, alreadyGone, windowEnded: isTimeout(input.wait) });
  // Ended by someone else meanwhile (the workflow and the reconciler both may): they told everyone.
  if (result.ok)
    await announce(ports, result.request, { approval: true, requester: true, thread: { alreadyGone } }, log);
  return { status: result.request.status, alreadyGone };
}
