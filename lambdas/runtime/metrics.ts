/**
 * The names of the product's CloudWatch metrics: published by the functions (runtime/logger.ts),
 * watched by the alarms in lib/constructs/.
 */

/** The namespace every metric goes to. */
export const METRIC_NAMESPACE = 'OntapJitApprovals';

/** A revoke exhausted its retries: any datapoint means a grant may outlive its approval. */
export const REVOKE_FAILED_METRIC = 'RevokeFailed';

/** The reconciler's count of live grants past their end (after its pass). */
export const OVERDUE_GRANTS_METRIC = 'OverdueGrants';

/** A user group a policy names that Slack could not resolve (deleted, disabled): skipped in that check. */
export const UNRESOLVED_USER_GROUP_METRIC = 'UnresolvedUserGroup';

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
