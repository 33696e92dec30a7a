/** `/jit`: the request form, help, the requester's list, and one-line requests. */
import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { groupsOf, noPolicyMessage } from '../../../domain/policy';
import { checkDraft, type Draft, requesterPolicies } from '../../../domain/request-form';
import { WorkflowCallError } from '../../../lifecycle/errors';
import { requestIdFor } from '../../../lifecycle/submit';
import { describeError } from '../../answers';
import {
  formErrorsReply,
  helpReply,
  listReply,
  noticeReply,
  submittedReply,
  usageReply,
} from '../../blocks/command-replies';
import { buildRequestModal } from '../../blocks/request-modal';
import { parseCommandText } from '../../command-text';
import { SlackLookupError } from '../../errors';
import { parsePayload, type SlashCommand, SlashCommandSchema } from '../../payloads';
import type { SlackServices } from '../../services';
import { replyEphemeral } from '../respond';

/** The `/jit` listener. */
export function jitCommand(s: SlackServices) {
  return async ({ ack, body, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    try {
      const command = parsePayload(SlashCommandSchema, body, 'slash command');
      const parsed = parseCommandText(command.text);
      switch (parsed.kind) {
        case 'help':
          return await replyEphemeral(respond, helpReply(s.config.slack.approvalChannel));
        case 'list':
          return await replyEphemeral(respond, listReply(await s.store.listByRequester(command.user_id)));
        case 'unknown':
          return await replyEphemeral(respond, usageReply());
        case 'open':
          return await openForm(s, command, respond);
        case 'request':
          return await submitLine(s, command, parsed.draft, respond);
      }
    } catch (error) {
      const answer = describeError(error);
      if (!answer.expected) s.logger.error({ msg: '/jit failed', error: String(error) });
      await replyEphemeral(respond, noticeReply(answer.mrkdwn));
    }
  };
}

/** The person typing `/jit`: who Slack says they are (status included), their ONTAP account, their groups. */
async function whoAsks(s: SlackServices, userId: string) {
  const identity = await s.directory.identity(userId);
  const requester = await s.directory.requester(userId, identity);
  const actor = await s.directory.actor(userId, groupsOf(s.config.policies), { identity });
  return { requester, actor };
}

async function openForm(s: SlackServices, command: SlashCommand, respond: RespondFn): Promise<void> {
  const { requester, actor } = await whoAsks(s, command.user_id);
  const policies = requesterPolicies(s.config, actor);
  if (policies.length === 0) return replyEphemeral(respond, noticeReply(noPolicyMessage(actor)));
  const view = buildRequestModal(s.config, policies, {
    account: requester.ontapAccount,
    zone: requester.zone,
    ...(requester.name !== undefined ? { name: requester.name } : {}),
  });
  try {
    await s.web.views.open({ trigger_id: command.trigger_id, view });
  } catch (error) {
    throw new SlackLookupError('views.open', { cause: error });
  }
}

async function submitLine(s: SlackServices, command: SlashCommand, draft: Draft, respond: RespondFn): Promise<void> {
  const { requester, actor } = await whoAsks(s, command.user_id);
  const now = s.now();
  const checked = checkDraft(draft, { config: s.config, actor, now });
  if (!checked.ok) return replyEphemeral(respond, formErrorsReply(checked.errors));
  const key = `${command.team_id}:command:${command.trigger_id}`;
  try {
    const { request, duplicate } = await s.intake.submit(key, requester, checked.value, now);
    s.logger.info({ msg: 'request submitted', requestId: request.id, via: 'command', duplicate });
    return await replyEphemeral(respond, submittedReply(request, s.config.slack.approvalChannel, duplicate));
  } catch (error) {
    // A one-line request cannot be resubmitted as the same delivery; close the orphan so it does not wait forever.
    if (error instanceof WorkflowCallError) await s.intake.abandon(requestIdFor(key), now).catch(() => undefined);
    throw error;
  }
}
