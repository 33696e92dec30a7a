/**
 * Break-glass: in an emergency, the people a policy names grant themselves access at once, without
 * approval, for at most the policy's short break-glass maximum, after every usual check. It is loud
 * (announced with a mention, counted) and reviewed afterwards by the policy's approvers, never by the
 * requester; an unreviewed one escalates once. The self-grant and the review are lifecycle events
 * (transitions.ts), so each is a conditional write with its audit event. Pure.
 *
 *   PENDING --BREAK_GLASS (the requester, allowed, within the maximum)--> APPROVED (then granted as usual)
 *   any status after it --BREAK_GLASS_REVIEWED (an approver, not the requester, once)--> same status
 */
import { z } from 'zod';
import { formatDuration, parseInstant, toUtcSecond } from './durations';
import { IllegalTransitionError, LimitExceededError, NotAllowedError, RequesterNotAuthorizedError } from './errors';
import { type Actor, isAmong, type Policy, type RequesterNow } from './policy';
import type { AccessRequest, BreakGlassRecord, RequestBase } from './request';

const at = z.string().min(1);
const by = z.string().min(1);

/** Longest break-glass reason and review note. */
export const BREAK_GLASS_TEXT_MAX = 1000;
/** Shortest break-glass reason: an emergency is explained, not "x". */
export const BREAK_GLASS_REASON_MIN = 10;

/** The `told` key recording that an unreviewed break-glass was escalated (once). */
export const BREAK_GLASS_ESCALATED = 'break-glass-escalated';

/** The review outcomes an approver picks. */
export const REVIEW_OUTCOMES = ['acknowledged', 'flagged'] as const;

/** The events of break-glass, part of the lifecycle's events (transitions.ts). */
export const BREAK_GLASS_EVENTS = [
  /** The requester grants their pending break-glass request to themselves (the reason kept in the trail). */
  z.object({
    type: z.literal('BREAK_GLASS'),
    by,
    at,
    reviewDueAt: at,
    reason: z.string().min(1).max(BREAK_GLASS_TEXT_MAX),
  }),
  z.object({
    type: z.literal('BREAK_GLASS_REVIEWED'),
    by,
    at,
    outcome: z.enum(REVIEW_OUTCOMES),
    note: z.string().min(1).max(BREAK_GLASS_TEXT_MAX).optional(),
  }),
] as const;

/** The kinds of break-glass events. */
export const BREAK_GLASS_EVENT_TYPES = ['BREAK_GLASS', 'BREAK_GLASS_REVIEWED'] as const;

type BreakGlassEvent = z.infer<(typeof BREAK_GLASS_EVENTS)[number]>;

/** Whether this person may use break-glass under the policy: it has one, they are named, active, not a guest. */
export function mayBreakGlass(policy: Policy, actor: Actor): boolean {
  if (!policy.breakGlass || actor.status === 'deactivated' || actor.status === 'guest') return false;
  return isAmong(policy.breakGlass.who, actor);
}

/** Whether the request form should offer break-glass to this person: some of their policies let them. */
export function offersBreakGlass(policies: readonly Policy[], actor: Actor): boolean {
  return policies.some((p) => mayBreakGlass(p, actor));
}

/**
 * Refuses break-glass for someone the policy does not name (NotAllowedError), a duration over its
 * break-glass maximum (LimitExceededError) or a scheduled start: break-glass is for now.
 */
export function authorizeBreakGlass(
  policy: Policy,
  actor: Actor,
  asked: { readonly durationSeconds: number; readonly requestedStart?: string | undefined },
): void {
  const rules = policy.breakGlass;
  if (!rules) throw new NotAllowedError(`Policy "${policy.name}" has no break-glass: ask the approvers instead.`);
  if (!mayBreakGlass(policy, actor)) {
    throw new NotAllowedError(`You are not one of the people who may use break-glass under policy "${policy.name}".`);
  }
  if (asked.durationSeconds > rules.maxDuration) {
    throw new LimitExceededError(
      `Break-glass lasts at most ${formatDuration(rules.maxDuration)} under policy "${policy.name}" ` +
        `(asked: ${formatDuration(asked.durationSeconds)}). Ask the approvers for longer.`,
    );
  }
  if (asked.requestedStart !== undefined) {
    throw new NotAllowedError('Break-glass starts now: a scheduled start needs an approval.');
  }
}

/**
 * Why a recorded break-glass request no longer fits its policy (no break-glass, longer than its
 * maximum, a scheduled start), or undefined: checked by Validate before anything else happens.
 */
export function breakGlassProblem(
  policy: Policy,
  request: Pick<AccessRequest, 'durationSeconds' | 'requestedStart'>,
): string | undefined {
  const rules = policy.breakGlass;
  if (!rules) return `Policy "${policy.name}" no longer allows break-glass.`;
  if (request.durationSeconds > rules.maxDuration) {
    return `Break-glass lasts at most ${formatDuration(rules.maxDuration)} under policy "${policy.name}".`;
  }
  return request.requestedStart !== undefined ? 'Break-glass starts now: it cannot be scheduled.' : undefined;
}

/**
 * Refuses (RequesterNotAuthorizedError) a break-glass whose requester is no longer one of the people
 * the policy names for it; checked with the requester's other checks, before the self-grant and at grant.
 */
export function reauthorizeBreakGlass(
  policy: Policy,
  request: Pick<AccessRequest, 'breakGlass'>,
  now: RequesterNow,
): void {
  if (!request.breakGlass) return;
  if (!mayBreakGlass(policy, now.actor)) {
    throw new RequesterNotAuthorizedError(
      `The requester is no longer one of the people who may use break-glass under policy "${policy.name}".`,
    );
  }
}

/** When an unreviewed break-glass is to be reviewed by, from its self-grant at `usedAt`. */
export function reviewDueAt(policy: Policy, usedAt: string): string {
  const within = policy.breakGlass?.reviewWithin ?? 0;
  return toUtcSecond(parseInstant(usedAt).plus({ seconds: within }));
}

/** When the reconciler should escalate a break-glass nobody reviewed, once; undefined when nothing is owed. */
export function reviewEscalationDue(request: AccessRequest): string | undefined {
  const bg = request.breakGlass;
  if (!bg?.usedAt || !bg.reviewDueAt || bg.review) return undefined;
  return request.told?.includes(BREAK_GLASS_ESCALATED) ? undefined : bg.reviewDueAt;
}

/** The announcement's mention as Slack markup (`@here` → `<!here>`). */
export function mentionMarkup(mention: string): string {
  if (mention === '@here') return '<!here>';
  if (mention === '@channel') return '<!channel>';
  return mention;
}

/** Applies one break-glass event (transitions.ts checked it is legal in the request's status). */
export function breakGlassTransition(
  request: AccessRequest,
  event: BreakGlassEvent,
  common: RequestBase,
): AccessRequest {
  const bg = request.breakGlass;
  switch (event.type) {
    case 'BREAK_GLASS': {
      if (request.status !== 'PENDING' || !bg) {
        throw new IllegalTransitionError(request.status, event.type, 'This request is not a break-glass request.');
      }
      if (event.by !== request.requester.slackUserId) {
        throw new NotAllowedError('Only the requester can use break-glass on their own request.');
      }
      const used: BreakGlassRecord = { ...bg, usedAt: event.at, reviewDueAt: event.reviewDueAt };
      return { ...common, breakGlass: used, status: 'APPROVED', decidedAt: event.at };
    }
    case 'BREAK_GLASS_REVIEWED': {
      if (!bg?.usedAt) {
        throw new IllegalTransitionError(request.status, event.type, 'This request did not use break-glass.');
      }
      if (bg.review) {
        const what = bg.review.outcome === 'flagged' ? 'flagged' : 'acknowledged';
        throw new IllegalTransitionError(
          request.status,
          event.type,
          `This break-glass was already reviewed: ${what} by <@${bg.review.by}>.`,
        );
      }
      if (event.outcome === 'flagged' && event.note === undefined) {
        throw new NotAllowedError('Flagging a break-glass needs a note saying what is wrong.');
      }
      const review = {
        outcome: event.outcome,
        by: event.by,
        at: event.at,
        ...(event.note ? { note: event.note } : {}),
      };
      // The status and its facts stay as they are: the review is recorded beside them.
      return { ...request, ...common, breakGlass: { ...bg, review } };
    }
  }
}
