/**
 * When a request needs the reconciler, decided from its record alone. The store files a request
 * under this due time in a sparse index, so a reconciler pass reads only what is due, however many
 * requests are kept. Pure: no I/O, no clock.
 */

import { reviewEscalationDue } from './break-glass';
import { digestDue } from './digest';
import { parseInstant, toUtcSecond } from './durations';
import { noticeDue } from './milestones';
import type { AccessRequest } from './request';

/** How often the reconciler runs (AWS schedule and the local stack's scaled timer alike). */
export const RECONCILE_PERIOD_SECONDS = 120;

/**
 * How long a recorded decision may take to reach the workflow before it is signalled again: the
 * Slack endpoint's own time limit (10 s) and a little more. A signal sent twice is harmless (the
 * workflow re-reads the record), so this is short.
 */
export const SIGNAL_GRACE_SECONDS = 15;

/**
 * How long past its end a grant may still be live before the reconciler removes it itself: one
 * period. The workflow's revoke normally ends it within seconds of the end.
 */
export const OVERDUE_GRACE_SECONDS = RECONCILE_PERIOD_SECONDS;

/** First pause before a repair is tried again; it doubles per attempt up to one period. */
export const FIRST_RETRY_SECONDS = 15;

/**
 * How long a recorded request may wait for its workflow to record its execution before the
 * reconciler looks: long enough for a person shown "please try again" in the still-open form to
 * send it again (the same delivery starts the same workflow), short enough that a request nobody
 * will start does not hold one of the person's open requests for long.
 */
export const START_GRACE_SECONDS = 5 * RECONCILE_PERIOD_SECONDS;

/** Why the reconciler looks at a request. */
export type Attention =
  | 'unstarted'
  | 'signal-approval'
  | 'signal-revoke'
  | 'signal-extension'
  | 'overdue'
  | 'retry-revoke'
  | 'clean-up'
  | 'notify'
  | 'digest'
  | 'break-glass-review';

/**
 * The request's reason and due time for the reconciler, or undefined when nothing is owed: the
 * earlier of what its status owes and a milestone message nobody has told yet (domain/milestones.ts).
 */
export function attentionOf(request: AccessRequest): { readonly why: Attention; readonly due: string } | undefined {
  const owed = statusAttention(request);
  const notice = noticeDue(request);
  // A break-glass nobody reviewed in time is escalated, once (domain/break-glass.ts).
  const review = reviewEscalationDue(request);
  if (review !== undefined && (owed === undefined || review < owed.due) && (notice === undefined || review < notice)) {
    return { why: 'break-glass-review', due: review };
  }
  if (notice !== undefined && (owed === undefined || notice < owed.due)) return { why: 'notify', due: notice };
  return owed;
}

/** What the request's status alone owes the reconciler (a signal, a revoke, a clean-up), and when. */
export function statusAttention(request: AccessRequest): { readonly why: Attention; readonly due: string } | undefined {
  const plus = (iso: string, seconds: number): string => toUtcSecond(parseInstant(iso).plus({ seconds }));
  switch (request.status) {
    case 'APPROVED': {
      // A scheduled start: the workflow waits for it before granting.
      const start = request.requestedStart;
      const from = start && start > request.updatedAt ? start : request.updatedAt;
      return { why: 'signal-approval', due: plus(from, SIGNAL_GRACE_SECONDS) };
    }
    case 'ACTIVE': {
      if (request.revokeRequestedBy)
        return { why: 'signal-revoke', due: plus(request.updatedAt, SIGNAL_GRACE_SECONDS) };
      const overdue = { why: 'overdue' as const, due: plus(request.window.end, OVERDUE_GRACE_SECONDS) };
      // An approved extension the workflow has not applied: its wake-up is sent again (never past the overdue check).
      const approved = request.extension?.approvedAt;
      if (approved === undefined) return overdue;
      const resend = plus(approved, SIGNAL_GRACE_SECONDS);
      return resend < overdue.due ? { why: 'signal-extension', due: resend } : overdue;
    }
    case 'REVOKE_FAILED':
      return { why: 'retry-revoke', due: request.updatedAt };
    case 'FAILED':
      return request.cleanupPending ? { why: 'clean-up', due: request.updatedAt } : undefined;
    case 'PENDING':
      // Recorded, but its workflow never said it runs: a start lost between the write and the call.
      return request.executionArn === undefined
        ? { why: 'unstarted', due: plus(request.createdAt, START_GRACE_SECONDS) }
        : undefined;
    case 'EXPIRED':
    case 'REVOKED': {
      // A grant that ended is owed its activity digest (domain/digest.ts).
      const due = digestDue(request);
      return due === undefined ? undefined : { why: 'digest', due };
    }
    case 'DENIED':
    case 'CANCELLED':
      return undefined;
    default:
      return assertNeverStatus(request);
  }
}

/** The pause before attempt `attempts + 1` of a repair: 15 s, 30 s, 60 s, then one period. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(RECONCILE_PERIOD_SECONDS, FIRST_RETRY_SECONDS * 2 ** Math.max(0, attempts));
}

function assertNeverStatus(value: never): never {
  throw new Error(`Unhandled status: ${JSON.stringify(value)}`);
}
