import { attentionOf } from '../../lambdas/domain/attention';
import { milestoneOf, NOTICE_GRACE_SECONDS, noticeDue, owedNotices } from '../../lambdas/domain/milestones';
import type { AccessRequest, Status } from '../../lambdas/domain/request';
import { transition } from '../../lambdas/domain/transitions';
import { at, pendingRequest, requestIn } from '../support/requests';

const APPROVAL = { channel: 'C0APPROVALS', ts: '1700000000.000100' };
/** A request in `status` with an approval message, nothing told yet. */
const untold = (status: Status): AccessRequest => ({
  ...requestIn(status, { ...pendingRequest(), slack: { approval: APPROVAL } }),
  told: [],
});

describe('milestones owed by the record', () => {
  it.each([
    ['PENDING', []],
    ['APPROVED', []],
    ['ACTIVE', ['granted', 'thread:granted']],
    ['REVOKE_FAILED', ['revoke-failed', 'thread:revoke-failed']],
    ['DENIED', ['denied']],
    ['CANCELLED', []],
    ['EXPIRED', ['expired']],
    ['REVOKED', ['ended', 'thread:ended']],
    // A validation failure has no approval message to thread under.
    ['FAILED', ['failed']],
  ] as const)('%s owes %j', (status, keys) => {
    expect(owedNotices(untold(status), at(300)).map((n) => n.key)).toEqual(keys);
  });

  it('owes nothing once told, and nothing for a request kept before milestones were recorded', () => {
    const active = untold('ACTIVE');
    expect(owedNotices({ ...active, told: ['granted', 'thread:granted'] }, at(3))).toEqual([]);
    const { told: _none, ...legacy } = active;
    expect(owedNotices(legacy as AccessRequest, at(3))).toEqual([]);
  });

  it('tells an approval for later, and folds an approval for now into the grant', () => {
    const later = pendingRequest({ requestedStart: at(120) });
    const approved = transition(later, { type: 'APPROVE', by: 'U0BOB', at: at(1) }).next;
    expect(milestoneOf(approved)).toBe('approved');
    expect(milestoneOf(requestIn('APPROVED'))).toBeUndefined();
  });

  it('after a pending clean-up, tells that it is done instead of the failure again', () => {
    const approved = requestIn('APPROVED');
    const failed = transition(approved, { type: 'GRANT_FAILED', at: at(3), reason: 'down', cleanupPending: true }).next;
    expect(milestoneOf(failed)).toBe('failed-cleanup-pending');
    const told = { ...failed, told: ['failed-cleanup-pending'] };
    const cleaned = transition(told, { type: 'CLEANED_UP', at: at(9) }).next;
    expect(owedNotices(cleaned, at(9)).map((n) => n.key)).toEqual(['cleaned-up']);
  });

  it('owes "ends soon" from its time until the end; found after the end it is recorded, not sent', () => {
    const active = { ...requestIn('ACTIVE'), endsSoonAt: at(47) };
    expect(owedNotices(active, at(46))).toEqual([]);
    expect(owedNotices(active, at(47))).toEqual([{ milestone: 'ends-soon', audience: 'requester', key: 'ends-soon' }]);
    expect(owedNotices(active, at(62))).toEqual([
      { milestone: 'ends-soon', audience: 'requester', key: 'ends-soon', late: true },
    ]);
    expect(owedNotices({ ...active, told: [...(active.told ?? []), 'ends-soon'] }, at(50))).toEqual([]);
  });

  it('files what is owed for the reconciler a grace after it became owed', () => {
    const active = untold('ACTIVE');
    const due = new Date(Date.parse(active.updatedAt) + NOTICE_GRACE_SECONDS * 1000).toISOString();
    expect(noticeDue(active)).toBe(due.replace('.000Z', 'Z'));
    expect(attentionOf(active)).toEqual({ why: 'notify', due: noticeDue(active) });
    // Told: the grant is filed under its end again.
    expect(attentionOf({ ...active, told: ['granted', 'thread:granted'] })?.why).toBe('overdue');
  });
});
