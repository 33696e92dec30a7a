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

/** Break-glass: each use (a self-grant recorded), and each one escalated because nobody reviewed it in time. */
export const BREAK_GLASS_METRICS = {
  used: 'BreakGlassUsed',
  unreviewed: 'BreakGlassUnreviewed',
} as const;

/** What every reconciler pass publishes (zeros included), each a count for that pass. */
export const RECONCILER_METRICS = {
  /** One per pass: the heartbeat the reconciler's alarm watches. */
  passes: 'ReconcilerPasses',
  /** Items due when the pass read the needs-attention index. */
  due: 'ReconcileDue',
  /** Items finished for good. */
  repaired: 'Repaired',
  /** Items filed for another try (a failure, a missed deadline, a cluster put off). */
  retrying: 'RepairsRetrying',
  /** Approval or end signals the workflow had not received, sent again. */
  signalsResent: 'SignalsResent',
  /** Grant locks no live request held any more, released. */
  locksReleased: 'LocksReleased',
  /** Audit items written again from a request's own history. */
  auditRepaired: 'AuditItemsRepaired',
  /** Failed grants whose JIT entry is not confirmed gone yet. */
  cleanupPending: 'CleanupPending',
} as const;
