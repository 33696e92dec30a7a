/** The product's CloudWatch metrics: published by the functions (embedded metric format), watched by lib/constructs/alarms.ts. */

/** The namespace every metric goes to. */
export const METRIC_NAMESPACE = 'OntapJitApprovals';

/** A revoke exhausted its retries: any datapoint means a grant may outlive its approval. */
export const REVOKE_FAILED_METRIC = 'RevokeFailed';

/** The sweep's count of live grants past their end. */
export const OVERDUE_GRANTS_METRIC = 'OverdueGrants';

/** An audit item could not be written after its transition; the reconciler writes it. */
export const AUDIT_WRITE_FAILED_METRIC = 'AuditWriteFailed';
