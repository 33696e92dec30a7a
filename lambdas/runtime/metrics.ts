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

/**
 * What the reconciler's JIT scan publishes on every pass it runs (zeros included), each a count for
 * that pass; what else it did (reports posted, elevation states changed) is in the pass's log line.
 */
export const DRIFT_METRICS = {
  /** Drifts recorded for the first time (a JIT entry or setting the records do not account for): the alarm's metric. */
  found: 'DriftFound',
  /** Drift reports that could not be posted (tried again next pass). */
  reportsFailed: 'DriftReportsFailed',
  /** Drifted entries removed from a cluster set to `drift: remove`. */
  removed: 'DriftRemoved',
  /** Clusters that did not answer the scan in time: skipped, nothing concluded about them. */
  clustersSkipped: 'DriftScanClustersSkipped',
} as const;

/** Activity digests: posted in a grant's thread, audit log found unreadable, and digests given up. */
export const DIGEST_METRICS = {
  /** A digest was recorded and its reply posted. */
  posted: 'DigestsPosted',
  /** A try found the cluster's audit log unreadable (permissions, the cluster down): retried later. */
  unreadable: 'DigestLogUnreadable',
  /** Reading was given up after its time: the thread was told, nothing was recorded. */
  abandoned: 'DigestsAbandoned',
} as const;
