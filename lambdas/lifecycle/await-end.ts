/**
 * The end of a grant. AwaitEnd keeps the end token with the request (and, once, the time "ends
 * soon" is due, which the reconciler tells); the wait's timeout or a completed token ends it, and
 * Revoke (revoke.ts) follows. Revoke woken before the end (an extension completed the token with
 * ENDS_CHANGED) hands back to PlanEndWait, which works out the next wait from the record; so a
 * change of the end only needs the record changed and the wait woken.
 */
import { parseInstant } from '../domain/durations';
import { endsSoonAtFor, endWaitSeconds, noticeOf } from '../domain/nudges';
import type { AccessRequest } from '../domain/request';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { RequestClosedError } from './errors';
import type { Ports } from './ports';
import type { GrantOutput } from './task-io';

/**
 * AwaitEnd: keeps the token, and with it when "ends soon" is told (one write); ends the wait at
 * once if a revoke was asked for before the token was kept.
 */
export async function awaitEnd(
  ports: Pick<Ports, 'store' | 'workflow' | 'config'>,
  input: { requestId: string; taskToken: string },
  log: Logger,
): Promise<{ waiting: boolean }> {
  const { ok: kept, stored } = await ports.store.update(input.requestId, ['ACTIVE'], (s) => ({
    ...s,
    tokens: { ...s.tokens, end: input.taskToken },
    request: withEndsSoon(ports, s.request),
  }));
  const request = stored.request;
  if (!kept || (request.status === 'ACTIVE' && request.revokeRequestedBy !== undefined)) {
    log.info('revoke asked for before the end wait began; ending it now', { status: request.status });
    await ports.workflow.endNow(input.taskToken);
    return { waiting: false };
  }
  if (request.status === 'ACTIVE' && request.extension?.approvedAt !== undefined) {
    // An extension approved before this wait began (its signal found no token): apply it now.
    log.info('an approved extension is waiting; waking the end wait to apply it');
    await ports.workflow.endsChanged(input.taskToken);
    return { waiting: false };
  }
  return { waiting: true };
}

/** PlanEndWait: the next step of the end wait, from the record (its window and what was told). */
export async function planEndWait(
  ports: Pick<Ports, 'store' | 'config' | 'clock'>,
  input: { requestId: string },
  log: Logger,
): Promise<GrantOutput> {
  const request = await ports.store.get(input.requestId);
  if (request.status !== 'ACTIVE' && request.status !== 'REVOKE_FAILED') {
    throw new RequestClosedError(request.id, request.status);
  }
  const planned = withEndsSoon(ports, request);
  const now = nowOf(ports.clock).toMillis();
  // A revoke asked for meanwhile: the next wait is kept short; AwaitEnd ends it at once.
  const seconds = 'revokeRequestedBy' in planned && planned.revokeRequestedBy ? 1 : endWaitSeconds(planned, now);
  log.info('end wait planned', { end: request.window.end, seconds });
  return { window: request.window, endTimeoutSeconds: seconds };
}

/** The time to tell "ends soon", for the policy's notice, the first time the wait is planned. */
export function withEndsSoon<R extends AccessRequest>(ports: Pick<Ports, 'config'>, request: R): R {
  if (request.status !== 'ACTIVE' || request.endsSoonAt !== undefined) return request;
  const policy = ports.config.policies.find((p) => p.name === request.policy);
  const at = endsSoonAtFor(request.window, noticeOf(policy));
  return at === undefined ? request : { ...request, endsSoonAt: at };
}

/** The first end wait right after the grant: until "ends soon" if the policy tells it, else until the end. */
export function firstEndWait(ports: Pick<Ports, 'config'>, request: AccessRequest, nowMs: number): number {
  if (request.status !== 'ACTIVE') return 1;
  return endWaitSeconds(withEndsSoon(ports, request), nowMs);
}

/** Whether the grant's end has come (within a second) at `nowMs`. */
export function endReached(request: { window: { end: string } }, nowMs: number): boolean {
  return parseInstant(request.window.end).toMillis() - nowMs < 1000;
}
