/** Policies: who may ask for what, who approves it, and for how long. Pure rules, no I/O. */
import { z } from 'zod';
import { DurationTextSchema } from './durations';
import {
  AccountInactiveError,
  NotAllowedError,
  NotApproverError,
  PolicyViolationError,
  RequesterNotAuthorizedError,
  SamePersonApprovalError,
  SelfApprovalError,
} from './errors';
import { DEFAULT_ENDS_SOON_NOTICE, EndsSoonNoticeSchema, EscalateToSchema, RemindersSchema } from './nudges';
import { type AccountStatus, samePerson, slackOnlyKeys } from './people';
import type { AccessRequest, RequestBase } from './request';

const slackUser = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id such as U0123ABCD');
const slackGroup = z.string().regex(/^S[A-Z0-9]{2,20}$/, 'must be a Slack user-group id such as S0123ABCD');
const duration = DurationTextSchema;
/** The least of a scheduled window a late approval still grants, unless a policy says otherwise. */
export const DEFAULT_MIN_REMAINING = '15m';

/** A name that may be `*` for "any". */
const pattern = z.string().min(1).max(128);
/**
 * A role is always named: `*` is refused, because a policy is what approvers agreed to grant, and
 * "any role on the SVM" would put roles nobody reviewed (and the modal's list of them, which would
 * have to come from the cluster inside Slack's 3 seconds) behind one approval.
 */
const roleName = z
  .string()
  .min(1)
  .max(128)
  .refine((r) => !r.includes('*'), 'is a wildcard: name each role this policy grants ("*" is not accepted for roles)');

/** A set of Slack people: user ids and/or user-group ids. */
export const PeopleSchema = z
  .object({ users: z.array(slackUser).default([]), groups: z.array(slackGroup).default([]) })
  .strict()
  .refine((p) => p.users.length + p.groups.length > 0, 'must name at least one user or user group');

/**
 * Extending a live grant: at most `by` more per extension, `times` extensions per grant, with or
 * without an approval (by the extension's own approvers, else the policy's). Absent: no Extend.
 */
export const ExtensionPolicySchema = z
  .object({
    by: duration,
    times: z.number().int().min(1).max(10),
    approval: z.enum(['required', 'none']),
    approvers: PeopleSchema.optional(),
    /** Distinct approvers an extension needs; the policy's `approvalsRequired` unless set. */
    approvalsRequired: z.number().int().min(1).max(10).optional(),
  })
  .strict()
  .superRefine((x, ctx) => {
    if (x.approval === 'none' && (x.approvers !== undefined || x.approvalsRequired !== undefined)) {
      const path = [x.approvers !== undefined ? 'approvers' : 'approvalsRequired'];
      ctx.addIssue({ code: 'custom', path, message: 'is set but approval is "none": nobody would be asked' });
    }
  });

/**
 * How a break-glass is announced in the approval channel: `@here`, `@channel`, a user group
 * (`<!subteam^S…>`) or a person (`<@U…>`).
 */
export const BreakGlassMentionSchema = z
  .string()
  .regex(
    /^(@here|@channel|<!here>|<!channel>|<!subteam\^S[A-Z0-9]{2,20}>|<@[UW][A-Z0-9]{2,20}>)$/,
    'must be @here, @channel, <!subteam^S0123ABCD> or <@U0123ABCD>',
  );

/**
 * Break-glass: the people (`who`) who may grant themselves access at once, without approval, in an
 * emergency, for at most `maxDuration`; announced with `mention`; reviewed by the policy's approvers
 * afterwards, escalated (to `escalateTo`, else the policy's reminders' escalation, else the approval
 * channel) when nobody reviewed it within `reviewWithin`. Absent: no break-glass under the policy.
 */
export const BreakGlassPolicySchema = z
  .object({
    who: PeopleSchema,
    maxDuration: duration,
    mention: BreakGlassMentionSchema.default('@here'),
    reviewWithin: duration,
    escalateTo: EscalateToSchema.optional(),
  })
  .strict();

/** One policy as configured; durations are read into whole seconds. */
export const PolicySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'),
    description: z.string().max(300).optional(),
    clusters: z.array(pattern).min(1),
    svms: z.array(pattern).min(1),
    roles: z.array(roleName).min(1),
    requesters: z.union([z.literal('anyone'), PeopleSchema]),
    approvers: PeopleSchema,
    approvalsRequired: z.number().int().min(1).max(10).default(1),
    defaultDuration: duration,
    maxDuration: duration,
    approvalTimeout: duration,
    sessionValidity: duration.optional(),
    maxScheduleAhead: duration.prefault('7d'),
    /**
     * A scheduled request approved after its start is granted only until its requested end; when
     * less than this is left (or the whole window, if shorter) it expires instead.
     */
    minRemaining: duration.prefault(DEFAULT_MIN_REMAINING),
    /** Slack guests (single- and multi-channel) may ask under this policy. */
    guestsMayRequest: z.boolean().default(false),
    /** Slack guests listed as approvers may decide under this policy. */
    guestsMayApprove: z.boolean().default(false),
    /** Open requests (pending, or approved and not started) one person may have under this policy. */
    maxOpenRequests: z.number().int().min(1).max(50).default(3),
    /** Remind the approvers while a request waits, and escalate after a while (domain/nudges.ts). */
    reminders: RemindersSchema.optional(),
    /** How long before its end the requester is told their access ends soon; `off` never tells. */
    endsSoonNotice: EndsSoonNoticeSchema.prefault(DEFAULT_ENDS_SOON_NOTICE),
    /** How a live grant may be extended (domain/extension.ts); absent: it may not. */
    extension: ExtensionPolicySchema.optional(),
    /** Who may grant themselves access without approval in an emergency (domain/break-glass.ts); absent: nobody. */
    breakGlass: BreakGlassPolicySchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.reminders && p.reminders.every >= p.approvalTimeout) {
      const message = 'is not shorter than approvalTimeout: no reminder would ever be sent';
      ctx.addIssue({ code: 'custom', path: ['reminders', 'every'], message });
    }
    if (p.reminders?.escalateAfter !== undefined && p.reminders.escalateAfter >= p.approvalTimeout) {
      const message = 'is not shorter than approvalTimeout: the request would expire before it is escalated';
      ctx.addIssue({ code: 'custom', path: ['reminders', 'escalateAfter'], message });
    }
    if (p.breakGlass && p.breakGlass.maxDuration > p.maxDuration) {
      const message = "is longer than the policy's maxDuration: break-glass is shorter than an approved grant";
      ctx.addIssue({ code: 'custom', path: ['breakGlass', 'maxDuration'], message });
    }
    if (p.defaultDuration > p.maxDuration) {
      ctx.addIssue({ code: 'custom', path: ['defaultDuration'], message: 'is longer than maxDuration' });
    }
    if (p.extension && p.extension.by >= p.maxDuration) {
      const message = 'is not shorter than maxDuration: no grant could ever be extended by it';
      ctx.addIssue({ code: 'custom', path: ['extension', 'by'], message });
    }
    const seats = p.extension?.approvalsRequired;
    const extensionApprovers = p.extension?.approvers ?? p.approvers;
    if (seats !== undefined && extensionApprovers.groups.length === 0 && extensionApprovers.users.length < seats) {
      const message = `needs ${seats} distinct approvers but the extension's approvers name only ${extensionApprovers.users.length}`;
      ctx.addIssue({ code: 'custom', path: ['extension', 'approvalsRequired'], message });
    }
    if (p.approvers.groups.length === 0 && p.approvers.users.length < p.approvalsRequired) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvalsRequired'],
        message: `needs ${p.approvalsRequired} distinct approvers but approvers.users names only ${p.approvers.users.length}`,
      });
    }
  });

/** One policy, with durations in whole seconds. */
export type Policy = z.infer<typeof PolicySchema>;

/** Someone acting in Slack: user id, user groups they are known to be in, who they are, how Slack sees them. */
export interface Actor {
  readonly userId: string;
  readonly groups: ReadonlySet<string>;
  /** The keys that tell which person this is (people.ts); absent: the Slack id alone. */
  readonly keys?: readonly string[];
  /** What Slack says of the account; absent: active. */
  readonly status?: AccountStatus;
}

/** What is being asked for. */
export interface Target {
  readonly cluster: string;
  readonly svm: string;
  readonly role: string;
}

/** Whether a policy's list of clusters or SVMs covers `value`: it names it, or it holds `*` (any). */
export function covers(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => p === '*' || p === value);
}

/**
 * The policies (of those given) whose clusters and SVMs cover a target. For `svm: '*'` ("any SVM,
 * typed by the requester") only those that allow any SVM do.
 */
export function policiesCovering(policies: readonly Policy[], target: Pick<Target, 'cluster' | 'svm'>): Policy[] {
  return policies.filter(
    (p) =>
      covers(p.clusters, target.cluster) && (target.svm === '*' ? p.svms.includes('*') : covers(p.svms, target.svm)),
  );
}

function isIn(people: Policy['approvers'] | 'anyone', actor: Actor): boolean {
  if (people === 'anyone') return true;
  return people.users.includes(actor.userId) || people.groups.some((g) => actor.groups.has(g));
}

/** Whether the person is one of `people` (listed, or in a listed group); `anyone` holds everybody. */
export function isAmong(people: Policy['approvers'] | 'anyone', actor: Actor): boolean {
  return isIn(people, actor);
}

function mayRequestUnder(policy: Policy, actor: Actor): boolean {
  if (actor.status === 'deactivated') return false;
  if (actor.status === 'guest' && !policy.guestsMayRequest) return false;
  return isIn(policy.requesters, actor);
}

/** An approver of the policy: listed (or in a listed group), active, not a guest unless the policy allows it. */
function isApprover(policy: Policy, actor: Actor): boolean {
  if (actor.status === 'deactivated') return false;
  if (actor.status === 'guest' && !policy.guestsMayApprove) return false;
  return isIn(policy.approvers, actor);
}

function keysOf(actor: Actor): readonly string[] {
  return actor.keys ?? slackOnlyKeys(actor.userId);
}

/** Every user-group id a policy list mentions, so the Slack adapter knows which memberships to look up. */
export function groupsOf(policies: readonly Policy[]): string[] {
  const ids = new Set<string>();
  for (const p of policies) {
    if (p.requesters !== 'anyone') for (const g of p.requesters.groups) ids.add(g);
    for (const g of p.approvers.groups) ids.add(g);
    for (const g of p.extension?.approvers?.groups ?? []) ids.add(g);
    for (const g of p.breakGlass?.who.groups ?? []) ids.add(g);
  }
  return [...ids];
}

/** Policies under which this person may ask for anything at all, in configuration order. */
export function policiesForRequester(policies: readonly Policy[], actor: Actor): Policy[] {
  return policies.filter((p) => mayRequestUnder(p, actor));
}

/** Policies this person may decide requests under (approve, deny), in configuration order. */
export function policiesForApprover(policies: readonly Policy[], actor: Actor): Policy[] {
  return policies.filter((p) => isApprover(p, actor));
}

/**
 * The policy that governs this request: the first, in configuration order, that lets this person
 * ask for this role on this SVM of this cluster. Refuses with the field that no policy covers.
 */
export function selectPolicy(policies: readonly Policy[], actor: Actor, target: Target): Policy {
  const mine = policiesForRequester(policies, actor);
  if (mine.length === 0) throw new PolicyViolationError(noPolicyMessage(actor));
  const onCluster = mine.filter((p) => covers(p.clusters, target.cluster));
  if (onCluster.length === 0)
    throw new PolicyViolationError(`No policy lets you request access on cluster "${target.cluster}".`, 'cluster');
  const onSvm = onCluster.filter((p) => covers(p.svms, target.svm));
  if (onSvm.length === 0)
    throw new PolicyViolationError(`No policy lets you request access on SVM "${target.svm}".`, 'svm');
  const chosen = onSvm.find((p) => p.roles.includes(target.role));
  if (!chosen) {
    const allowed = [...new Set(onSvm.flatMap((p) => p.roles))].join(', ');
    throw new PolicyViolationError(
      `Role "${target.role}" cannot be requested on "${target.svm}" (allowed: ${allowed}).`,
      'role',
    );
  }
  return chosen;
}

/** Why nobody's policy lets this person ask, in their words. */
export function noPolicyMessage(actor: Pick<Actor, 'status'>): string {
  if (actor.status === 'deactivated') return 'Your Slack account is deactivated: you cannot request elevated access.';
  if (actor.status === 'guest') return 'Slack guest accounts cannot request elevated access under any policy here.';
  return 'No policy lets you request elevated access.';
}

/**
 * Refuses a denial (or the approver part of an approval) by someone who may not decide this
 * request: the requester, by any of their Slack identities (`requesterKeys`), a deactivated
 * account, a guest where the policy does not allow guests, or someone who is not an approver.
 */
export function authorizeDecision(
  policy: Policy,
  request: Pick<RequestBase, 'requester'>,
  actor: Actor,
  requesterKeys: readonly string[] = slackOnlyKeys(request.requester.slackUserId),
): void {
  if (actor.userId === request.requester.slackUserId) throw new SelfApprovalError();
  if (samePerson(keysOf(actor), requesterKeys)) throw new SelfApprovalError(true);
  if (actor.status === 'deactivated') throw new AccountInactiveError();
  if (!isApprover(policy, actor)) throw new NotApproverError(policy.name, actor.status === 'guest');
}

/** Refuses an approval by someone who may not decide, or by a person already in a seat under another Slack id. */
export function authorizeApproval(
  policy: Policy,
  request: Pick<RequestBase, 'requester' | 'approvals'>,
  actor: Actor,
  requesterKeys?: readonly string[],
): void {
  authorizeDecision(policy, request, actor, requesterKeys);
  const seat = request.approvals.find(
    (a) => a.by !== actor.userId && samePerson(a.person ?? slackOnlyKeys(a.by), keysOf(actor)),
  );
  if (seat) throw new SamePersonApprovalError(seat.by);
}

/** Only the requester or one of the policy's approvers may end a grant early. */
export function authorizeRevoke(policy: Policy, request: Pick<RequestBase, 'requester'>, actor: Actor): void {
  if (actor.userId === request.requester.slackUserId || isApprover(policy, actor)) return;
  throw new NotAllowedError('Only the requester or an approver can revoke this grant.');
}

/**
 * The requester may cancel their request until it is granted. An approver of its policy may cancel
 * it once approved, before its access starts (a scheduled start, or the moment before the grant):
 * a pending request they deny instead.
 */
export function authorizeCancel(
  policy: Policy,
  request: Pick<AccessRequest, 'requester' | 'status'>,
  actor: Actor,
): void {
  if (actor.userId === request.requester.slackUserId) return;
  if (!isApprover(policy, actor)) {
    throw new NotAllowedError(
      'Only the requester, or an approver once it is approved and before it starts, can cancel this request.',
    );
  }
  if (request.status === 'PENDING') {
    throw new NotAllowedError('Only the requester can cancel a request that is still waiting; deny it instead.');
  }
  // Approved: allowed. Granted or closed: the lifecycle says what happened to it.
}

/** What is known of the requester now, to check them again before access changes. */
export interface RequesterNow {
  /** The requester as the policy rules see them today (status, groups). */
  readonly actor: Actor;
  /** The ONTAP account they map to today, if any. */
  readonly ontapAccount?: string;
}

/**
 * Refuses (RequesterNotAuthorizedError, with a reason both sides can read) a request whose requester
 * is no longer what was checked when they asked: still an active Slack user, still allowed by the
 * policy, still the same ONTAP account. Checked at each approval, at the scheduled start and at grant.
 */
export function reauthorizeRequester(policy: Policy, request: Pick<RequestBase, 'requester'>, now: RequesterNow): void {
  // Plain words, no mention: the reason is shown escaped to the approvers and to the requester alike.
  const who = 'The requester';
  const asked = request.requester.ontapAccount;
  const refuse = (why: string): never => {
    throw new RequesterNotAuthorizedError(`${who} ${why}`);
  };
  if (now.actor.status === 'deactivated') refuse('is no longer an active Slack user.');
  if (now.actor.status === 'guest' && !policy.guestsMayRequest) {
    refuse(`is now a Slack guest, and policy "${policy.name}" does not let guests request access.`);
  }
  if (!isIn(policy.requesters, now.actor)) refuse(`is no longer one of the requesters of policy "${policy.name}".`);
  if (now.ontapAccount === undefined) refuse('no longer maps to an ONTAP account.');
  else if (now.ontapAccount !== asked) {
    refuse(`now maps to ONTAP account "${now.ontapAccount}", not "${asked}" that was asked for.`);
  }
}
