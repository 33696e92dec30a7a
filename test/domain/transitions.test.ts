import { AlreadyApprovedError, IllegalTransitionError, NotAllowedError } from '../../lambdas/domain/errors';
import { isTerminal, RequestSchema, STATUSES, type Status } from '../../lambdas/domain/request';
import {
  type EventType,
  LEGAL_EVENTS,
  type LifecycleEvent,
  LifecycleEventSchema,
  transition,
} from '../../lambdas/domain/transitions';
import { at, pendingRequest, requestIn } from '../support/requests';

const SAMPLE = {
  APPROVE: { type: 'APPROVE', by: 'U0BOB', at: at(5) },
  DENY: { type: 'DENY', by: 'U0BOB', at: at(5), reason: 'change freeze' },
  CANCEL: { type: 'CANCEL', by: 'U0ALICE', at: at(5) },
  APPROVAL_TIMEOUT: { type: 'APPROVAL_TIMEOUT', at: at(5) },
  VALIDATION_FAILED: { type: 'VALIDATION_FAILED', at: at(5), reason: 'no such role' },
  WINDOW_PASSED: { type: 'WINDOW_PASSED', at: at(5) },
  REAUTHORIZATION_FAILED: { type: 'REAUTHORIZATION_FAILED', at: at(5), reason: 'no longer a requester' },
  GRANTED: { type: 'GRANTED', at: at(5), window: { start: at(5), end: at(65) } },
  GRANT_FAILED: { type: 'GRANT_FAILED', at: at(5), reason: 'cluster said no' },
  REVOKE_REQUESTED: { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(5) },
  REVOKED: { type: 'REVOKED', at: at(70), alreadyGone: false },
  REVOKE_FAILED: { type: 'REVOKE_FAILED', at: at(70), reason: 'timeout' },
  CLEANED_UP: { type: 'CLEANED_UP', at: at(90) },
  EXTEND_REQUESTED: {
    type: 'EXTEND_REQUESTED',
    by: 'U0ALICE',
    at: at(5),
    seconds: 1800,
    reason: 'migration',
    approvalsRequired: 1,
  },
  EXTEND_APPROVE: { type: 'EXTEND_APPROVE', by: 'U0BOB', at: at(6) },
  EXTEND_DENY: { type: 'EXTEND_DENY', by: 'U0BOB', at: at(6), reason: 'not now' },
  EXTEND_DROPPED: { type: 'EXTEND_DROPPED', at: at(6), reason: 'the grant ended first' },
  EXTENDED: {
    type: 'EXTENDED',
    at: at(7),
    replaced: 'idle',
    old: { start: at(2), end: at(62) },
    new: { start: at(2), end: at(92) },
  },
  BREAK_GLASS: { type: 'BREAK_GLASS', by: 'U0ALICE', at: at(1), reviewDueAt: at(241), reason: 'outage' },
  BREAK_GLASS_REVIEWED: { type: 'BREAK_GLASS_REVIEWED', by: 'U0BOB', at: at(90), outcome: 'acknowledged' },
} as const satisfies Record<EventType, LifecycleEvent>;

/** Where each legal (status, event) pair leads. */
const EXPECTED: Partial<Record<`${Status}+${EventType}`, Status>> = {
  'PENDING+APPROVE': 'APPROVED',
  'PENDING+DENY': 'DENIED',
  'PENDING+CANCEL': 'CANCELLED',
  'PENDING+APPROVAL_TIMEOUT': 'EXPIRED',
  'PENDING+VALIDATION_FAILED': 'FAILED',
  'PENDING+REAUTHORIZATION_FAILED': 'FAILED',
  'APPROVED+REAUTHORIZATION_FAILED': 'FAILED',
  'APPROVED+GRANTED': 'ACTIVE',
  'APPROVED+GRANT_FAILED': 'FAILED',
  'APPROVED+CANCEL': 'CANCELLED',
  'APPROVED+WINDOW_PASSED': 'EXPIRED',
  'ACTIVE+REVOKE_REQUESTED': 'ACTIVE',
  'ACTIVE+REVOKED': 'EXPIRED',
  'ACTIVE+REVOKE_FAILED': 'REVOKE_FAILED',
  'ACTIVE+EXTEND_REQUESTED': 'ACTIVE',
  'REVOKE_FAILED+REVOKE_REQUESTED': 'REVOKE_FAILED',
  'REVOKE_FAILED+REVOKED': 'EXPIRED',
  'REVOKE_FAILED+REVOKE_FAILED': 'REVOKE_FAILED',
};

const cases = STATUSES.flatMap((status) => (Object.keys(SAMPLE) as EventType[]).map((type) => [status, type] as const));

describe('a failed grant whose clean-up is pending', () => {
  const failed = (pending: boolean) =>
    transition(requestIn('APPROVED'), {
      type: 'GRANT_FAILED',
      at: at(5),
      reason: 'cluster unreachable',
      cleanupPending: pending,
    }).next;

  it('stays FAILED with the flag until the cluster confirms the entry gone, then drops it', () => {
    const pending = failed(true);
    expect(pending).toMatchObject({ status: 'FAILED', stage: 'grant', cleanupPending: true });
    const { next } = transition(pending, { type: 'CLEANED_UP', at: at(40) });
    expect(next).toMatchObject({ status: 'FAILED', stage: 'grant', reason: 'cluster unreachable', endedAt: at(5) });
    expect('cleanupPending' in next).toBe(false);
    expect(() => transition(next, { type: 'CLEANED_UP', at: at(41) })).toThrow(IllegalTransitionError);
  });

  it('refuses CLEANED_UP on a failure that left nothing to clean', () => {
    expect(() => transition(failed(false), { type: 'CLEANED_UP', at: at(40) })).toThrow(IllegalTransitionError);
  });
});

describe('transition', () => {
  it.each(cases)('%s + %s', (status, type) => {
    const request = requestIn(status);
    const expected = EXPECTED[`${status}+${type}`];
    if (expected === undefined) {
      expect(() => transition(request, SAMPLE[type])).toThrow(IllegalTransitionError);
      return;
    }
    const { next, from, to } = transition(request, SAMPLE[type]);
    expect([from, to]).toEqual([status, expected]);
    expect(next.version).toBe(request.version + 1);
    expect(next.updatedAt).toBe(SAMPLE[type].at);
    // What comes out is always a valid stored request: no stale field of the previous status.
    expect(RequestSchema.parse(next)).toEqual(next);
  });

  it('agrees with the table of legal events', () => {
    for (const status of STATUSES) {
      const legal = (Object.keys(SAMPLE) as EventType[]).filter((t) => EXPECTED[`${status}+${t}`] !== undefined);
      // Legal on FAILED only while a failed grant's clean-up is pending (tested below).
      if (status === 'FAILED') legal.push('CLEANED_UP');
      // Legal on a live grant with an extension waiting (test/domain/extension.test.ts).
      if (status === 'ACTIVE') legal.push('EXTEND_APPROVE', 'EXTEND_DENY', 'EXTEND_DROPPED', 'EXTENDED');
      // Legal on a break-glass request only (test/domain/break-glass.test.ts).
      if (status === 'PENDING') legal.push('BREAK_GLASS');
      else if (status !== 'DENIED') legal.push('BREAK_GLASS_REVIEWED');
      expect([...LEGAL_EVENTS[status]].sort()).toEqual(legal.sort());
    }
  });

  it('has no way out of a terminal status (a failed grant that is cleaned up stays FAILED)', () => {
    for (const status of STATUSES.filter((s) => isTerminal({ status: s }))) {
      // A break-glass review is recorded beside the status, never changing it (test/domain/break-glass.test.ts).
      const legal = LEGAL_EVENTS[status].filter((t) => t !== 'BREAK_GLASS_REVIEWED');
      expect(legal).toEqual(status === 'FAILED' ? ['CLEANED_UP'] : []);
    }
  });

  it('explains a refusal in words', () => {
    const denied = requestIn('DENIED');
    expect(() => transition(denied, SAMPLE.APPROVE)).toThrow('This request was already denied by <@U0BOB>.');
    expect(() => transition(requestIn('APPROVED'), SAMPLE.APPROVE)).toThrow('already been approved');
    expect(() => transition(requestIn('PENDING'), SAMPLE.REVOKED)).toThrow('still waiting for approval');
  });

  it('records the denial reason and the decider', () => {
    const next = transition(requestIn('PENDING'), SAMPLE.DENY).next;
    expect(next).toMatchObject({ status: 'DENIED', deniedBy: 'U0BOB', reason: 'change freeze', decidedAt: at(5) });
  });

  it('ends an early revoke as REVOKED by whoever asked, a natural end as EXPIRED', () => {
    const active = requestIn('ACTIVE');
    const asked = transition(active, SAMPLE.REVOKE_REQUESTED).next;
    expect(transition(asked, SAMPLE.REVOKED).next).toMatchObject({ status: 'REVOKED', revokedBy: 'U0ALICE' });
    expect(transition(active, SAMPLE.REVOKED).next).toMatchObject({ status: 'EXPIRED', expiry: 'window-ended' });
  });

  it('asks for a revoke once', () => {
    const asked = transition(requestIn('ACTIVE'), SAMPLE.REVOKE_REQUESTED).next;
    expect(() => transition(asked, { ...SAMPLE.REVOKE_REQUESTED, by: 'U0BOB' })).toThrow(/already been asked/);
  });

  it('keeps the window through a failed revoke and its later success', () => {
    const failed = requestIn('REVOKE_FAILED');
    expect(failed).toMatchObject({ status: 'REVOKE_FAILED', reason: 'cluster unreachable', window: { end: at(62) } });
    const ended = transition(failed, SAMPLE.REVOKED).next;
    expect(ended).toMatchObject({ status: 'EXPIRED', window: { end: at(62) } });
    expect(ended).not.toHaveProperty('reason');
  });

  it('lets only the requester cancel a pending request, and anyone else an approved one only with a reason', () => {
    expect(() => transition(requestIn('PENDING'), { ...SAMPLE.CANCEL, by: 'U0BOB' })).toThrow(NotAllowedError);
    expect(() => transition(requestIn('PENDING'), { ...SAMPLE.CANCEL, by: 'U0BOB', reason: 'no' })).toThrow(
      NotAllowedError,
    );
    expect(() => transition(requestIn('APPROVED'), { ...SAMPLE.CANCEL, by: 'U0BOB' })).toThrow('needs a reason');
    const cancelled = transition(requestIn('APPROVED'), { ...SAMPLE.CANCEL, by: 'U0BOB', reason: 'window moved' }).next;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelledBy: 'U0BOB', reason: 'window moved' });
    expect(() => transition(cancelled, SAMPLE.CANCEL)).toThrow('This request was already cancelled by <@U0BOB>.');
  });
});

describe('approvals', () => {
  it('needs N distinct approvers for an N-of-M policy', () => {
    const request = pendingRequest({ approvalsRequired: 2 });
    const one = transition(request, { type: 'APPROVE', by: 'U0BOB', at: at(1) });
    expect(one.to).toBe('PENDING');
    expect(one.next.approvals).toEqual([{ by: 'U0BOB', at: at(1) }]);
    const two = transition(one.next, { type: 'APPROVE', by: 'U0CAROL', at: at(2) });
    expect(two.to).toBe('APPROVED');
    expect(two.next.approvals.map((a) => a.by)).toEqual(['U0BOB', 'U0CAROL']);
  });

  it('counts a decision once: the same approver twice does not make two approvals', () => {
    const one = transition(pendingRequest({ approvalsRequired: 2 }), { type: 'APPROVE', by: 'U0BOB', at: at(1) }).next;
    expect(() => transition(one, { type: 'APPROVE', by: 'U0BOB', at: at(2) })).toThrow(AlreadyApprovedError);
  });
});

describe('LifecycleEventSchema', () => {
  it('refuses malformed events', () => {
    expect(LifecycleEventSchema.safeParse({ type: 'APPROVE', at: at(1) }).success).toBe(false);
    expect(LifecycleEventSchema.safeParse({ type: 'DENY', by: 'U0BOB', at: at(1), reason: '' }).success).toBe(false);
    expect(LifecycleEventSchema.safeParse({ type: 'EXPLODE', at: at(1) }).success).toBe(false);
    expect(
      LifecycleEventSchema.safeParse({ type: 'GRANTED', at: at(1), window: { start: 'soon', end: 'later' } }).success,
    ).toBe(false);
  });
});
