/** The product's CloudWatch metrics: published by the functions (embedded metric format), watched by lib/constructs/alarms.ts. */

/** The namespace every metric goes to. */
export const METRIC_NAMESPACE = 'OntapJitApprovals';

/** A revoke exhausted its retries: any datapoint means a grant may outlive its approval. */
export const REVOKE_FAILED_METRIC = 'RevokeFailed';

/** The reconciler's count of live grants past their end (after its pass). */
export const OVERDUE_GRANTS_METRIC = 'OverdueGrants';

/** A user group a policy names that Slack could not resolve (deleted, disabled): skipped in that check. */
export const UNRESOLVED_USER_GROUP_METRIC = 'UnresolvedUserGroup';

/** How the task functions report a user group Slack could not resolve: a warning and the metric. */
export function reportUnresolvedGroup(logger: {
  warn(message: string, fields?: Record<string, unknown>): void;
  metric(name: string, value: number): void;
}): (group: string, problem: string) => void {
  return (group, problem) => {
    logger.warn('user group not resolved; skipped', { group, problem });
    logger.metric(UNRESOLVED_USER_GROUP_METRIC, 1);
  };
}

/** One count metric in CloudWatch's embedded metric format, with `fields` alongside (for loggers of objects). */
export function metricFields(
  name: string,
  value: number,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  const metric = { Namespace: METRIC_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: name, Unit: 'Count' }] };
  return {
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [metric] },
    [name]: value,
    ...fields,
  };
}

/** An audit item could not be written after its transition; the reconciler writes it. */
export const AUDIT_WRITE_FAILED_METRIC = 'AuditWriteFailed';

/** What every reconciler pass publishes (zeros included); `passes` is the heartbeat its alarm watches. */
export const RECONCILER_METRICS = {
  passes: 'ReconcilerPasses',
  due: 'ReconcileDue',
  repaired: 'Repaired',
  retrying: 'RepairsRetrying',
  signalsResent: 'SignalsResent',
  locksReleased: 'LocksReleased',
  auditRepaired: 'AuditItemsRepaired',
  cleanupPending: 'CleanupPending',
} as const;
