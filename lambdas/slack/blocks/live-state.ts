/** A live grant's elevation state (ONTAP's `jit_state`) in one line, for its approval message and Home. Pure. */
import type { AccessRequest } from '../../domain/request';
import { slackDate } from './escape';

const PHRASES: Readonly<Record<string, string>> = {
  preactive: ':calendar: scheduled, not open yet (`preactive`)',
  idle: ':large_green_circle: ready to elevate, nobody elevated (`idle`)',
  active: ':zap: elevated now (`active`)',
  unknown: ':question: in a state this version does not know',
};

/**
 * "ONTAP: elevated now (`active`), seen since 10:02" for a live grant whose state was read (the
 * reconciler reads it every pass and the time moves only when the state does); undefined otherwise.
 * A state the cluster could not be read for since is said to be the last known one.
 */
export function liveStateLine(request: AccessRequest): string | undefined {
  if ((request.status !== 'ACTIVE' && request.status !== 'REVOKE_FAILED') || !request.live) return undefined;
  const { state, since, unreadSince } = request.live;
  const line = `ONTAP: ${PHRASES[state] ?? PHRASES.unknown}, seen since ${slackDate(since)}`;
  return unreadSince === undefined
    ? `${line}.`
    : `${line}; last known: the cluster could not be read since ${slackDate(unreadSince)}.`;
}
