/** Builders of requests in each status, for tests. */

import { owedNotices } from '../../lambdas/domain/milestones';
import { type AccessRequest, newRequest, type RequestIn, type Status } from '../../lambdas/domain/request';
import type { LifecycleEvent } from '../../lambdas/domain/transitions';
import { transition } from '../../lambdas/domain/transitions';

export const T0 = '2026-11-22T10:00:00Z';
export const at = (minutes: number): string =>
  new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace('.000Z', 'Z');

let counter = 0;

/** A fresh PENDING request (alice asks for vsadmin on svm1 for an hour). */
export function pendingRequest(overrides: Partial<Parameters<typeof newRequest>[0]> = {}): RequestIn<'PENDING'> {
  counter += 1;
  return newRequest({
    id: `20261122-TEST${String(counter).padStart(6, '0')}`,
    createdAt: T0,
    requester: { slackUserId: 'U0ALICE', ontapAccount: 'alice' },
    cluster: 'cluster1',
    svm: { name: 'svm1', uuid: '11111111-2222-3333-4444-555555555555' },
    role: 'vsadmin',
    application: 'ssh',
    policy: 'svm1-operators',
    approvalsRequired: 1,
    durationSeconds: 3600,
    justification: 'Fix the snapmirror schedule',
    ...overrides,
  });
}

const PATHS: Record<Status, LifecycleEvent[]> = {
  PENDING: [],
  APPROVED: [{ type: 'APPROVE', by: 'U0BOB', at: at(1) }],
  ACTIVE: [
    { type: 'APPROVE', by: 'U0BOB', at: at(1) },
    { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } },
  ],
  REVOKE_FAILED: [
    { type: 'APPROVE', by: 'U0BOB', at: at(1) },
    { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } },
    { type: 'REVOKE_FAILED', at: at(62), reason: 'cluster unreachable' },
  ],
  DENIED: [{ type: 'DENY', by: 'U0BOB', at: at(1), reason: 'not now' }],
  CANCELLED: [{ type: 'CANCEL', by: 'U0ALICE', at: at(1) }],
  EXPIRED: [{ type: 'APPROVAL_TIMEOUT', at: at(240) }],
  REVOKED: [
    { type: 'APPROVE', by: 'U0BOB', at: at(1) },
    { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } },
    { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(10) },
    { type: 'REVOKED', at: at(10), alreadyGone: false },
  ],
  FAILED: [{ type: 'VALIDATION_FAILED', at: at(1), reason: 'role not defined on svm1' }],
};

/** A request driven through the lifecycle into `status`, as the workflow leaves it: its milestones told. */
export function requestIn(status: Status, base: AccessRequest = pendingRequest()): AccessRequest {
  const request = PATHS[status].reduce<AccessRequest>((r, event) => transition(r, event).next, base);
  const told = owedNotices(request, request.updatedAt).map((n) => n.key);
  return told.length > 0 ? { ...request, told: [...(request.told ?? []), ...told] } : request;
}
