/** The archive writer's CloudWatch metrics (namespace METRIC_NAMESPACE), watched by lib/constructs/audit-archive.ts. */
export const ARCHIVE_METRICS = {
  /** Audit events written to the archive. */
  archived: 'AuditEventsArchived',
  /** Redelivered events whose object was already there, identical. */
  alreadyArchived: 'AuditEventsAlreadyArchived',
  /** An event whose key holds a different archived body: refused, kept, and alarmed. */
  conflicts: 'ArchiveConflicts',
  /** Records not archived in this attempt (delivered again, then the dead-letter queue). */
  failed: 'ArchiveWritesFailed',
} as const;
