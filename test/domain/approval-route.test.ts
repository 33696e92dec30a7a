import { DateTime } from 'luxon';
import { approvalCompletion, approvedRoute, minRemainingSeconds } from '../../lambdas/domain/approval-route';
import { STATUSES } from '../../lambdas/domain/request';
import { at, pendingRequest, requestIn } from '../support/requests';

const utc = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' });
const HOUR = 3600;
const MIN15 = 15 * 60;
const policy = { minRemaining: MIN15 };

describe('where an approved request goes next', () => {
  it('an immediate request: the grant, from now (whole seconds)', () => {
    expect(approvedRoute({ durationSeconds: HOUR }, utc('2026-11-22T10:00:00.700Z'), MIN15)).toEqual({
      route: 'GRANT',
      start: '2026-11-22T10:00:00Z',
    });
  });

  it('a scheduled start a second or more ahead: the wait for it; less than a second ahead is now', () => {
    const request = { requestedStart: '2026-11-22T12:00:00Z', durationSeconds: HOUR, decidedAt: at(1) };
    expect(approvedRoute(request, utc('2026-11-22T11:59:59Z'), MIN15)).toEqual({
      route: 'WAIT',
      startAt: '2026-11-22T12:00:00Z',
    });
    expect(approvedRoute(request, utc('2026-11-22T11:59:59.500Z'), MIN15)).toEqual({
      route: 'GRANT',
      start: '2026-11-22T11:59:59Z',
    });
  });

  it('a scheduled window with less than the minimum left: passed, nothing to grant', () => {
    const request = { requestedStart: '2026-11-22T12:00:00Z', durationSeconds: HOUR, decidedAt: at(1) };
    expect(approvedRoute(request, utc('2026-11-22T12:44:00Z'), MIN15)).toEqual({
      route: 'GRANT',
      start: '2026-11-22T12:44:00Z',
    });
    expect(approvedRoute(request, utc('2026-11-22T12:46:00Z'), MIN15)).toEqual({ route: 'PASSED' });
  });

  it("takes the policy's minimum, or the default when the policy is gone", () => {
    expect(minRemainingSeconds({ minRemaining: 60 })).toBe(60);
    expect(minRemainingSeconds(undefined)).toBe(MIN15);
  });
});

describe('how the approval wait is completed, from the stored request', () => {
  it('an approval to grant now carries its route and start: the workflow goes straight to the grant', () => {
    const approved = requestIn('APPROVED');
    expect(approvalCompletion(approved, utc(at(1)), policy)).toEqual({
      decision: 'APPROVED',
      route: 'GRANT',
      start: at(1),
      // What the grant may start on with its read: its lock's key and end, whose standing to check, under which policy.
      ahead: {
        cluster: approved.cluster,
        svmUuid: approved.svm.uuid,
        account: approved.requester.ontapAccount,
        application: 'ssh',
        until: at(61),
        requester: approved.requester.slackUserId,
        policy: approved.policy,
      },
    });
    // Before the SVM's uuid is known there is no lock to name: the grant reads first.
    const unvalidated = { ...approved, svm: { name: approved.svm.name } };
    expect(approvalCompletion(unvalidated, utc(at(1)), policy)).toEqual({
      decision: 'APPROVED',
      route: 'GRANT',
      start: at(1),
    });
  });

  it('an approval for later, or too late for its window, carries no route: the workflow checks first', () => {
    const later = requestIn('APPROVED', pendingRequest({ requestedStart: at(120) }));
    expect(approvalCompletion(later, utc(at(2)), policy)).toEqual({ decision: 'APPROVED' });
    expect(approvalCompletion(later, utc(at(170)), policy)).toEqual({ decision: 'APPROVED' });
    // Its start come, with enough left: straight to the grant.
    expect(approvalCompletion(later, utc(at(121)), policy)).toMatchObject({ route: 'GRANT', start: at(121) });
  });

  it('any other status carries only the decision: denied, else cancelled', () => {
    for (const status of STATUSES.filter((s) => s !== 'APPROVED')) {
      const completion = approvalCompletion(requestIn(status), utc(at(300)), policy);
      expect({ status, completion }).toEqual({
        status,
        completion: { decision: status === 'DENIED' ? 'DENIED' : 'CANCELLED' },
      });
    }
  });
});
