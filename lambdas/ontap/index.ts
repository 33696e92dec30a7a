/** ONTAP adapter: the client, its errors and the shapes callers exchange with it. */
export type { AuditMessage, AuditQuery, AuditRead } from './audit-messages';
export { OntapClient } from './client';
export * from './errors';
export type { JitEntryScan, OwnerJitMaximum } from './jit-scan';
export type { BasicCredentials, OntapClientOptions, OntapCredentialSource, OntapLogEvent } from './options';
export {
  describeRole,
  type JitPrerequisiteInput,
  type JitPrerequisiteResult,
  type JitProblem,
  type JitProblemCode,
} from './prerequisites';
export * from './schemas';
