/**
 * Revoke: after the end wait (the window's end, or "Revoke now"), and from the reconciler when the
 * workflow could not. Removes this request's JIT entry (a 404 is "already gone"; an entry another
 * grant made is left alone), records EXPIRED or REVOKED, releases the grant lock and tells everyone.
 * Woken before the end (the "ends soon" time, or an end that moved), it tells what is owed and
 * throws GrantNotOverError: the workflow plans the next wait (await-end.ts) and nothing is revoked.
 */
import { toUtcSecond } from '../domain/durations';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { settleExtension } from './apply-extension';
import { endReached } from './await-end';
import { digestAfterEnd } from './digest';
import { GrantNotOverError } from './errors';
import { grantKeyOf, removeOwnEntry } from './grant';
import { announce, tellOwed } from './notify';
import type { Ports } from './ports';
import { isTimeout, type RevokeOutput } from './task-io';

/** The end wait's completion that means "the end moved, wait again" (an extension), not "Revoke now". */
export const ENDS_CHANGED = 'ENDS_CHANGED';

/** Whether the end wait ended by its own clock or by an end that moved: the record then says if it is over. */
function wokenByTime(wait: unknown): boolean {
  if (isTimeout(wait)) return true;
  return typeof wait === 'object' && wait !== null && (wait as { reason?: unknown }).reason === ENDS_CHANGED;
}

/** Revoke: removes the entry if it is still this request's, and closes the request. */
export async function revokeAccess(
  ports: Pick<Ports, 'store' | 'ontap' | 'clock' | 'notifier'> & Partial<Pick<Ports, 'metrics'>>,
  input: { requestId: string; wait?: unknown },
  log: Logger,
): Promise<RevokeOutput> {
  let request = await ports.store.get(input.requestId);
  if (request.status !== 'ACTIVE' && request.status !== 'REVOKE_FAILED') {
    log.warn('nothing to revoke', { status: request.status });
    return { status: request.status, alreadyGone: true };
  }
  // An extension is applied (or dropped) here, serialized with the end and "Revoke now" (apply-extension.ts).
  const settled = request.status === 'ACTIVE' ? await settleExtension(ports, request, log) : 'none';
  if (settled !== 'none') request = await ports.store.get(input.requestId);
  const now = nowOf(ports.clock).toMillis();
  if (
    settled !== 'end' &&
    request.status === 'ACTIVE' &&
    !request.revokeRequestedBy &&
    wokenByTime(input.wait) &&
    !endReached(request, now)
  ) {
    // Best effort: a message that could not be told stays owed, and the reconciler tells it.
    await tellOwed(ports, request, log).catch((error: unknown) => log.warn('owed messages not told', { error }));
    throw new GrantNotOverError(request.window.end);
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
  if (result.ok) {
    await announce(ports, result.request, { approval: true, requester: true, thread: { alreadyGone } }, log);
    // What the account did while it held the grant, after the end is recorded and told (never before).
    await digestAfterEnd(ports, request.id, log);
  }
  return { status: result.request.status, alreadyGone };
}
