/** The approval message's buttons: approve, deny (asks why first), cancel (an approver is asked why), revoke. */
import type { AllMiddlewareArgs, BlockAction, Logger, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { MessageRef } from '../../../domain/request';
import { type ClickInput, cancelRequest, type DecisionResult } from '../../../lifecycle/decide';
import {
  type Allowed,
  type CheckPorts,
  type DecisionInput,
  mayCancel,
  mayDeny,
} from '../../../lifecycle/decide-checks';
import type { IngressPorts } from '../../../lifecycle/ports';
import { claimOf, readDecisionValue } from '../../blocks/approval-message';
import { type ReasonKind, reasonModal } from '../../blocks/deny-reason-modal';
import { DecisionClickSchema, parsePayload } from '../../payloads';
import type { SlackServices } from '../../services';
import { openModal } from '../modals';
import { answering, ephemeral } from '../respond';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** A decision use case, as the buttons run it. */
type Decide = (ports: IngressPorts, input: ClickInput, log: Logger) => Promise<DecisionResult>;

/** A decision button's click: its value names the request (and, on buttons drawn since, its requester and policy). */
const DecisionButtonClickSchema = DecisionClickSchema.extend({
  actions: z
    .tuple([
      z.object({
        action_id: z.string(),
        value: z.string().transform((value, ctx) => {
          const named = readDecisionValue(value);
          if (!named) ctx.addIssue({ code: 'custom', message: 'must name a request' });
          return named ?? z.NEVER;
        }),
      }),
    ])
    .rest(z.unknown()),
});

/** Who clicked which request's button on which message, and the trigger for a modal, from a button click. */
export function clickOf(body: unknown): ClickInput & { readonly triggerId: string } {
  const click = parsePayload(DecisionButtonClickSchema, body, 'button click');
  const channel = click.container?.channel_id ?? click.channel?.id;
  const ts = click.container?.message_ts ?? click.message?.ts;
  const clicked: MessageRef | undefined = channel && ts ? { channel, ts } : undefined;
  const { requestId, claim } = click.actions[0].value;
  return {
    requestId,
    userId: click.user.id,
    triggerId: click.trigger_id,
    ...(claim ? { claim } : {}),
    ...(clicked ? { clicked } : {}),
  };
}

/** A listener for a button that decides at once (approve, revoke). */
export function decisionButton(s: SlackServices, decide: Decide) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    await answering({ what: 'button click', logger: s.logger, answer: ephemeral(respond) }, async () => {
      const result = await decide(s.ports, clickOf(body), s.logger);
      await answerResult(respond, result);
    });
  };
}

/** Deny: checks the person may deny, then asks for the reason in a modal. */
export function denyButton(s: SlackServices) {
  return reasonButton(s, 'deny', mayDeny);
}

/**
 * Cancel: the requester's click cancels at once (the button already asked to confirm); an approver
 * cancelling an approved request is asked why first. Anyone else is told why not.
 */
export function cancelButton(s: SlackServices) {
  return reasonButton(s, 'cancel', mayCancel);
}

type ReasonCheck = (ports: CheckPorts, input: DecisionInput) => Promise<Allowed>;

function reasonButton(s: SlackServices, kind: ReasonKind, check: ReasonCheck) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    await answering({ what: `${kind} click`, logger: s.logger, answer: ephemeral(respond) }, async () => {
      const click = clickOf(body);
      const allowed = await check(s.ports, click);
      if (!allowed.needsReason) return answerResult(respond, await cancelRequest(s.ports, click, s.logger));
      const { request } = allowed;
      const view = reasonModal(kind, request, {
        requestId: click.requestId,
        claim: claimOf(request),
        ...(click.clicked ?? {}),
      });
      await openModal(s, click.triggerId, view);
    });
  };
}

/** A refusal changes nothing and is told only to the person who clicked; so is a notice on a decision that went through. */
async function answerResult(respond: ClickArgs['respond'], result: DecisionResult): Promise<void> {
  const answer = result.ok ? result.notice : result.answer;
  if (answer) await ephemeral(respond)(answer);
}
