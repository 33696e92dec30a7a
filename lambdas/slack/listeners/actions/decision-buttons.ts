/** The approval message's buttons: approve, deny (asks why first), cancel (an approver is asked why), revoke. */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { MessageRef } from '../../../domain/request';
import type { DecisionResult } from '../../../lifecycle/decide';
import { describeError } from '../../answers';
import { noticeReply } from '../../blocks/command-replies';
import { type ReasonKind, reasonModal } from '../../blocks/deny-reason-modal';
import { SlackLookupError } from '../../errors';
import { type DecisionClick, DecisionClickSchema, parsePayload } from '../../payloads';
import type { SlackServices } from '../../services';
import { replyEphemeral } from '../respond';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Which message a click came from. */
function clickedMessage(click: DecisionClick): MessageRef | undefined {
  const channel = click.container?.channel_id ?? click.channel?.id;
  const ts = click.container?.message_ts ?? click.message?.ts;
  return channel && ts ? { channel, ts } : undefined;
}

/** A listener for a button that decides at once (approve, cancel, revoke). */
export function decisionButton(
  s: SlackServices,
  decide: (id: string, userId: string, clicked: MessageRef | undefined) => Promise<DecisionResult>,
) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    let result: DecisionResult;
    try {
      const click = parsePayload(DecisionClickSchema, body, 'button click');
      result = await decide(click.actions[0].value, click.user.id, clickedMessage(click));
    } catch (error) {
      result = { ok: false, answer: describeError(error) };
      if (!result.answer.expected) s.logger.error({ msg: 'button click failed', error: String(error) });
    }
    // A refusal changes nothing and is told only to the person who clicked.
    const answer = result.ok ? result.notice : result.answer;
    if (answer) await replyEphemeral(respond, noticeReply(answer.mrkdwn));
  };
}

/** Deny: checks the person may deny, then asks for the reason in a modal. */
export function denyButton(s: SlackServices) {
  return reasonButton(s, 'deny', async (id, user) => {
    const check = await s.decisions.mayDeny(id, user);
    return check.ok ? { ok: true, request: check.request, needsReason: true } : check;
  });
}

/**
 * Cancel: the requester's click cancels at once (the button already asked to confirm); an approver
 * cancelling an approved request is asked why first. Anyone else is told why not.
 */
export function cancelButton(s: SlackServices) {
  return reasonButton(s, 'cancel', (id, user) => s.decisions.mayCancel(id, user));
}

type ReasonCheck = (id: string, userId: string) => Promise<DecisionResult & { readonly needsReason?: boolean }>;

function reasonButton(s: SlackServices, kind: ReasonKind, check: ReasonCheck) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    try {
      const click = parsePayload(DecisionClickSchema, body, 'button click');
      const id = click.actions[0].value;
      const where = clickedMessage(click);
      const allowed = await check(id, click.user.id);
      if (!allowed.ok) return await replyEphemeral(respond, noticeReply(allowed.answer.mrkdwn));
      if (!allowed.needsReason) {
        const result = await s.decisions.cancel(id, click.user.id, where);
        const answer = result.ok ? result.notice : result.answer;
        if (answer) await replyEphemeral(respond, noticeReply(answer.mrkdwn));
        return;
      }
      const view = reasonModal(kind, allowed.request, { requestId: id, ...(where ?? {}) });
      try {
        await s.web.views.open({ trigger_id: click.trigger_id, view });
      } catch (error) {
        throw new SlackLookupError('views.open', { cause: error });
      }
    } catch (error) {
      const answer = describeError(error);
      if (!answer.expected) s.logger.error({ msg: `${kind} click failed`, error: String(error) });
      await replyEphemeral(respond, noticeReply(answer.mrkdwn));
    }
  };
}
