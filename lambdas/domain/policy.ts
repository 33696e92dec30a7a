/** Policies: who may ask for what, who approves it, and for how long. Pure rules, no I/O. */
import { z } from 'zod';
import { DurationTextSchema } from './durations';
import { NotAllowedError, NotApproverError, PolicyViolationError, SelfApprovalError } from './errors';
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
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.defaultDuration > p.maxDuration) {
      ctx.addIssue({ code: 'custom', path: ['defaultDuration'], message: 'is longer than maxDuration' });
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

/** Someone acting in Slack: their user id and the user groups they are known to be in. */
export interface Actor {
  readonly userId: string;
  readonly groups: ReadonlySet<string>;
}

/** What is being asked for. */
export interface Target {
  readonly cluster: string;
  readonly svm: string;
  readonly role: string;
}

function matches(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => p === '*' || p === value);
}

function isIn(people: Policy['approvers'] | 'anyone', actor: Actor): boolean {
  if (people === 'anyone') return true;
  return people.users.includes(actor.userId) || people.groups.some((g) => actor.groups.has(g));
}

/** Every user-group id a policy list mentions, so the Slack adapter knows which memberships to look up. */
export function groupsOf(policies: readonly Policy[]): string[] {
  const ids = new Set<string>();
  for (const p of policies) {
    if (p.requesters !== 'anyone') p.requesters.groups.forEach((g) => ids.add(g));
    p.approvers.groups.forEach((g) => ids.add(g));
  }
  return [...ids];
}

/** Policies under which this person may ask for anything at all, in configuration order. */
export function policiesForRequester(policies: readonly Policy[], actor: Actor): Policy[] {
  return policies.filter((p) => isIn(p.requesters, actor));
}

/**
 * The policy that governs this request: the first, in configuration order, that lets this person
 * ask for this role on this SVM of this cluster. Refuses with the field that no policy covers.
 */
export function selectPolicy(policies: readonly Policy[], actor: Actor, target: Target): Policy {
  const mine = policiesForRequester(policies, actor);
  if (mine.length === 0) throw new PolicyViolationError('No policy lets you request elevated access.');
  const onCluster = mine.filter((p) => matches(p.clusters, target.cluster));
  if (onCluster.length === 0) throw new PolicyViolationError(`No policy lets you request access on cluster "${target.cluster}".`, 'cluster');
  const onSvm = onCluster.filter((p) => matches(p.svms, target.svm));
  if (onSvm.length === 0) throw new PolicyViolationError(`No policy lets you request access on SVM "${target.svm}".`, 'svm');
  const chosen = onSvm.find((p) => p.roles.includes(target.role));
  if (!chosen) {
    const allowed = [...new Set(onSvm.flatMap((p) => p.roles))].join(', ');
    throw new PolicyViolationError(`Role "${target.role}" cannot be requested on "${target.svm}" (allowed: ${allowed}).`, 'role');
  }
  return chosen;
}

/** Refuses an approval or denial by someone who may not decide this request. */
export function authorizeDecision(policy: Policy, request: Pick<RequestBase, 'requester'>, actor: Actor): void {
  if (actor.userId === request.requester.slackUserId) throw new SelfApprovalError();
  if (!isIn(policy.approvers, actor)) throw new NotApproverError(policy.name);
}

/** Only the requester or one of the policy's approvers may end a grant early. */
export function authorizeRevoke(policy: Policy, request: Pick<RequestBase, 'requester'>, actor: Actor): void {
  if (actor.userId === request.requester.slackUserId || isIn(policy.approvers, actor)) return;
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
  if (!isIn(policy.approvers, actor)) {
    throw new NotAllowedError(
      'Only the requester, or an approver once it is approved and before it starts, can cancel this request.',
    );
  }
  if (request.status === 'PENDING') {
    throw new NotAllowedError('Only the requester can cancel a request that is still waiting; deny it instead.');
  }
  // Approved: allowed. Granted or closed: the lifecycle says what happened to it.
}
