/**
 * Who may decide a request, and the facts a decision is checked against: the person deciding (their
 * groups read afresh), the requester as a person (their identity keys, and their standing now), and
 * the request's policy. `mayDeny` and `mayCancel` run the same checks without recording anything,
 * before a person is asked for a reason.
 *
 * A click whose button names the request's requester and policy has Slack asked while the request is
 * read, not after. The stored request decides: lookups made for another requester or policy than it
 * names (an older message, a value made up) are dropped and made again for the stored ones.
 */
import { toUtcSecond } from '../domain/durations';
import { slackOnlyKeys } from '../domain/people';
import { type Actor, authorizeCancel, authorizeDecision, type Policy, type RequesterNow } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { transition } from '../domain/transitions';
import { awaitedLater } from '../runtime/awaited-later';
import { nowOf } from '../runtime/clock';
import type { DecisionClaim } from '../slack/blocks/approval-message';
import type { DirectoryIdentity } from '../slack/directory';
import { UnknownPolicyError } from '../slack/errors';
import type { StoredRequest } from '../store/items';
import type { IngressPorts } from './ports';

/** What the checks work with. */
export type CheckPorts = Pick<IngressPorts, 'config' | 'store' | 'directory' | 'clock'>;

/** A person's click on a request. */
export interface DecisionInput {
  readonly requestId: string;
  /** The Slack user deciding. */
  readonly userId: string;
  /** Whose request the button says it is (buttons drawn since values name it); a hint, never trusted. */
  readonly claim?: DecisionClaim;
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
  return factsOf(request, ports.directory.requesterNow(request.requester.slackUserId, policy));
}

/** What the directory answered of a requester, as a decision compares it (with the ONTAP account the request names). */
type RequesterAnswer = { readonly identity: DirectoryIdentity; readonly now: RequesterNow };

async function factsOf(request: AccessRequest, answer: Promise<RequesterAnswer>): Promise<RequesterFacts> {
  const { identity, now } = await answer;
  return { keys: [...identity.keys, `ontap:${request.requester.ontapAccount.toLowerCase()}`], now };
}

/** Which Slack lookups a decision makes, and under which policy. */
export interface LookupNeeds {
  /** The policy the decision is made under, from the request's. @default it */
  readonly policy?: (policy: Policy) => Policy;
  /** Compare the decider with the requester as persons: the requester is looked up too. */
  readonly againstRequester?: boolean;
  /** The requester may take back their own request by their Slack id alone: they are not looked up as deciders. */
  readonly ownByIdOnly?: boolean;
}

/** The request as read for a decision, the policy it is decided under, and the two people it compares. */
export interface DecisionFacts {
  readonly stored: StoredRequest;
  readonly policy: Policy;
  readonly actor: Actor;
  readonly requester: RequesterFacts;
  /** The click named another requester or policy than the stored request: its early lookups were not used. */
  readonly claimDiffers: boolean;
}

/**
 * Reads the request and asks Slack who decides and who the requester is now (always afresh). When the
 * click names whose request it is, both lookups start with the read; once read, the stored requester
 * and policy decide whether those answers are used or the lookups are made again for them.
 */
export async function readAndLookUp(
  ports: CheckPorts,
  input: DecisionInput,
  needs: LookupNeeds,
): Promise<DecisionFacts> {
  const early = lookUpClaimed(ports, input, needs);
  const stored = await ports.store.getStored(input.requestId);
  const { request } = stored;
  const named = policyOf(ports, request);
  const policy = needs.policy ? needs.policy(named) : named;
  const sameRequester = early !== undefined && early.claim.requester === request.requester.slackUserId;
  const fitting = sameRequester && early.claim.policy === request.policy ? early : undefined;
  const own = needs.ownByIdOnly ? ownRequest(request, input.userId) : undefined;
  const [actor, requester] = await Promise.all([
    own ?? fitting?.actor ?? approver(ports, input.userId, policy),
    needs.againstRequester
      ? factsOf(request, fitting?.requester ?? ports.directory.requesterNow(request.requester.slackUserId, policy))
      : idOnly(request),
  ]);
  return { stored, policy, actor, requester, claimDiffers: early !== undefined && fitting === undefined };
}

/** The lookups a click's claim lets start before the read (none for a policy no longer configured). */
function lookUpClaimed(
  ports: CheckPorts,
  input: DecisionInput,
  needs: LookupNeeds,
): { claim: DecisionClaim; actor?: Promise<Actor>; requester?: Promise<RequesterAnswer> } | undefined {
  const { claim, userId } = input;
  const named = claim && ports.config.policies.find((p) => p.name === claim.policy);
  if (!claim || !named) return undefined;
  const policy = needs.policy ? needs.policy(named) : named;
  const own = needs.ownByIdOnly === true && claim.requester === userId;
  return {
    claim,
    ...(own ? {} : { actor: awaitedLater(approver(ports, userId, policy)) }),
    ...(needs.againstRequester
      ? { requester: awaitedLater(ports.directory.requesterNow(claim.requester, policy)) }
      : {}),
  };
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
  const { stored, policy, actor, requester } = await readAndLookUp(ports, input, { againstRequester: true });
  const { request } = stored;
  authorizeDecision(policy, request, actor, requester.keys);
  const at = toUtcSecond(nowOf(ports.clock));
  transition(request, { type: 'DENY', by: input.userId, at, reason: 'dry run' });
  return { request, needsReason: true };
}

/** Whether this person could cancel the request now, and must say why (an approver does); throws the refusal. */
export async function mayCancel(ports: CheckPorts, input: DecisionInput): Promise<Allowed> {
  const { stored, policy, actor } = await readAndLookUp(ports, input, { ownByIdOnly: true });
  const { request } = stored;
  authorizeCancel(policy, request, actor);
  const needsReason = input.userId !== request.requester.slackUserId;
  const at = toUtcSecond(nowOf(ports.clock));
  transition(request, { type: 'CANCEL', by: input.userId, at, ...(needsReason ? { reason: 'dry run' } : {}) });
  return { request, needsReason };
}
