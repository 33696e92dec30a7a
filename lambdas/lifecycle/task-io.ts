/**
 * What each workflow task takes and returns, as schemas; the handlers parse with them and the
 * state machine definition builds its payloads from the same field names.
 *
 * The execution's state document grows as it goes:
 *   { requestId, validation?, decision?, grant?, endWait?, revoke?, outcome?, error? }
 * where `decision` holds the approval wait's completion (or its timeout) until a check replaces it with its route.
 */
import { z } from 'zod';

const requestId = z.string().regex(/^[A-Za-z0-9-]{8,80}$/, 'must be a request id');
const isoSecond = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'must be a UTC timestamp in whole seconds');
const seconds = z.number().int().positive();

/** Where each task's result lives in the execution's state document. */
export const RESULT_PATHS = {
  validation: '$.validation',
  decision: '$.decision',
  grant: '$.grant',
  endWait: '$.endWait',
  revoke: '$.revoke',
  outcome: '$.outcome',
  error: '$.error',
} as const;

/** The execution input the workflow client starts each execution with. */
export const ExecutionInputSchema = z.object({ requestId });

/** A Catch's error output, or a task-token wait's (`{Error, Cause}`). */
export const TaskErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });
/** A Catch's error output. */
export type TaskError = z.infer<typeof TaskErrorSchema>;

/** Validate: `{requestId, executionArn}`. */
export const ValidateInputSchema = z.object({ requestId, executionArn: z.string().optional() });
/** Validate's result: what the rest of the run needs from the checks. */
export const ValidateOutputSchema = z.object({
  approvalTimeoutSeconds: seconds,
  /** The elevated session length to ask ONTAP for: the policy's or the cluster's default, never longer than the window. */
  sessionValiditySeconds: seconds,
  svmUuid: z.string().min(1),
});
/** Validate's result. */
export type ValidateOutput = z.infer<typeof ValidateOutputSchema>;

/** AwaitApproval and AwaitEnd: the request and the task token to keep. */
export const AwaitInputSchema = z.object({ requestId, taskToken: z.string().min(1) });

/** PlanEndWait: the request whose end wait to plan again. */
export const PlanEndWaitInputSchema = z.object({ requestId, plan: z.literal(true) });

/**
 * The output the approval token is completed with (domain/approval-route.ts): the decision, and for an
 * approval to grant now `route: 'GRANT'` and the window's start, which take the workflow straight to the
 * grant; anything else is informational (CheckApproval decides from the stored status).
 */
export const ApprovalResumeSchema = z.object({ decision: z.string() }).passthrough();

/** CheckApproval: after the approval wait (resumed or timed out), or after a scheduled start's wait. */
export const CheckApprovalInputSchema = z.discriminatedUnion('phase', [
  z.object({ requestId, phase: z.literal('approval'), wait: z.unknown().optional() }),
  z.object({ requestId, phase: z.literal('start') }),
]);

/** Where the workflow goes next after a check, decided from the stored status. */
export const ROUTES = ['GRANT', 'WAIT', 'AWAIT', 'DENIED', 'CANCELLED', 'EXPIRED', 'CLOSED'] as const;
/** One route. */
export type Route = (typeof ROUTES)[number];

/** What the grant may start on before its read (domain/approval-route.ts); a malformed one is ignored. */
const GrantAheadSchema = z.object({
  cluster: z.string().min(1),
  svmUuid: z.string().min(1),
  account: z.string().min(1),
  application: z.string().min(1),
  until: z.string().min(1),
  requester: z.string().min(1),
  policy: z.string().min(1),
});

/**
 * CheckApproval's result. `start` is set for GRANT (the window's start), `startAt` for WAIT, and
 * `approvalTimeoutSeconds` for AWAIT (the renewed wait, never past a scheduled window's useful end).
 */
export const CheckApprovalOutputSchema = z.object({
  route: z.enum(ROUTES),
  start: isoSecond.optional(),
  startAt: isoSecond.optional(),
  approvalTimeoutSeconds: seconds.optional(),
  /** With GRANT: what the grant may start on before its read. */
  ahead: GrantAheadSchema.optional(),
});
/** CheckApproval's result. */
export type CheckApprovalOutput = z.infer<typeof CheckApprovalOutputSchema>;

/**
 * Grant: the window's start (fixed before the task, so a retry asks ONTAP for the very same entry), and
 * the approval's completion, whose `ahead` lets the lock and the requester check start with the read.
 */
export const GrantInputSchema = z.object({
  requestId,
  start: isoSecond,
  sessionValiditySeconds: seconds,
  decision: z
    .object({ ahead: GrantAheadSchema.optional().catch(undefined) })
    .optional()
    .catch(undefined),
});
/** Grant's input. */
export type GrantInput = z.infer<typeof GrantInputSchema>;
/** Grant's result: the window, and how long AwaitEnd waits. */
export const GrantOutputSchema = z.object({
  window: z.object({ start: isoSecond, end: isoSecond }),
  endTimeoutSeconds: seconds,
});
/** Grant's result. */
export type GrantOutput = z.infer<typeof GrantOutputSchema>;

/** Revoke: the request, and how the end wait ended (timeout = window over; output = "Revoke now"). */
export const RevokeInputSchema = z.object({ requestId, wait: z.unknown().optional() });
/** Revoke's result. */
export const RevokeOutputSchema = z.object({ status: z.string(), alreadyGone: z.boolean() });
/** Revoke's result. */
export type RevokeOutput = z.infer<typeof RevokeOutputSchema>;

/** The failure outcomes RecordOutcome records. */
export const OUTCOMES = ['VALIDATION_FAILED', 'APPROVAL_NOT_POSTED', 'GRANT_FAILED', 'REVOKE_FAILED'] as const;
/** One failure outcome. */
export type Outcome = (typeof OUTCOMES)[number];

/** RecordOutcome: which failure, and the Catch's error output. */
export const RecordOutcomeInputSchema = z.object({ requestId, outcome: z.enum(OUTCOMES), error: TaskErrorSchema });
/** RecordOutcome's result. */
export const RecordOutcomeOutputSchema = z.object({ status: z.string(), reason: z.string() });
/** RecordOutcome's result. */
export type RecordOutcomeOutput = z.infer<typeof RecordOutcomeOutputSchema>;

/**
 * The readable message of a Catch's error. Lambda errors arrive with a JSON Cause
 * (`{"errorType","errorMessage",...}`); the service's own (States.Timeout) with a plain string.
 */
export function errorMessageOf(error: TaskError): string {
  const cause = error.Cause ?? '';
  try {
    const parsed: unknown = JSON.parse(cause);
    const message = z.object({ errorMessage: z.string() }).safeParse(parsed);
    if (message.success) return message.data.errorMessage;
  } catch {
    // Not JSON: the Cause is the message itself.
  }
  return cause || error.Error;
}

/** True when a wait's result is the timeout's error output. */
export function isTimeout(wait: unknown): boolean {
  const parsed = TaskErrorSchema.safeParse(wait);
  return parsed.success && parsed.data.Error === 'States.Timeout';
}
