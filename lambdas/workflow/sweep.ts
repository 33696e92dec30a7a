/**
 * The overdue-grant sweep: live grants (ACTIVE or REVOKE_FAILED) whose approved window ended more
 * than a grace period ago. Each is logged, and their number published as the `OverdueGrants` metric
 * the alarm of the same name watches. It changes nothing: the hook where a later repair (re-driving
 * the revoke) belongs.
 */
import { toUtcSecond } from '../domain/durations';
import type { AccessRequest } from '../domain/request';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { OVERDUE_GRANTS_METRIC } from '../runtime/metrics';
import type { Runtime } from '../runtime/runtime';

/**
 * How long past its end a grant may still be live before it counts as overdue: the Revoke step's
 * retries (lib/workflow-definition.ts: 8 attempts, backoff 2 from 5 s, at most 300 s apart) take
 * up to about 15 minutes, and a revoke in progress is not overdue yet.
 */
export const OVERDUE_GRACE_SECONDS = 20 * 60;

/** What one sweep found. */
export interface SweepResult {
  /** Live grants past their end and the grace period (at most one page of the index). */
  readonly overdue: number;
  readonly requestIds: readonly string[];
}

/** Finds overdue grants, logs each, publishes their count (zero included, so the metric has data). */
export async function sweepOverdueGrants(rt: Pick<Runtime, 'store' | 'clock'>, log: Logger): Promise<SweepResult> {
  const now = nowOf(rt.clock);
  const before = toUtcSecond(now.minus({ seconds: OVERDUE_GRACE_SECONDS }));
  const overdue = await rt.store.listActiveEndingBefore(before);
  for (const request of overdue) {
    log.warn('grant live past its end', describe(request, now.toMillis()));
  }
  log.metric(OVERDUE_GRANTS_METRIC, overdue.length);
  return { overdue: overdue.length, requestIds: overdue.map((r) => r.id) };
}

function describe(request: AccessRequest, nowMs: number): Record<string, unknown> {
  const end = 'window' in request && request.window ? request.window.end : undefined;
  return {
    requestId: request.id,
    status: request.status,
    cluster: request.cluster,
    svm: request.svm.name,
    account: request.requester.ontapAccount,
    role: request.role,
    windowEnd: end,
    overdueSeconds: end === undefined ? undefined : Math.round((nowMs - Date.parse(end)) / 1000),
  };
}
