/**
 * The window a request asks for and the one it is granted: what the approver saw is what ONTAP gets.
 * A scheduled request keeps its requested end whenever it is approved; an immediate one runs for its
 * duration from the grant. Pure.
 */
import { DateTime } from 'luxon';
import { computeWindow, parseInstant, toUtcSecond, type Window } from './durations';
import type { RequestBase } from './request';

/** What the window rules need of a request. */
export type WindowedRequest = Pick<RequestBase, 'requestedStart' | 'durationSeconds'>;

/**
 * The least of a scheduled window worth granting, in seconds: the policy's `minRemaining`, but
 * never more than the whole window (a 10-minute request approved in time is always granted).
 */
export function minimumRemaining(request: WindowedRequest, minRemainingSeconds: number): number {
  return Math.min(minRemainingSeconds, request.durationSeconds);
}

/** The window a scheduled request asks for; undefined for one that starts as soon as approved. */
export function requestedWindow(request: WindowedRequest): Window | undefined {
  if (request.requestedStart === undefined) return undefined;
  return computeWindow(parseInstant(request.requestedStart), request.durationSeconds);
}

/** What a grant covers, or how little was left when there is nothing worth granting. */
export type GrantWindow =
  | { readonly ok: true; readonly window: Window; readonly seconds: number }
  | { readonly ok: false; readonly left: number };

/**
 * The window to grant. Immediate: from `now` for the duration. Scheduled: from the requested start,
 * or from the approval when that came later, to the requested end; so the window follows from the
 * record alone and a retried grant asks ONTAP for the very same one. Refused when less than the
 * minimum would be left from `now`.
 */
export function grantWindow(
  request: WindowedRequest & { readonly decidedAt?: string },
  now: DateTime,
  minRemainingSeconds: number,
): GrantWindow {
  const asked = requestedWindow(request);
  const seconds = request.durationSeconds;
  if (!asked) return { ok: true, window: computeWindow(now, seconds), seconds };
  const approved = request.decidedAt !== undefined ? Date.parse(request.decidedAt) : now.toMillis();
  const from = Math.max(Date.parse(asked.start), approved);
  const endMs = Date.parse(asked.end);
  const left = Math.floor((endMs - Math.max(from, now.toMillis())) / 1000);
  if (left <= 0 || left < minimumRemaining(request, minRemainingSeconds)) return { ok: false, left: Math.max(0, left) };
  const start = toUtcSecond(DateTime.fromMillis(from, { zone: 'utc' }));
  return { ok: true, window: { start, end: asked.end }, seconds: Math.round((endMs - Date.parse(start)) / 1000) };
}

/**
 * How long to wait for approval from `now`: the policy's approval timeout, but for a scheduled
 * request never past the point where less than the minimum of its window would be left. Zero or
 * less means it can no longer be granted at all.
 */
export function approvalWaitSeconds(
  request: WindowedRequest,
  now: DateTime,
  approvalTimeoutSeconds: number,
  minRemainingSeconds: number,
): number {
  const asked = requestedWindow(request);
  if (!asked) return approvalTimeoutSeconds;
  const lastUseful = Date.parse(asked.end) - minimumRemaining(request, minRemainingSeconds) * 1000;
  return Math.min(approvalTimeoutSeconds, Math.floor((lastUseful - now.toMillis()) / 1000));
}
