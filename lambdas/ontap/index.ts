/** ONTAP adapter: the REST client, its errors and the shapes callers exchange with it. */
export {
  type BasicCredentials,
  OntapClient,
  type OntapClientOptions,
  type OntapCredentialSource,
  type OntapLogEvent,
  errorFromAnswer,
} from './client';
export * from './errors';
export * from './schemas';
export { checkJitPrerequisites, describeRole, accountProblems, JitPrerequisiteInputSchema, type JitPrerequisiteInput, type JitPrerequisiteResult, type JitProblem, type JitProblemCode } from './prerequisites';
export { parseIsoDuration, formatIsoDuration, parseOntapTime, formatOntapTime, durationToSeconds, type DurationInput } from './durations';
export { unsafeNameReason } from './names';
export { DEFAULT_RETRY, backoffDelayMs, type RetryPolicy } from './retry';
