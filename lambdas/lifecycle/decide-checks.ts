/**
 * Who may decide a request, and the facts a decision is checked against: the person deciding (their
 * groups read afresh), the requester as a person (their identity keys, and their standing now), and
 * the request's policy. `mayDeny` and `mayCancel` run the same checks without recording anything,
 * before a person is asked for a reason.
 */
import { toUtcSecond } from '../domain/durations';
import { slackOnlyKeys } from '../domain/people';
import { type Actor, authorizeCancel, authorizeDecision, type Policy, type RequesterNow } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { transition } from '../domain/transitions';
import { nowOf } from '../runtime/clock';
import { UnknownPolicyError } from '../slack/errors';
import type { IngressPorts } from './ports';

/** What the checks work with. */
export type CheckPorts = Pick<IngressPorts, 'config' | 'store' | 'directory' | 'clock'>;

/** A person's click on a request. */
export interface DecisionInput {
  readonly requestId: string;
  /** The Slack user deciding. */
  readonly userId: string;
}

/** What a decision knows of the requester now: the keys that tell who they are, and their standing. */
export interface RequesterFacts {
  readonly keys: readonly string[];
  readonly now: RequesterNow;
}

/** A check that passed: the request as it is now, and whether the person must say why. */
export interface Allowed {
  readonly request: AccessRequest;
  readonly needsReason: boolean;
}

/** The policy the request was made under; UnknownPolicyError once it is no longer configured. */
export function policyOf(ports: Pick<IngressPorts, 'config'>, request: AccessRequest): Policy {
  const policy = ports.config.policies.find((p) => p.name === request.policy);
  if (!policy) throw new UnknownPolicyError(request.policy);
  return policy;
}

/** The person deciding, with group memberships read afresh: someone just removed from a group no longer decides. */
export function approver(ports: Pick<IngressPorts, 'directory'>, userId: string, policy: Policy): Promise<Actor> {
  return ports.directory.actor(userId, policy.approvers.groups, { fresh: true });
}

/** Who the requester is now: their identity keys (and the ONTAP account the request names) and their standing. */
export async function requesterFacts(
  ports: Pick<IngressPorts, 'directory'>,
  request: AccessRequest,
  policy: Policy,
): Promise<RequesterFacts> {
  const { identity, now } = await ports.directory.requesterNow(request.requester.slackUserId, policy);
  const keys = [...identity.keys, `ontap:${request.requester.ontapAccount.toLowerCase()}`];
  return { keys, now };
}

/**
 * The person taking back their own request (cancel, revoke): only ever less access, and the rules let
 * the requester do it by their Slack id alone, so Slack is not asked who they are.
 */
export function ownRequest(request: AccessRequest, userId: string): Actor | undefined {
  return userId === request.requester.slackUserId ? { userId, groups: new Set<string>() } : undefined;
}

/** The requester by their Slack id alone, for decisions that do not compare persons (cancel, revoke). */
export function idOnly(request: AccessRequest): RequesterFacts {
  const userId = request.requester.slackUserId;
  const actor = { userId, groups: new Set<string>() };
  return { keys: slackOnlyKeys(userId), now: { actor, ontapAccount: request.requester.ontapAccount } };
}

/** Whether this person could deny the request now; throws the refusal (checked before asking them for a reason). */
export async function mayDeny(ports: CheckPorts, input: DecisionInput): Promise<Allowed> {
  const request = await ports.store.get(input.requestId);
  const policy = policyOf(ports, request);
  const [actor, requester] = await Promise.all([
    approver(ports, input.userId, policy),
    requesterFacts(ports, request, policy),
  ]);
  authorizeDecision(policy, request, actor, requester.keys);
  const at = toUtcSecond(nowOf(ports.clock));
  transition(request, { type: 'DENY', by: input.userId, at, reason: 'dry run' });
  return { request, needsReason: true };
}

/** Whether this person could cancel the request now, and must say why (an approver does); throws the refusal. */
export async function mayCancel(ports: CheckPorts, input: DecisionInput): Promise<Allowed> {
  const request = await ports.store.get(input.requestId);
  const policy = policyOf(ports, request);
  const actor = ownRequest(request, input.userId) ?? (await approver(ports, input.userId, policy));
  authorizeCancel(policy, request, actor);
  const needsReason = input.userId !== request.requester.slackUserId;
  const at = toUtcSecond(nowOf(ports.clock));
  transition(request, { type: 'CANCEL', by: input.userId, at, ...(needsReason ? { reason: 'dry run' } : {}) });
  return { request, needsReason };
}
