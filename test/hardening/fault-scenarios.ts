/**
 * Cluster-side faults, one scenario at a time, through the whole workflow: faults are queued on the
 * ONTAP simulator, a request is submitted, approved and left to run out its window, and the end
 * state is checked against what must always hold (right status, no duplicate entry, nothing left
 * past the approved end, one audit event per transition, the lock released, the alarm path on a
 * revoke that cannot complete). Used by the cluster-faults-*.test.ts files.
 */
import type { Status } from '../../lambdas/domain/request';
import type { FaultSpecInput } from '../../local/ontap-sim/faults';
import { entriesPastApproval, type Tally, trail } from '../support/hardening';
import { SVM_UUID, type WorkflowEnv } from '../support/workflow-env';

/** An ONTAP call the product makes, by the path the simulator matches faults on. */
export const CALLS = {
  'svm lookup': { method: 'GET', path: '/api/svm/svms' },
  'account read': { method: 'GET', path: '/api/security/accounts' },
  'role read': { method: 'GET', path: '/api/security/roles*' },
  'JIT settings read': { method: 'GET', path: '/api/security/jit-privileges*' },
  'grant POST': { method: 'POST', path: '/api/security/jit-privilege-users' },
  'revoke entry read': { method: 'GET', path: '/api/security/jit-privilege-users/*' },
  'revoke DELETE': { method: 'DELETE', path: '/api/security/jit-privilege-users/*' },
  'job poll': { method: 'GET', path: '/api/cluster/jobs/*' },
} as const;

/** One call name. */
export type CallName = keyof typeof CALLS;

/** Fault kinds, as the simulator takes them. */
export const KINDS = {
  '500': { type: 'status', status: 500 },
  '503': { type: 'status', status: 503, retryAfterSeconds: 0 },
  hang: { type: 'hang' },
  'hang after work': { type: 'hang', after: true },
  reset: { type: 'reset' },
  'reset after work': { type: 'reset', after: true },
  'slow (latency)': { type: 'latency', ms: 150 },
  'async job': { type: 'job', polls: 2 },
  'failed job': { type: 'job', outcome: 'failure', message: 'Injected job failure.' },
  'locked (409)': {
    type: 'status',
    status: 409,
    message: 'The configuration database is temporarily locked. Try again.',
  },
} as const;

/** One kind name. */
export type KindName = keyof typeof KINDS;

/** A fault on a call: `times` in a row (a burst when more than one). */
export interface PlannedFault {
  readonly call: CallName;
  readonly kind: KindName;
  readonly times?: number;
}

/** A scenario: the faults, and how the lifecycle must end. */
export interface FaultScenario {
  readonly name: string;
  readonly faults: readonly PlannedFault[];
  /** The request's final status. */
  readonly status: Status;
  /** The execution's final status. @default SUCCEEDED */
  readonly execution?: 'SUCCEEDED' | 'FAILED';
  /** Whether an entry was ever created on the cluster. @default status is EXPIRED, REVOKED or REVOKE_FAILED */
  readonly granted?: boolean;
}

/** The fault spec for the simulator. */
export function specOf(fault: PlannedFault): FaultSpecInput {
  const call = CALLS[fault.call];
  return { method: call.method, path: call.path, times: fault.times ?? 1, ...KINDS[fault.kind] } as FaultSpecInput;
}

/** The call name a simulator call log entry is for. */
function callNameOf(method: string, path: string): string {
  if (path.startsWith('/api/svm/svms')) return 'svm lookup';
  if (path.startsWith('/api/security/accounts')) return 'account read';
  if (path.startsWith('/api/security/roles')) return 'role read';
  if (path.startsWith('/api/security/jit-privileges')) return 'JIT settings read';
  if (path === '/api/security/jit-privilege-users') return method === 'POST' ? 'grant POST' : 'JIT entry list';
  if (path.startsWith('/api/security/jit-privilege-users/'))
    return method === 'DELETE' ? 'revoke DELETE' : 'revoke entry read';
  if (path.startsWith('/api/cluster/jobs/')) return 'job poll';
  return `${method} ${path}`;
}

/**
 * Runs one scenario on `account` (svm1) and checks everything that must hold. Faults that hit a
 * call are counted in `hits` as `<call> × <kind>`.
 */
export async function runFaultScenario(
  env: WorkflowEnv,
  scenario: FaultScenario,
  account: string,
  hits: Tally,
): Promise<void> {
  const { sim, store } = env;
  sim.reset();
  env.logs.length = 0;
  for (const fault of scenario.faults) sim.faults.add(specOf(fault));

  const { id, executionArn } = await env.submit({
    requester: { slackUserId: 'U0ALICE', ontapAccount: account },
    durationSeconds: 600,
  });
  // Let the workflow reach the approval wait, unless validation ends it first.
  const approvedOrEnded = await Promise.race([
    env.waiting(executionArn, 'AwaitApproval').then(
      () => 'waiting' as const,
      () => 'ended' as const,
    ),
    env.finished(executionArn).then(() => 'ended' as const),
  ]);
  if (approvedOrEnded === 'waiting') expect((await env.approve(id, 'U0BOB')).ok).toBe(true);
  const done = await env.finished(executionArn);

  // Faults that hit, by call and kind.
  const kindOf = (type: string | undefined, call: { status?: number }): string => {
    const planned = scenario.faults
      .map((f) => ({ name: f.kind, spec: KINDS[f.kind] }))
      .find((k) => k.spec.type === type && (!('status' in k.spec) || k.spec.status === call.status));
    return planned?.name ?? String(type);
  };
  for (const call of sim.calls())
    if (call.fault) hits.add(`${callNameOf(call.method, call.path).padEnd(18)} × ${kindOf(call.fault, call)}`);

  const request = await store.get(id);
  const why = `${scenario.name}: ${request.status} (${'reason' in request ? String(request.reason) : ''})`;
  expect({ scenario: scenario.name, status: request.status }).toEqual({
    scenario: scenario.name,
    status: scenario.status,
  });
  expect({ scenario: scenario.name, execution: done.status }).toEqual({
    scenario: scenario.name,
    execution: scenario.execution ?? 'SUCCEEDED',
  });

  // No duplicate entry: at most one POST ever answered "created" (a lost answer's retry meets 409 and reads the entry back).
  const created = env.jitCalls('POST').filter((c) => c.status === 201 || c.status === 202);
  expect(created.length).toBeLessThanOrEqual(1);
  const events = await trail(store, id);
  const granted = scenario.granted ?? ['EXPIRED', 'REVOKED', 'REVOKE_FAILED'].includes(scenario.status);
  expect({ why, granted: events.includes('GRANTED:ACTIVE') }).toEqual({ why, granted });

  // Nothing left on the cluster past the approved end; nothing at all unless the revoke failed.
  const entries = sim.jitEntries();
  expect(entriesPastApproval(entries, [request])).toEqual([]);
  if (scenario.status !== 'REVOKE_FAILED') expect({ why, entries }).toEqual({ why, entries: [] });

  // Each transition recorded once.
  expect(new Set(events).size).toBe(events.length);
  expect(events[0]).toBe('REQUESTED:PENDING');
  expect(events.at(-1)?.endsWith(`:${scenario.status}`)).toBe(true);

  // The lock: released, except after a failed revoke (the entry may still be there).
  const holder = await store.lockHolder({ cluster: 'cluster1', svmUuid: SVM_UUID.svm1, account, application: 'ssh' });
  if (scenario.status === 'REVOKE_FAILED') {
    expect(holder?.requestId).toBe(id);
    // The alert path: the metric the RevokeFailed alarm watches, and a failed execution.
    expect(env.logs.filter((l) => l.includes('"RevokeFailed":1'))).toHaveLength(1);
    // Release it by hand, as an operator would after cleaning up, so the account can be used again.
    await store.releaseGrantLock({ cluster: 'cluster1', svmUuid: SVM_UUID.svm1, account, application: 'ssh' }, id);
  } else {
    expect(holder).toBeUndefined();
    expect(env.logs.some((l) => l.includes('"RevokeFailed"'))).toBe(false);
  }
}

/** Survivable single faults on the given calls, one scenario per call × kind. */
export function singleFaults(
  calls: readonly CallName[],
  kinds: readonly KindName[],
  status: Status = 'EXPIRED',
): FaultScenario[] {
  return calls.flatMap((call) =>
    kinds.map((kind) => ({ name: `${call} × ${kind}`, faults: [{ call, kind }], status })),
  );
}
