import {
  entryVerdict,
  longestPolicyWindow,
  requestIdOfComment,
  type ScannedEntry,
  settingsVerdict,
} from '../../lambdas/domain/drift';
import type { AccessRequest } from '../../lambdas/domain/request';
import { entryComment } from '../../lambdas/lifecycle/grant';
import { policyWith, TEST_CONFIG } from '../support/configs';
import { at, pendingRequest, requestIn } from '../support/requests';

const UUID = '11111111-2222-3333-4444-555555555555';

function entryOf(request: AccessRequest, changes: Partial<ScannedEntry> = {}): ScannedEntry {
  return {
    ownerUuid: UUID,
    ownerName: 'svm1',
    account: request.requester.ontapAccount,
    application: 'ssh',
    role: request.role,
    startTime: at(2),
    endTime: at(62),
    jitState: 'idle',
    comment: entryComment(request),
    ...changes,
  };
}

describe('requestIdOfComment', () => {
  it("reads the request id from the comment the grant writes, with or without the requester's name", () => {
    const plain = pendingRequest();
    const named = pendingRequest({ requester: { slackUserId: 'U0ALICE', ontapAccount: 'alice', name: 'Alice A.' } });
    expect(requestIdOfComment(entryComment(plain))).toBe(plain.id);
    expect(requestIdOfComment(entryComment(named))).toBe(named.id);
  });

  it('reads nothing from any other comment', () => {
    for (const comment of [null, undefined, '', 'made by hand', 'ontap-jit-approvals request x for U0ALICE']) {
      expect(requestIdOfComment(comment)).toBeUndefined();
    }
  });
});

describe('entryVerdict', () => {
  const listedAt = at(70);

  it('never calls the entry of an unfinished request drift: a grant in flight, a pending clean-up included', () => {
    for (const status of ['APPROVED', 'ACTIVE', 'REVOKE_FAILED'] as const) {
      const request = requestIn(status);
      expect(entryVerdict('cluster1', entryOf(request), request, listedAt).kind).toBe('live');
    }
    const cleaning = { ...requestIn('FAILED'), stage: 'grant', cleanupPending: true } as AccessRequest;
    expect(entryVerdict('cluster1', entryOf(cleaning), cleaning, listedAt).kind).toBe('live');
  });

  it('calls an entry with no request, or one naming a request it does not belong to, foreign', () => {
    const request = requestIn('ACTIVE');
    expect(entryVerdict('cluster1', entryOf(request, { comment: null }), undefined, listedAt)).toEqual({
      kind: 'foreign',
    });
    // The request named is not in the table (never was, or expired from it).
    expect(entryVerdict('cluster1', entryOf(request), undefined, listedAt)).toEqual({
      kind: 'foreign',
      requestId: request.id,
    });
    for (const other of [{ account: 'bob' }, { ownerUuid: '99999999-2222-3333-4444-555555555555' }]) {
      expect(entryVerdict('cluster1', entryOf(request, other), request, listedAt).kind).toBe('foreign');
    }
    expect(entryVerdict('cluster2', entryOf(request), request, listedAt).kind).toBe('foreign');
  });

  it('calls the entry of a request finished before the listing left behind; finished since, undecided', () => {
    const revoked = requestIn('REVOKED');
    expect(entryVerdict('cluster1', entryOf(revoked), revoked, listedAt).kind).toBe('finished');
    // Its revoke recorded after the listing was read: the entry may be gone already.
    expect(entryVerdict('cluster1', entryOf(revoked), revoked, at(5)).kind).toBe('undecided');
  });
});

describe('settings', () => {
  it('takes the longest window of the policies covering the cluster, extensions included', () => {
    // svm2-backup grants up to a day.
    expect(longestPolicyWindow(TEST_CONFIG, 'cluster1')).toBe(86_400);
    expect(longestPolicyWindow(TEST_CONFIG, 'cluster9')).toBe(0);
    const extended = policyWith('svm2-backup', { extension: { by: '2h', times: 3, approval: 'none' } });
    expect(longestPolicyWindow(extended, 'cluster1')).toBe(86_400 + 6 * 3600);
  });

  it('calls a maximum drift only when it changed from the value first seen to more than the policies grant', () => {
    const day = 86_400;
    // First seen (ONTAP's default, 90 days): where it starts.
    expect(settingsVerdict(90 * day, undefined, day).kind).toBe('baseline');
    expect(settingsVerdict(90 * day, 90 * day, day).kind).toBe('baseline');
    expect(settingsVerdict(8 * 3600, 90 * day, day).kind).toBe('baseline');
    expect(settingsVerdict(30 * day, 8 * 3600, day).kind).toBe('drift');
    expect(settingsVerdict(180 * day, 90 * day, day).kind).toBe('drift');
    expect(settingsVerdict(day, 8 * 3600, day).kind).toBe('baseline');
  });
});
