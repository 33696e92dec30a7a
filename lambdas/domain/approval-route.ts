/**
 * Where an approved request goes next, from its record alone: granted now (from `start`), kept until
 * its scheduled start, or closed because too little of its window is left. One rule for every part
 * that decides it: the workflow's CheckApproval, the Slack side completing the approval wait, and the
 * reconciler completing it again. A completion that carries `GRANT` takes the workflow straight to the
 * grant, exactly where CheckApproval would have sent it; anything else goes through CheckApproval. Pure.
 */
import type { DateTime } from 'luxon';
import { parseDuration, parseInstant, toUtcSecond } from './durations';
import { DEFAULT_MIN_REMAINING, type Policy } from './policy';
import type { AccessRequest } from './request';
import { grantWindow, type WindowedRequest } from './window';

/** An approved request's next step: the grant now, the wait for its start, or its window passed. */
export type ApprovedRoute =
  | { readonly route: 'GRANT'; readonly start: string }
  | { readonly route: 'WAIT'; readonly startAt: string }
  | { readonly route: 'PASSED' };

/** The policy's minimum of a scheduled window worth granting, in seconds (the default when it is gone). */
export function minRemainingSeconds(policy: Pick<Policy, 'minRemaining'> | undefined): number {
  return policy?.minRemaining ?? parseDuration(DEFAULT_MIN_REMAINING);
}

/**
 * The next step of a request approved as of `now`. A start less than a second ahead is now; a window
 * with less than the minimum left is passed, with nothing granted.
 */
export function approvedRoute(
  request: WindowedRequest & { readonly decidedAt?: string },
  now: DateTime,
  minRemaining: number,
): ApprovedRoute {
  const startAt = request.requestedStart ? toUtcSecond(parseInstant(request.requestedStart)) : undefined;
  if (startAt !== undefined && parseInstant(startAt).toMillis() - now.toMillis() >= 1000) {
    return { route: 'WAIT', startAt };
  }
  if (!grantWindow(request, now, minRemaining).ok) return { route: 'PASSED' };
  return { route: 'GRANT', start: toUtcSecond(now) };
}

/**
 * What the grant may start on before its read of the request: the grant lock's key and end, and whose
 * standing to check under which policy. Checked against the request once read; only a hint until then.
 */
export interface GrantAhead {
  readonly cluster: string;
  readonly svmUuid: string;
  readonly account: string;
  readonly application: string;
  /** The window's end, as the grant computes it from `start`: the lock's `until`. */
  readonly until: string;
  /** The requester's Slack user id. */
  readonly requester: string;
  readonly policy: string;
}

/**
 * What completes an approval wait: the decision on record and, for an approval to grant now, the route
 * and the window's start, so the workflow skips the re-read, and what the grant may start on before its
 * own read. Only ever built from the stored request.
 */
export type ApprovalCompletion =
  | { readonly decision: 'APPROVED' | 'DENIED' | 'CANCELLED' }
  | { readonly decision: 'APPROVED'; readonly route: 'GRANT'; readonly start: string; readonly ahead?: GrantAhead };

/** The completion the stored `request` gives as of `now`: any status other than approved or denied ends as cancelled. */
export function approvalCompletion(
  request: AccessRequest,
  now: DateTime,
  policy: Pick<Policy, 'minRemaining'> | undefined,
): ApprovalCompletion {
  if (request.status === 'DENIED') return { decision: 'DENIED' };
  if (request.status !== 'APPROVED') return { decision: 'CANCELLED' };
  const minRemaining = minRemainingSeconds(policy);
  const next = approvedRoute(request, now, minRemaining);
  if (next.route !== 'GRANT') return { decision: 'APPROVED' };
  const ahead = grantAhead(request, next.start, minRemaining);
  return { decision: 'APPROVED', route: 'GRANT', start: next.start, ...(ahead ? { ahead } : {}) };
}

/** What a grant from `start` may start on before reading the request (none before the SVM's uuid is known). */
export function grantAhead(request: AccessRequest, start: string, minRemaining: number): GrantAhead | undefined {
  const svmUuid = request.svm.uuid;
  const granted = grantWindow(request, parseInstant(start), minRemaining);
  if (svmUuid === undefined || !granted.ok) return undefined;
  return {
    cluster: request.cluster,
    svmUuid,
    account: request.requester.ontapAccount,
    application: request.application,
    until: granted.window.end,
    requester: request.requester.slackUserId,
    policy: request.policy,
  };
}
