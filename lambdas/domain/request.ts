/** The access request: its schema (validated wherever it crosses an edge) and its types, derived from it. */
import { z } from 'zod';

/** Statuses a request can be in; the lifecycle in lifecycle.ts moves between them. */
export const STATUSES = [
  'PENDING',
  'APPROVED',
  'ACTIVE',
  'REVOKE_FAILED',
  'DENIED',
  'CANCELLED',
  'EXPIRED',
  'REVOKED',
  'FAILED',
] as const;

/** One of the request statuses. */
export type Status = (typeof STATUSES)[number];

/** Statuses after which nothing more happens to a request. */
export const TERMINAL_STATUSES: ReadonlySet<Status> = new Set(['DENIED', 'CANCELLED', 'EXPIRED', 'REVOKED', 'FAILED']);

const isoInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'must be a UTC ISO-8601 timestamp');
const slackId = z.string().regex(/^[UWBS][A-Z0-9]{2,20}$/, 'must be a Slack id');

/** One approval: who, when, and the keys of the person behind that Slack id then (domain/people.ts). */
export const ApprovalSchema = z.object({
  by: slackId,
  at: isoInstant,
  person: z.array(z.string().min(1).max(300)).max(8).optional(),
});
/** One approval: who and when. */
export type Approval = z.infer<typeof ApprovalSchema>;

/** A Slack message the product keeps updating in place. */
export const MessageRefSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });
/** A Slack message the product keeps updating in place. */
export type MessageRef = z.infer<typeof MessageRefSchema>;

/** A granted or approved window, in UTC whole seconds. */
export const WindowSchema = z.object({ start: isoInstant, end: isoInstant });

/** An extension asked for and not yet applied: who, how much longer, why, the end it moves to, who approved. */
export const PendingExtensionSchema = z.object({
  by: slackId,
  at: isoInstant,
  seconds: z.number().int().positive(),
  reason: z.string().min(1).max(1000),
  /** The grant's end when it was asked for, and the end it moves the grant to. */
  from: isoInstant,
  end: isoInstant,
  /** Distinct approvers it needs (0: applied without an approval). */
  approvalsRequired: z.number().int().nonnegative(),
  approvals: z.array(ApprovalSchema),
  approvedAt: isoInstant.optional(),
  /** The reply under the approval message that asks the approvers. */
  message: MessageRefSchema.optional(),
});
/** An extension asked for and not yet applied. */
export type PendingExtension = z.infer<typeof PendingExtensionSchema>;

/** An extension applied: the end before and after, and the state the replaced entry was in. */
export const AppliedExtensionSchema = z.object({
  by: slackId,
  at: isoInstant,
  seconds: z.number().int().positive(),
  from: isoInstant,
  to: isoInstant,
  approvedBy: z.array(slackId).max(10),
  /** The replaced entry's `jit_state`: `active` means the elevated session it carried was ended. */
  replaced: z.string().min(1).max(20),
});

/**
 * ONTAP's `jit_state` of a live grant's entry, as last read: `preactive` (scheduled), `idle` (ready to
 * elevate), `active` (elevated now). Stored only when it changes: `since` is the first read that saw
 * it, `unreadSince` the first failed read after it (the state shown is then the last known one).
 */
export const LiveStateSchema = z.object({
  state: z.enum(['preactive', 'idle', 'active', 'unknown']),
  since: isoInstant,
  unreadSince: isoInstant.optional(),
});
/** ONTAP's `jit_state` of a live grant's entry, as last read. */
export type LiveState = z.infer<typeof LiveStateSchema>;
/**
 * Where a grant's activity digest stands (lifecycle/digest.ts): the audit log could not be read yet
 * (`unreadable`); the digest is recorded in the audit trail and its reply claimed, then posted
 * (`recorded`: no further write when the post succeeds); its reply could not be posted and is owed
 * (`unposted`); or reading was given up (`abandoned`).
 */
export const DigestStateSchema = z.object({
  state: z.enum(['unreadable', 'recorded', 'unposted', 'abandoned']),
  /** The first try. */
  since: isoInstant,
  /** Tries that could not read the log. */
  failures: z.number().int().nonnegative(),
  /** The thread was told the log could not be read (at most once). */
  toldUnreadable: z.literal(true).optional(),
  /** The audit event holding the digest's summary. */
  seq: z.number().int().nonnegative().optional(),
});
/** Where a grant's activity digest stands. */
export type DigestState = z.infer<typeof DigestStateSchema>;

/** What an approver made of a break-glass after the fact: acknowledged, or flagged with a note. */
export const BreakGlassReviewSchema = z.object({
  outcome: z.enum(['acknowledged', 'flagged']),
  by: slackId,
  at: isoInstant,
  /** Why it was flagged (required then), or a remark with an acknowledgement. */
  note: z.string().min(1).max(1000).optional(),
});
/** What an approver made of a break-glass. */
export type BreakGlassReview = z.infer<typeof BreakGlassReviewSchema>;

/**
 * A break-glass request: its requester grants it to themselves without approval (domain/break-glass.ts).
 * `usedAt` is set by that self-grant, `reviewDueAt` is when an unreviewed one escalates.
 */
export const BreakGlassRecordSchema = z.object({
  reason: z.string().min(1).max(1000),
  /** The policy's announcement mention when it was asked for (`@here`, `<!subteam^S…>`…). */
  mention: z.string().min(1).max(40).optional(),
  usedAt: isoInstant.optional(),
  reviewDueAt: isoInstant.optional(),
  review: BreakGlassReviewSchema.optional(),
});
/** A break-glass request's own facts. */
export type BreakGlassRecord = z.infer<typeof BreakGlassRecordSchema>;

const base = {
  id: z.string().regex(/^[A-Za-z0-9-]{8,80}$/),
  version: z.number().int().nonnegative(),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  requester: z.object({
    slackUserId: slackId,
    ontapAccount: z.string().min(1).max(64),
    name: z.string().max(200).optional(),
  }),
  cluster: z.string().min(1),
  svm: z.object({ name: z.string().min(1), uuid: z.string().optional() }),
  role: z.string().min(1),
  /** What the role may do, in one line from ONTAP's role privileges (set when the request is validated). */
  roleSummary: z.string().max(300).optional(),
  application: z.literal('ssh'),
  policy: z.string().min(1),
  approvalsRequired: z.number().int().positive(),
  /** Requested duration, whole seconds. */
  durationSeconds: z.number().int().positive(),
  /** Requested start; absent means "as soon as approved". */
  requestedStart: isoInstant.optional(),
  justification: z.string().min(1).max(3000),
  ticket: z.string().max(200).optional(),
  approvals: z.array(ApprovalSchema),
  slack: z.object({ approval: MessageRefSchema.optional(), requester: MessageRefSchema.optional() }).default({}),
  executionArn: z.string().optional(),
  /**
   * What the people concerned were told with a new message (domain/milestones.ts), so no milestone is
   * told twice and one that was not is owed; absent on requests made before this was kept.
   */
  told: z.array(z.string().min(1).max(40)).max(40).optional(),
  /** Reminders threaded to the approvers so far, and the last one's time. */
  reminders: z.number().int().nonnegative().optional(),
  remindedAt: isoInstant.optional(),
  /** When the request was escalated (at most once). */
  escalatedAt: isoInstant.optional(),
  /** When the requester is told their access ends soon (set once the end wait begins). */
  endsSoonAt: isoInstant.optional(),
  /** The extension waiting for approval or to be applied (one at a time). */
  extension: PendingExtensionSchema.optional(),
  /** Extensions applied, oldest first. */
  extensions: z.array(AppliedExtensionSchema).max(10).optional(),
  /** The grant's entry as ONTAP last showed it (while it is live). */
  live: LiveStateSchema.optional(),
  /** The grant's activity digest, once its end has been recorded and a digest tried. */
  digest: DigestStateSchema.optional(),
  /** Set on a break-glass request: granted without approval, reviewed afterwards. */
  breakGlass: BreakGlassRecordSchema.optional(),
};

/** Fields every request has whatever its status. */
export const RequestBaseSchema = z.object(base);
/** Fields every request has whatever its status. */
export type RequestBase = z.infer<typeof RequestBaseSchema>;

/** The status-independent part of a request, so a transition never carries over a stale status field. */
export function pickBase(request: RequestBase): RequestBase {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    const value = (request as Record<string, unknown>)[key];
    if (value !== undefined) picked[key] = value;
  }
  return RequestBaseSchema.parse(picked);
}

const decided = { decidedAt: isoInstant };
const windowed = { window: WindowSchema, grantedAt: isoInstant };

/** A request in each of its statuses, with the facts that status carries. */
export const RequestSchema = z.discriminatedUnion('status', [
  z.object({ ...base, status: z.literal('PENDING') }),
  z.object({ ...base, status: z.literal('APPROVED'), ...decided }),
  z.object({ ...base, status: z.literal('ACTIVE'), ...decided, ...windowed, revokeRequestedBy: slackId.optional() }),
  z.object({
    ...base,
    status: z.literal('REVOKE_FAILED'),
    ...decided,
    ...windowed,
    revokeRequestedBy: slackId.optional(),
    reason: z.string(),
  }),
  z.object({ ...base, status: z.literal('DENIED'), ...decided, deniedBy: slackId, reason: z.string() }),
  z.object({
    ...base,
    status: z.literal('CANCELLED'),
    cancelledBy: slackId,
    /** Why, when an approver cancelled an approved request. */
    reason: z.string().optional(),
    endedAt: isoInstant,
  }),
  z.object({
    ...base,
    status: z.literal('EXPIRED'),
    endedAt: isoInstant,
    /**
     * Nobody approved in time; the granted window ended; or it was approved when too little of its
     * scheduled window was left.
     */
    expiry: z.enum(['approval-timeout', 'window-ended', 'window-passed']),
    window: WindowSchema.optional(),
    grantedAt: isoInstant.optional(),
  }),
  z.object({ ...base, status: z.literal('REVOKED'), ...decided, ...windowed, revokedBy: slackId, endedAt: isoInstant }),
  z.object({
    ...base,
    status: z.literal('FAILED'),
    /** `authorization`: the requester no longer qualified when checked again (approval, start or grant). */
    stage: z.enum(['validation', 'authorization', 'grant']),
    reason: z.string(),
    endedAt: isoInstant,
    /** A failed grant whose entry may still be on the cluster: it keeps its lock until the cluster confirms it gone. */
    cleanupPending: z.literal(true).optional(),
  }),
]);

/** A request, discriminated by its status. */
export type AccessRequest = z.infer<typeof RequestSchema>;

/** The request in one particular status. */
export type RequestIn<S extends Status> = Extract<AccessRequest, { status: S }>;

/** What a new request is made from: everything the requester chose plus who they are. */
export type NewRequest = Omit<RequestIn<'PENDING'>, 'status' | 'version' | 'updatedAt' | 'approvals' | 'slack'> & {
  slack?: RequestIn<'PENDING'>['slack'];
};

/** Makes a PENDING request from what the requester chose. */
export function newRequest(input: NewRequest): RequestIn<'PENDING'> {
  return RequestSchema.parse({
    ...input,
    status: 'PENDING',
    version: 0,
    updatedAt: input.createdAt,
    approvals: [],
    slack: input.slack ?? {},
    told: [],
  }) as RequestIn<'PENDING'>;
}

/** True once nothing more can happen to the request. */
export function isTerminal(request: Pick<AccessRequest, 'status'>): boolean {
  return TERMINAL_STATUSES.has(request.status);
}
