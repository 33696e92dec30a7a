/**
 * A live grant's elevation state as ONTAP shows it (`jit_state`), kept on the request and shown on
 * its approval message and the requester's Home tab. It is read with the grant (the POST's answer)
 * and by the reconciler's scan (one collection GET per cluster serves every live grant on it). Only a
 * change is written and only a change redraws the card, so a pass that finds nothing new costs no
 * write and no Slack call; a read that failed marks the state shown as the last known one, once.
 */
import { toUtcSecond } from '../domain/durations';
import type { AccessRequest, LiveState } from '../domain/request';
import type { JitState } from '../ontap';
import { nowOf } from '../runtime/clock';
import { describeError, type Logger } from '../runtime/logger';
import type { Ports } from './ports';

/** What keeping the live state takes: the record, the approval message and the time. */
export type LiveStatePorts = Pick<Ports, 'store' | 'notifier' | 'clock'>;

/** What a read of the entry found: its state, or that the cluster could not be read. */
export type LiveRead = { readonly state: JitState } | { readonly unread: true };

/** Statuses whose entry is on the cluster and whose card shows its state. */
const LIVE = ['ACTIVE', 'REVOKE_FAILED'] as const;

/**
 * The live state after `read` at `now`, or undefined when it is what the request shows already (the
 * same state read again; a failed read of a state already marked unread, or of none known).
 */
export function nextLiveState(current: LiveState | undefined, read: LiveRead, now: string): LiveState | undefined {
  if ('unread' in read) {
    if (!current || current.unreadSince !== undefined) return undefined;
    return { ...current, unreadSince: now };
  }
  if (current?.state === read.state) {
    return current.unreadSince === undefined ? undefined : { state: current.state, since: current.since };
  }
  return { state: read.state, since: now };
}

/**
 * Keeps what a read found on a live request and redraws its approval message, only when it changed;
 * whether it did. A request no longer live is left alone; a lost card update is flagged for the reconciler.
 */
export async function noteLiveState(
  ports: LiveStatePorts,
  request: AccessRequest,
  read: LiveRead,
  log: Logger,
): Promise<boolean> {
  const now = toUtcSecond(nowOf(ports.clock));
  if (!isLive(request) || nextLiveState(request.live, read, now) === undefined) return false;
  let changed = false;
  const { ok, stored } = await ports.store.update(request.id, LIVE, (s) => {
    const next = nextLiveState(s.request.live, read, now);
    changed = next !== undefined;
    return next ? { ...s, request: { ...s.request, live: next } } : s;
  });
  if (!ok || !changed) return false;
  log.info('elevation state changed', { state: stored.request.live?.state, unread: 'unread' in read });
  if (stored.request.slack.approval) {
    try {
      await ports.notifier.approval(stored.request);
    } catch (error) {
      log.warn('approval message not redrawn with the elevation state', describeError(error));
      await ports.store.flagNotify(request.id).catch(() => undefined);
    }
  }
  return true;
}

function isLive(request: AccessRequest): boolean {
  return (LIVE as readonly string[]).includes(request.status);
}
