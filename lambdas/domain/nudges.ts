/**
 * When people are nudged, per policy: the approvers reminded while a request waits (and someone
 * more escalated to after a while), and the requester told before their access ends. Schemas for
 * the configuration and the pure schedules the workflow follows; no I/O, no clock.
 */
import { z } from 'zod';
import { DurationTextSchema, parseDuration, parseInstant, toUtcSecond } from './durations';
import type { AccessRequest } from './request';

/** How long before the end the requester is told, unless a policy says otherwise. */
export const DEFAULT_ENDS_SOON_NOTICE = '15m';

/** The shortest reminder period: more often than this is noise (and Slack's rate limits apply). */
export const MIN_REMINDER_SECONDS = 5 * 60;

const slackGroup = z.string().regex(/^S[A-Z0-9]{2,20}$/, 'must be a Slack user-group id such as S0123ABCD');
const slackChannel = z.string().regex(/^[CG][A-Z0-9]{2,20}$/, 'must be a Slack channel id such as C0123ABCD');

/** Where an escalation goes: a user group mentioned under the approval message, or a channel. */
export const EscalateToSchema = z.union([
  z.object({ userGroup: slackGroup }).strict(),
  z.object({ channel: slackChannel }).strict(),
]);

/**
 * Reminders of a pending request: a thread reply mentioning the approvers `every` so often, and
 * after `escalateAfter` (with `escalateTo`) one escalation.
 */
export const RemindersSchema = z
  .object({
    every: DurationTextSchema.refine((s) => s >= MIN_REMINDER_SECONDS, 'must be at least 5m'),
    escalateAfter: DurationTextSchema.optional(),
    escalateTo: EscalateToSchema.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.escalateAfter === undefined) !== (r.escalateTo === undefined)) {
      const path = r.escalateAfter === undefined ? ['escalateAfter'] : ['escalateTo'];
      const message =
        r.escalateAfter === undefined
          ? 'is required with escalateTo: say after how long to escalate (e.g. "2h")'
          : 'is required with escalateAfter: give { userGroup: S… } or { channel: C… }';
      ctx.addIssue({ code: 'custom', path, message });
    }
  });

/** A policy's reminders, durations in whole seconds. */
export type Reminders = z.infer<typeof RemindersSchema>;

/** `endsSoonNotice`: a duration, or `off`. */
export const EndsSoonNoticeSchema = z.union([z.literal('off'), DurationTextSchema]);

/** What a reminder step should do now, and when the approval wait should end next. */
export type ReminderStep =
  | { readonly kind: 'expire' }
  | { readonly kind: 'wait'; readonly seconds: number; readonly remind?: number; readonly escalate?: boolean };

/**
 * The approval wait's schedule: reminder `k` is due `k × every` after the request was made,
 * escalation `escalateAfter` after it, and the wait ends at `deadline` (ISO). At `now` (ms), with
 * `sent` reminders and escalation done or not: what is due now, and how long to wait next.
 */
export function reminderStep(
  request: Pick<AccessRequest, 'createdAt' | 'reminders' | 'escalatedAt'>,
  reminders: Reminders,
  deadline: string,
  nowMs: number,
): ReminderStep {
  const created = Date.parse(request.createdAt);
  const end = Date.parse(deadline);
  // Less than a second left is the deadline itself.
  if (end - nowMs < 1000) return { kind: 'expire' };
  const sent = request.reminders ?? 0;
  const dueCount = Math.floor((nowMs - created) / (reminders.every * 1000));
  const remind = dueCount > sent ? dueCount : undefined;
  const escalateAt = reminders.escalateAfter !== undefined ? created + reminders.escalateAfter * 1000 : undefined;
  const escalate = escalateAt !== undefined && request.escalatedAt === undefined && nowMs >= escalateAt - 500;
  const nextReminder = created + (Math.max(dueCount, sent) + 1) * reminders.every * 1000;
  const candidates = [nextReminder, end];
  if (escalateAt !== undefined && !escalate && request.escalatedAt === undefined && escalateAt > nowMs)
    candidates.push(escalateAt);
  const seconds = Math.max(1, Math.ceil((Math.min(...candidates) - nowMs) / 1000));
  return { kind: 'wait', seconds, ...(remind !== undefined ? { remind } : {}), ...(escalate ? { escalate } : {}) };
}

/** The first approval wait: until the first reminder or escalation, never past `waitSeconds`. */
export function firstApprovalWait(reminders: Reminders | undefined, waitSeconds: number): number {
  if (!reminders) return waitSeconds;
  const firsts = [reminders.every, reminders.escalateAfter ?? Number.POSITIVE_INFINITY, waitSeconds];
  return Math.max(1, Math.min(...firsts));
}

/**
 * When the requester is told their access ends soon: `notice` before the end, but only for a
 * window at least twice the notice (a 20-minute grant told 5 minutes in would be noise), and never
 * for `off`. Undefined when not told.
 */
export function endsSoonAtFor(window: { start: string; end: string }, notice: number | 'off'): string | undefined {
  if (notice === 'off') return undefined;
  const length = (Date.parse(window.end) - Date.parse(window.start)) / 1000;
  if (length < 2 * notice) return undefined;
  return toUtcSecond(parseInstant(window.end).minus({ seconds: notice }));
}

/** The policy's notice in seconds, or `off`; the default when the policy does not say. */
export function noticeOf(policy: { endsSoonNotice?: number | 'off' } | undefined): number | 'off' {
  return policy?.endsSoonNotice ?? parseDuration(DEFAULT_ENDS_SOON_NOTICE);
}

/**
 * How long the end wait waits from `nowMs`: until the end (at least a second). "Ends soon" is not a
 * step of the workflow: the reconciler tells it (domain/milestones.ts `noticeDue` files it for the
 * notice time), which costs no state transitions. The wait wakes early only when the end moves.
 */
export function endWaitSeconds(r: { window: { end: string } }, nowMs: number): number {
  return Math.max(1, Math.ceil((Date.parse(r.window.end) - nowMs) / 1000));
}
