/**
 * Buttons that open the request form: "Request access" on the Home tab, and "Request again" on an
 * ended request (its DM, the Home tab, `/jit list`), which opens the form filled in as that request
 * was. Only the requester may ask for their request again: the form carries their justification and
 * is submitted as whoever submits it, so someone else's words would become another person's request
 * (and the button is only ever shown to the requester). The submission is the form's own, checked whole.
 */

import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/web-api';
import { z } from 'zod';
import { offersBreakGlass } from '../../../domain/break-glass';
import { NotAllowedError } from '../../../domain/errors';
import { groupsOf, noPolicyMessage, type Policy } from '../../../domain/policy';
import { isTerminal } from '../../../domain/request';
import { requesterPolicies } from '../../../domain/request-form';
import { noticeView } from '../../blocks/home';
import { buildRequestModal, type ModalRequester } from '../../blocks/request-modal';
import { requestAgainForm } from '../../blocks/request-prefill';
import { DecisionClickSchema, parsePayload } from '../../payloads';
import type { SlackServices } from '../../services';
import { openModal } from '../modals';
import { type Answer, answering, ephemeral } from '../respond';
import { clickedOnHome } from './home-buttons';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const ClickSchema = z.object({
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,20}$/) }),
  trigger_id: z.string().min(1),
});

/** "Request access" on the Home tab: the request form, as `/jit` opens it. */
export function newRequestButton(s: SlackServices) {
  return async ({ ack, body }: ClickArgs): Promise<void> => {
    await ack();
    const click = parsePayload(ClickSchema, body, 'button click');
    const answer = inModal(s, click.trigger_id);
    await answering({ what: 'request form', logger: s.logger, answer }, async () => {
      const opened = await formFor(s, click.user.id, answer);
      if (opened) await openModal(s, click.trigger_id, opened.build({}));
    });
  };
}

/** "Request again" on an ended request: the request form filled in as that request was. */
export function requestAgainButton(s: SlackServices) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    const click = parsePayload(DecisionClickSchema, body, 'button click');
    const answer = clickedOnHome(body) ? inModal(s, click.trigger_id) : ephemeral(respond);
    await answering({ what: 'request again', logger: s.logger, answer }, async () => {
      const request = await s.store.get(click.actions[0].value);
      if (request.requester.slackUserId !== click.user.id) {
        throw new NotAllowedError('Only the requester can ask for this again. Type /jit to ask for yourself.');
      }
      if (!isTerminal(request)) throw new NotAllowedError('This request is still open: it cannot be asked again yet.');
      const opened = await formFor(s, click.user.id, answer, clickedOnHome(body));
      if (!opened) return;
      const { selection, prefill } = requestAgainForm(s.config, opened.policies, request);
      await openModal(s, click.trigger_id, opened.build({ selection, prefill }));
    });
  };
}

/** The person's policies and a builder of their form; undefined (they are told why) when they may ask for nothing. */
async function formFor(s: SlackServices, userId: string, answer: Answer, fromHome = true) {
  const { requester, actor } = await s.directory.asker(userId, groupsOf(s.config.policies));
  const policies: Policy[] = requesterPolicies(s.config, actor);
  if (policies.length === 0) {
    await answer({ mrkdwn: noPolicyMessage(actor), plain: noPolicyMessage(actor), expected: true });
    return undefined;
  }
  const who: ModalRequester = {
    account: requester.ontapAccount,
    zone: requester.zone,
    ...(requester.name !== undefined ? { name: requester.name } : {}),
    ...(fromHome ? { from: 'home' as const } : {}),
    ...(offersBreakGlass(policies, actor) ? { bg: true as const } : {}),
  };
  const build = (form: Partial<ReturnType<typeof requestAgainForm>>): ModalView =>
    buildRequestModal(s.config, policies, who, form.selection ?? {}, form.prefill ?? {});
  return { policies, build };
}

/** Answers in a small modal (a Home click has no message to answer under). */
function inModal(s: SlackServices, triggerId: string): Answer {
  return async (answer) => {
    const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: answer.mrkdwn } }];
    await s.web.views.open({ trigger_id: triggerId, view: noticeView(answer.plain, blocks) });
  };
}
