/**
 * The request lifecycle of DESIGN.md as a pure transition function: a request and an event in,
 * the next request and the audit event out, or a named error when the event does not apply.
 *
 *   PENDING --APPROVE (N distinct)--> APPROVED --GRANTED--> ACTIVE --REVOKED--> EXPIRED | REVOKED
 *      |--DENY--> DENIED                  |--GRANT_FAILED--> FAILED     |--REVOKE_FAILED--> REVOKE_FAILED
 *      |                                  |--WINDOW_PASSED--> EXPIRED (too little of a scheduled window left)
 *      |--CANCEL--> CANCELLED             |--CANCEL (requester, or approver with a reason)--> CANCELLED
 *                                   (REVOKE_FAILED --REVOKED--> EXPIRED | REVOKED)
 *      |--APPROVAL_TIMEOUT--> EXPIRED
 *      |--VALIDATION_FAILED--> FAILED      |--REAUTHORIZATION_FAILED--> FAILED
 *      |--REAUTHORIZATION_FAILED--> FAILED
 *   FAILED (clean-up pending) --CLEANED_UP--> FAILED
 *   PENDING --BREAK_GLASS--> APPROVED;  after it, in any status --BREAK_GLASS_REVIEWED--> (same)  (break-glass.ts)
 */
import { z } from 'zod';
import { BREAK_GLASS_EVENTS, breakGlassTransition } from './break-glass';
import { AlreadyApprovedError, IllegalTransitionError, NotAllowedError } from './errors';
import { EXTENSION_EVENT_TYPES, EXTENSION_EVENTS, extendTransition } from './extension';
import { type AccessRequest, LiveStateSchema, pickBase, type Status, WindowSchema } from './request';

const at = z.string().min(1);
const by = z.string().min(1);

/** Everything that can happen to a request, validated where it arrives. */
export const LifecycleEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('APPROVE'), by, at, person: z.array(z.string().min(1).max(300)).max(8).optional() }),
  z.object({ type: z.literal('DENY'), by, at, reason: z.string().min(1).max(3000) }),
  /** By the requester; or, with a reason, by an approver once the request is approved and not yet granted. */
  z.object({ type: z.literal('CANCEL'), by, at, reason: z.string().min(1).max(3000).optional() }),
  z.object({ type: z.literal('APPROVAL_TIMEOUT'), at }),
  z.object({ type: z.literal('VALIDATION_FAILED'), at, reason: z.string().min(1) }),
  z.object({ type: z.literal('WINDOW_PASSED'), at }),
  z.object({ type: z.literal('REAUTHORIZATION_FAILED'), at, reason: z.string().min(1) }),
  z.object({ type: z.literal('GRANTED'), at, window: WindowSchema, live: LiveStateSchema.optional() }),
  z.object({ type: z.literal('GRANT_FAILED'), at, reason: z.string().min(1), cleanupPending: z.boolean().optional() }),
  z.object({ type: z.literal('CLEANED_UP'), at }),
  z.object({ type: z.literal('REVOKE_REQUESTED'), by, at }),
  z.object({ type: z.literal('REVOKED'), at, alreadyGone: z.boolean().default(false) }),
  z.object({ type: z.literal('REVOKE_FAILED'), at, reason: z.string().min(1) }),
  ...EXTENSION_EVENTS,
  ...BREAK_GLASS_EVENTS,
]);

/** One lifecycle event. */
export type LifecycleEvent = z.infer<typeof LifecycleEventSchema>;

/** The kind of a lifecycle event. */
export type EventType = LifecycleEvent['type'];

/** The result of a transition: the request as it now is, and whether its status changed. */
export interface Transition {
  readonly next: AccessRequest;
  readonly from: Status;
  readonly to: Status;
}

/** A break-glass is reviewed after its self-grant, whatever became of the grant since (break-glass.ts). */
const REVIEWED = 'BREAK_GLASS_REVIEWED' satisfies EventType;

/** Legal events per status; anything else is an IllegalTransitionError. */
export const LEGAL_EVENTS: Readonly<Record<Status, readonly EventType[]>> = {
  PENDING: [
    'APPROVE',
    'DENY',
    'CANCEL',
    'APPROVAL_TIMEOUT',
    'VALIDATION_FAILED',
    'REAUTHORIZATION_FAILED',
    'BREAK_GLASS',
  ],
  APPROVED: ['GRANTED', 'GRANT_FAILED', 'CANCEL', 'WINDOW_PASSED', 'REAUTHORIZATION_FAILED', REVIEWED],
  ACTIVE: ['REVOKE_REQUESTED', 'REVOKED', 'REVOKE_FAILED', ...EXTENSION_EVENT_TYPES, REVIEWED],
  REVOKE_FAILED: ['REVOKE_REQUESTED', 'REVOKED', 'REVOKE_FAILED', REVIEWED],
  DENIED: [],
  CANCELLED: [REVIEWED],
  EXPIRED: [REVIEWED],
  REVOKED: [REVIEWED],
  FAILED: ['CLEANED_UP', REVIEWED],
};

/**
 * Applies one event. Who-may-approve rules are checked by `authorizeApproval` before this is
 * called; this function holds the order of the lifecycle and the counting of approvals.
 */
export function transition(request: AccessRequest, event: LifecycleEvent): Transition {
  if (!LEGAL_EVENTS[request.status].includes(event.type)) {
    throw new IllegalTransitionError(request.status, event.type, describeRefusal(request, event));
  }
  const common = { ...pickBase(request), version: request.version + 1, updatedAt: event.at };
  const done = (next: AccessRequest): Transition => ({ next, from: request.status, to: next.status });

  switch (event.type) {
    case 'APPROVE': {
      if (request.status !== 'PENDING') break;
      if (request.approvals.some((a) => a.by === event.by)) throw new AlreadyApprovedError();
      const approval = { by: event.by, at: event.at, ...(event.person ? { person: event.person } : {}) };
      const approvals = [...request.approvals, approval];
      if (approvals.length >= request.approvalsRequired) {
        return done({ ...common, approvals, status: 'APPROVED', decidedAt: event.at });
      }
      return done({ ...common, approvals, status: 'PENDING' });
    }
    case 'DENY':
      if (request.status !== 'PENDING') break;
      return done({ ...common, status: 'DENIED', deniedBy: event.by, reason: event.reason, decidedAt: event.at });
    case 'CANCEL': {
      if (request.status !== 'PENDING' && request.status !== 'APPROVED') break;
      // Who may cancel is authorizeCancel's rule; the lifecycle keeps its shape: a pending request is
      // the requester's to withdraw (approvers deny it), and anyone else says why.
      if (event.by !== request.requester.slackUserId) {
        if (request.status !== 'APPROVED') {
          throw new NotAllowedError('Only the requester can cancel a request still waiting; approvers deny it.');
        }
        if (event.reason === undefined) {
          throw new NotAllowedError("Cancelling someone else's approved request needs a reason.");
        }
      }
      const reason = event.reason !== undefined ? { reason: event.reason } : {};
      return done({ ...common, status: 'CANCELLED', cancelledBy: event.by, ...reason, endedAt: event.at });
    }
    case 'APPROVAL_TIMEOUT':
      if (request.status !== 'PENDING') break;
      return done({ ...common, status: 'EXPIRED', expiry: 'approval-timeout', endedAt: event.at });
    case 'VALIDATION_FAILED':
      if (request.status !== 'PENDING') break;
      return done({ ...common, status: 'FAILED', stage: 'validation', reason: event.reason, endedAt: event.at });
    case 'WINDOW_PASSED':
      if (request.status !== 'APPROVED') break;
      return done({ ...common, status: 'EXPIRED', expiry: 'window-passed', endedAt: event.at });
    case 'REAUTHORIZATION_FAILED':
      if (request.status !== 'PENDING' && request.status !== 'APPROVED') break;
      return done({ ...common, status: 'FAILED', stage: 'authorization', reason: event.reason, endedAt: event.at });
    case 'GRANTED':
      if (request.status !== 'APPROVED') break;
      return done({
        ...common,
        status: 'ACTIVE',
        decidedAt: request.decidedAt,
        window: event.window,
        grantedAt: event.at,
        ...(event.live ? { live: event.live } : {}),
      });
    case 'GRANT_FAILED':
      if (request.status !== 'APPROVED') break;
      return done({
        ...common,
        status: 'FAILED',
        stage: 'grant',
        reason: event.reason,
        endedAt: event.at,
        ...(event.cleanupPending ? { cleanupPending: true as const } : {}),
      });
    case 'CLEANED_UP': {
      if (request.status !== 'FAILED' || !request.cleanupPending) break;
      // The cluster confirmed no entry names the request: the failure stands, nothing is left behind.
      const { stage, reason, endedAt } = request;
      return done({ ...common, status: 'FAILED', stage, reason, endedAt });
    }
    case 'REVOKE_REQUESTED':
      if (request.status !== 'ACTIVE' && request.status !== 'REVOKE_FAILED') break;
      if (request.revokeRequestedBy !== undefined) {
        throw new IllegalTransitionError(request.status, event.type, 'A revoke has already been asked for.');
      }
      return done({ ...request, ...common, revokeRequestedBy: event.by });
    case 'REVOKED': {
      if (request.status !== 'ACTIVE' && request.status !== 'REVOKE_FAILED') break;
      const granted = { window: request.window, grantedAt: request.grantedAt };
      if (request.revokeRequestedBy !== undefined) {
        const revokedBy = request.revokeRequestedBy;
        return done({
          ...common,
          ...granted,
          status: 'REVOKED',
          decidedAt: request.decidedAt,
          revokedBy,
          endedAt: event.at,
        });
      }
      return done({ ...common, ...granted, status: 'EXPIRED', expiry: 'window-ended', endedAt: event.at });
    }
    case 'REVOKE_FAILED':
      if (request.status !== 'ACTIVE' && request.status !== 'REVOKE_FAILED') break;
      return done({
        ...common,
        status: 'REVOKE_FAILED',
        decidedAt: request.decidedAt,
        window: request.window,
        grantedAt: request.grantedAt,
        ...(request.revokeRequestedBy !== undefined ? { revokeRequestedBy: request.revokeRequestedBy } : {}),
        reason: event.reason,
      });
    case 'EXTEND_REQUESTED':
    case 'EXTEND_APPROVE':
    case 'EXTEND_DENY':
    case 'EXTEND_DROPPED':
    case 'EXTENDED':
      if (request.status !== 'ACTIVE') break;
      return done(extendTransition(request, event, { version: common.version, updatedAt: common.updatedAt }));
    case 'BREAK_GLASS':
    case 'BREAK_GLASS_REVIEWED':
      return done(breakGlassTransition(request, event, common));
    default:
      return assertNever(event);
  }
  // Only reachable if LEGAL_EVENTS and the switch disagree.
  throw new IllegalTransitionError(request.status, event.type);
}

function describeRefusal(request: AccessRequest, event: LifecycleEvent): string {
  switch (request.status) {
    case 'PENDING':
      return `This request is still waiting for approval; ${event.type.toLowerCase().replace(/_/g, ' ')} does not apply yet.`;
    case 'APPROVED':
      return 'This request has already been approved.';
    case 'ACTIVE':
    case 'REVOKE_FAILED':
      return 'This request has already been granted.';
    case 'DENIED':
      return `This request was already denied by <@${request.deniedBy}>.`;
    case 'CANCELLED':
      return `This request was already cancelled by <@${request.cancelledBy}>.`;
    case 'EXPIRED':
      switch (request.expiry) {
        case 'approval-timeout':
          return 'This request expired before it was approved.';
        case 'window-passed':
          return 'This request expired: too little of its requested window was left when it was approved.';
        case 'window-ended':
          return 'This grant has already ended.';
        default:
          return assertNever(request.expiry);
      }
    case 'REVOKED':
      return `This grant was already revoked by <@${request.revokedBy}>.`;
    case 'FAILED':
      return `This request failed: ${request.reason}`;
    default:
      return assertNever(request);
  }
}

/** Compile-time proof that a switch covers every case. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
