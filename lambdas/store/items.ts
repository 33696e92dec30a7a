/**
 * Items of the requests table and their mapping to and from what the store hands out. Every read
 * item is validated with a schema; one that does not match is refused whole, never used half-read.
 */
import { z } from 'zod';
import { attentionOf, OVERDUE_GRACE_SECONDS } from '../domain/attention';
import { parseInstant, toUtcSecond } from '../domain/durations';
import { type AccessRequest, isTerminal, RequestSchema } from '../domain/request';
import { expiryOf, type StoreContext } from './context';
import { CorruptItemError } from './errors';
import {
  ATTENTION_PK,
  type GrantKey,
  lockAttentionSk,
  pendingPk,
  pendingSk,
  REQUEST_SK,
  requestAttentionSk,
  requestPk,
} from './table';

/**
 * What an event establishes about its request, so an export row can be built from the trail alone (the
 * archive keeps no request item): who asked for what on REQUESTED, the window on GRANTED and EXTENDED.
 * Absent on events recorded before the trail carried them.
 */
export const AuditFactsSchema = z.object({
  slackUserId: z.string().optional(),
  ontapAccount: z.string().optional(),
  cluster: z.string().optional(),
  svm: z.string().optional(),
  role: z.string().optional(),
  policy: z.string().optional(),
  durationSeconds: z.number().int().positive().optional(),
  requestedStart: z.string().optional(),
  window: z.object({ start: z.string(), end: z.string() }).optional(),
  /** Granted at once without approval, for an emergency. */
  breakGlass: z.boolean().optional(),
});
/** What an event establishes about its request. */
export type AuditFacts = z.infer<typeof AuditFactsSchema>;

/** One entry of a request's audit trail. */
export const AuditEventSchema = z.object({
  requestId: z.string(),
  seq: z.number().int().nonnegative(),
  at: z.string(),
  type: z.string(),
  actor: z.string().optional(),
  from: z.string().optional(),
  to: z.string(),
  detail: z.string().optional(),
  facts: AuditFactsSchema.optional(),
});
/** One entry of a request's audit trail. */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

const StoreExtrasSchema = z.object({
  history: z.array(AuditEventSchema).default([]),
  tokens: z.object({ approval: z.string().optional(), end: z.string().optional() }).default({}),
  /** The reconciler tried and will try again: not before `nextAt`. Cleared by every transition. */
  repair: z.object({ attempts: z.number().int().nonnegative(), nextAt: z.string() }).optional(),
  /** An audit item of this request could not be written; the reconciler writes it. */
  auditRepair: z.boolean().optional(),
  /** A Slack update of this request was lost; the reconciler brings its messages up to date. */
  notifyRepair: z.boolean().optional(),
  /** Which write made this version: a writer whose answer was lost knows its own write by it. */
  writeId: z.string().optional(),
});

/** A request as stored: the request plus the store's own attributes. */
export type StoredRequest = { request: AccessRequest } & z.infer<typeof StoreExtrasSchema>;

/** The attributes of a grant lock item the store reads back. */
export const LockItemSchema = z.object({ requestId: z.string(), until: z.string() });

/** The grant key as a lock item carries it. */
export const GrantKeySchema = z.object({
  cluster: z.string(),
  svmUuid: z.string(),
  account: z.string(),
  application: z.string(),
});

/** The request item of a stored request, with its index and TTL attributes. */
export function toItem(ctx: StoreContext, stored: StoredRequest): Record<string, unknown> {
  const { request } = stored;
  const live = request.status === 'ACTIVE' || request.status === 'REVOKE_FAILED';
  return {
    ...request,
    pk: requestPk(request.id),
    sk: REQUEST_SK,
    history: stored.history,
    tokens: stored.tokens,
    ...(stored.repair ? { repair: stored.repair } : {}),
    ...(stored.auditRepair ? { auditRepair: true } : {}),
    ...(stored.notifyRepair ? { notifyRepair: true } : {}),
    ...(stored.writeId !== undefined ? { writeId: stored.writeId } : {}),
    gsi1pk: `USER#${request.requester.slackUserId}`,
    gsi1sk: `${request.createdAt}#${request.id}`,
    ...(live ? { gsi2pk: 'LIVE', gsi2sk: `${request.window.end}#${request.id}` } : {}),
    ...(request.status === 'PENDING'
      ? {
          gsi4pk: pendingPk(request.policy),
          gsi4sk: pendingSk(request.createdAt, request.requester.slackUserId, request.id),
        }
      : {}),
    ...requestAttention(stored),
    // Only finished requests expire; a live one must never vanish under a grant.
    ...(isTerminal(request) ? { expiresAt: expiryOf(ctx, request.updatedAt) } : {}),
  };
}

/** The stored request a request item holds; throws CorruptItemError when it does not match its schema. */
export function fromItem(item: Record<string, unknown>): StoredRequest {
  const {
    pk,
    sk,
    gsi1pk,
    gsi1sk,
    gsi2pk,
    gsi2sk,
    gsi3pk,
    gsi3sk,
    gsi4pk,
    gsi4sk,
    expiresAt,
    history,
    tokens,
    repair,
    auditRepair,
    notifyRepair,
    writeId,
    ...rest
  } = item;
  const request = RequestSchema.safeParse(rest);
  const extras = StoreExtrasSchema.safeParse({ history, tokens, repair, auditRepair, notifyRepair, writeId });
  if (!request.success || !extras.success) {
    throw new CorruptItemError(`${String(pk)}/${String(sk)}`, { cause: request.error ?? extras.error });
  }
  return { request: request.data, ...extras.data };
}

/** The needs-attention index attributes of a request item: when the reconciler should look at it, if ever. */
function requestAttention(stored: StoredRequest): Record<string, string> {
  const owed = attentionOf(stored.request)?.due;
  const audit = stored.auditRepair || stored.notifyRepair ? stored.request.updatedAt : undefined;
  let due = [owed, audit].filter((d): d is string => d !== undefined).sort()[0];
  if (due === undefined) return {};
  if (stored.repair && stored.repair.nextAt > due && owed !== undefined) due = stored.repair.nextAt;
  return { gsi3pk: ATTENTION_PK, gsi3sk: requestAttentionSk(due, stored.request.id) };
}

/** The needs-attention index attributes of a grant lock held until `until`. */
export function lockAttention(key: GrantKey, until: string): Record<string, string> {
  // Due for a check one grace period after `until`: a lock that outlives its grant is found then.
  const due = toUtcSecond(parseInstant(until).plus({ seconds: OVERDUE_GRACE_SECONDS }));
  return { gsi3pk: ATTENTION_PK, gsi3sk: lockAttentionSk(due, key) };
}
