/**
 * The review of a break-glass, afterwards: one of the policy's approvers acknowledges it, or flags it
 * with a note. Checked like a decision (decide.ts): persons, not Slack ids, so the requester never
 * reviews their own break-glass under another identity; only an approver of the policy reviews. The
 * review is a lifecycle event (a conditional write with its audit event), so a double click or two
 * approvers at once record one review; the announcement is updated in place and the requester told.
 */
import type { Logger } from '@slack/bolt';
import { toUtcSecond } from '../domain/durations';
import { NotAllowedError } from '../domain/errors';
import { authorizeDecision } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { transition } from '../domain/transitions';
import { nowOf } from '../runtime/clock';
import { reviewNotice } from '../slack/blocks/break-glass';
import { type ClickInput, type DecisionResult, decide } from './decide';
import { approver, type CheckPorts, type DecisionInput, policyOf, requesterFacts } from './decide-checks';
import type { IngressPorts } from './ports';

/** A review as a person makes it: acknowledged, or flagged with a note. */
export type ReviewInput = ClickInput &
  (
    | { readonly outcome: 'acknowledged'; readonly note?: string }
    | { readonly outcome: 'flagged'; readonly note: string }
  );

/** Records the review of a break-glass; refuses the requester (as any of their identities) and non-approvers. */
export async function reviewBreakGlass(ports: IngressPorts, input: ReviewInput, log: Logger): Promise<DecisionResult> {
  const { outcome, note } = input;
  const result = await decide(ports, input, log, {
    event: (at) => ({ type: 'BREAK_GLASS_REVIEWED', by: input.userId, at, outcome, ...(note ? { note } : {}) }),
    authorize: (policy, current, actor, requester) => authorizeDecision(policy, current, actor, requester.keys),
    againstRequester: true,
    // Nothing waits for a review: the record, the announcement and the requester are all there is to tell.
    signal: async () => ({ resumed: false }),
  });
  const review = result.ok ? result.request.breakGlass?.review : undefined;
  if (result.ok && review) {
    const request = result.request;
    try {
      if (request.slack.requester) await ports.notifier.requester(request);
      await ports.notifier.notice(request.requester.slackUserId, reviewNotice(request, review));
    } catch (error) {
      // The review stands; the announcement shows it whether or not the requester's DM went.
      log.warn({ msg: 'requester not told of the break-glass review', requestId: request.id, error: String(error) });
    }
  }
  return result;
}

/**
 * Whether this person could review the break-glass now; throws the refusal (checked before they are
 * asked for a Flag note, so nobody writes a note that would be refused).
 */
export async function mayReview(ports: CheckPorts, input: DecisionInput): Promise<AccessRequest> {
  const request = await ports.store.get(input.requestId);
  if (!request.breakGlass?.usedAt) throw new NotAllowedError('This request did not use break-glass.');
  const policy = policyOf(ports, request);
  const [actor, requester] = await Promise.all([
    approver(ports, input.userId, policy),
    requesterFacts(ports, request, policy),
  ]);
  authorizeDecision(policy, request, actor, requester.keys);
  const at = toUtcSecond(nowOf(ports.clock));
  transition(request, { type: 'BREAK_GLASS_REVIEWED', by: input.userId, at, outcome: 'flagged', note: 'dry run' });
  return request;
}
