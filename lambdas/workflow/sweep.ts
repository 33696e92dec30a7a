/**
 * The overdue-grant sweep: live grants (ACTIVE or REVOKE_FAILED) whose approved window ended more
 * than a grace period ago. Each is logged and its revoke is run again (the same idempotent step the
 * workflow ends with: only an entry whose comment names the request is removed, the request is
 * closed and its grant lock released), so a revoke that failed while the cluster was unreachable
 * completes once the cluster answers again. The number still live afterwards is published as the
 * `OverdueGrants` metric the alarm of the same name watches.
 */
import { toUtcSecond } from '../domain/durations';
import type { AccessRequest } from '../domain/request';
import { nowOf } from '../runtime/clock';
import { describeError, type Logger } from '../runtime/logger';
import { OVERDUE_GRANTS_METRIC } from '../runtime/metrics';
import type { Runtime } from '../runtime/runtime';

/**
 * How long past its end a grant may still be live before it counts as overdue: the Revoke step's
 * retries (lib/workflow-definition.ts: 8 attempts, backoff 2 from 5 s, at most 300 s apart) take
 * up to about 15 minutes, and a revoke in progress is not overdue yet.
 */
export const OVERDUE_GRACE_SECONDS = 20 * 60;

/** What one sweep found and did. */
export interface SweepResult {
  /** Live grants past their end and the grace period (at most one page of the index). */
  readonly overdue: number;
  readonly requestIds: readonly string[];
  /** Those the sweep ended (their revoke went through this time). */
  readonly ended: readonly string[];
  /** Those still live after the sweep: what the OverdueGrants metric counts. */
  readonly stillLive: readonly string[];
}

/** Runs a grant's revoke again; resolves to the request's status afterwards. */
export type EndGrant = (requestId: string) => Promise<{ status: string }>;

/**
 * Finds overdue grants, logs each, ends them with `end` (the revoke step), and publishes how many are
 * still live (zero included, so the metric has data).
 */
export async function sweepOverdueGrants(rt: Pick<Runtime, 'store' | 'clock'>, log: Logger, end: EndGrant): Promise<SweepResult> {
  const now = nowOf(rt.clock);
  const before = toUtcSecond(now.minus({ seconds: OVERDUE_GRACE_SECONDS }));
  const overdue = await rt.store.listActiveEndingBefore(before);
  const ended: string[] = [];
  const stillLive: string[] = [];
  for (const request of overdue) {
    log.warn('grant live past its end', describe(request, now.toMillis()));
    try {
      const { status } = await end(request.id);
      (status === 'ACTIVE' || status === 'REVOKE_FAILED' ? stillLive : ended).push(request.id);
    } catch (error) {
      log.error('the sweep could not end the grant', { requestId: request.id, ...describeError(error) });
      stillLive.push(request.id);
    }
  }
  log.metric(OVERDUE_GRANTS_METRIC, stillLive.length);
  return { overdue: overdue.length, requestIds: overdue.map((r) => r.id), ended, stillLive };
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
