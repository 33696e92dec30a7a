/** ONTAP adapter: the client, its errors and the shapes callers exchange with it. */
export { OntapClient } from './client';
export type { BasicCredentials, OntapClientOptions, OntapCredentialSource, OntapLogEvent } from './options';
export * from './errors';
export * from './schemas';
export {
  checkJitPrerequisites,
  describeRole,
  JitPrerequisiteInputSchema,
  type JitPrerequisiteInput,
  type JitPrerequisiteResult,
  type JitProblem,
  type JitProblemCode,
} from './prerequisites';
export { durationToSeconds, type DurationInput } from './timestamps';
export { unsafeNameReason } from './names';
export { backoffDelayMs, type RetryPolicy } from './retry';
