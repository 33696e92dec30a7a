/**
 * Milestones: the changes the people concerned are told of with a new message (Slack notifies a new
 * message, never an edit). The requester gets a DM for each; the approvers a reply in the approval
 * message's thread for each one after the decision. Which are owed follows from the record alone:
 * the milestone the status implies, less those the request's `told` list already holds. So a task
 * retried or a reconciler pass tells nothing twice, and a message that was lost stays owed. Pure.
 */
import { parseInstant, toUtcSecond } from './durations';
import type { AccessRequest } from './request';

/** Every milestone. */
export const MILESTONES = [
  'approved',
  'granted',
  'denied',
  'expired',
  'ends-soon',
  'ended',
  'revoke-failed',
  'failed',
  'failed-cleanup-pending',
  'cleaned-up',
] as const;

/** One milestone. */
export type Milestone = (typeof MILESTONES)[number];

/** Who is told: the requester (a DM) or the approvers (a thread reply under the approval message). */
export type Audience = 'requester' | 'approvers';

/** One message owed: which milestone, to whom, and the key the `told` list records it under. */
export interface OwedNotice {
  readonly milestone: Milestone;
  readonly audience: Audience;
  readonly key: string;
  /** "Ends soon" found only after the end: recorded as done, not sent (the end itself is the news). */
  readonly late?: boolean;
}

/**
 * How long a task has to tell a milestone before the reconciler tells it instead: longer than a
 * task's retries take, so the two do not both post.
 */
export const NOTICE_GRACE_SECONDS = 90;

/** Milestones the approvers are told of in the thread: what happened after they decided. */
const APPROVER_MILESTONES: ReadonlySet<Milestone> = new Set([
  'granted',
  'ended',
  'revoke-failed',
  'failed',
  'failed-cleanup-pending',
  'cleaned-up',
]);

/** The key a notice is recorded under in `told`. */
export function noticeKey(milestone: Milestone, audience: Audience): string {
  return audience === 'requester' ? milestone : `thread:${milestone}`;
}

/** The milestone a request's status stands for, if any (ends soon is a time, not a status). */
export function milestoneOf(r: AccessRequest): Milestone | undefined {
  switch (r.status) {
    case 'PENDING':
    case 'CANCELLED':
      // Pending: nothing yet. Cancelled: by the requester, or told at once by the person who cancelled.
      return undefined;
    case 'APPROVED':
      // Approved for later: told now. Approved for now: the grant follows at once and tells both in one.
      return r.requestedStart !== undefined && r.requestedStart > r.decidedAt ? 'approved' : undefined;
    case 'ACTIVE':
      return r.revokeRequestedBy === undefined ? 'granted' : undefined;
    case 'REVOKE_FAILED':
      return 'revoke-failed';
    case 'DENIED':
      return 'denied';
    case 'EXPIRED':
      return r.expiry === 'window-ended' ? 'ended' : 'expired';
    case 'REVOKED':
      return 'ended';
    case 'FAILED':
      if (r.cleanupPending) return 'failed-cleanup-pending';
      return r.told?.includes('failed-cleanup-pending') ? 'cleaned-up' : 'failed';
  }
}

/**
 * The messages still owed at `now` (ISO): the status's milestone to each audience, and "ends soon"
 * once its time has come; none for a request kept before `told` was.
 */
export function owedNotices(r: AccessRequest, now: string): OwedNotice[] {
  if (r.told === undefined) return [];
  const owed: OwedNotice[] = [];
  const milestone = milestoneOf(r);
  if (milestone !== undefined) {
    owed.push({ milestone, audience: 'requester', key: noticeKey(milestone, 'requester') });
    // Approvers hear of later events where there is an approval message to thread under.
    const threaded = r.slack.approval !== undefined && !(r.status === 'FAILED' && r.stage === 'validation');
    if (threaded && APPROVER_MILESTONES.has(milestone))
      owed.push({ milestone, audience: 'approvers', key: noticeKey(milestone, 'approvers') });
  }
  const soon = endsSoon(r);
  if (soon !== undefined && soon.at <= now) {
    // Past the end, the end itself is the news, not its approach.
    owed.push({
      milestone: 'ends-soon',
      audience: 'requester',
      key: 'ends-soon',
      ...(now >= soon.end ? { late: true } : {}),
    });
  }
  return owed.filter((n) => !r.told?.includes(n.key));
}

/** When "ends soon" is to be told: a live grant, not being revoked, before its end; undefined otherwise. */
function endsSoon(r: AccessRequest): { readonly at: string; readonly end: string } | undefined {
  if (r.status !== 'ACTIVE' || r.revokeRequestedBy !== undefined || r.endsSoonAt === undefined) return undefined;
  return r.endsSoonAt < r.window.end ? { at: r.endsSoonAt, end: r.window.end } : undefined;
}

/**
 * When the reconciler should tell what is owed: a grace after a change the workflow tells itself,
 * and the "ends soon" time itself (the reconciler is the one that tells it, on its next pass).
 * Undefined when nothing is owed.
 */
export function noticeDue(r: AccessRequest): string | undefined {
  if (r.told === undefined) return undefined;
  const plus = (iso: string): string => toUtcSecond(parseInstant(iso).plus({ seconds: NOTICE_GRACE_SECONDS }));
  const dues = owedNotices(r, r.updatedAt).length > 0 ? [plus(r.updatedAt)] : [];
  const soon = endsSoon(r);
  if (soon !== undefined && !r.told?.includes('ends-soon')) dues.push(soon.at);
  return dues.sort()[0];
}
