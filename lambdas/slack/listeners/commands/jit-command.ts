/** `/jit`: the request form, help, the requester's list, and one-line requests. */
import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { groupsOf, noPolicyMessage } from '../../../domain/policy';
import { checkDraft, type Draft, requesterPolicies } from '../../../domain/request-form';
import { submitRequest } from '../../../lifecycle/submit';
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
import { answering, ephemeral, replyEphemeral } from '../respond';

/** The `/jit` listener. */
export function jitCommand(s: SlackServices) {
  return async ({ ack, body, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    await answering({ what: '/jit', logger: s.logger, answer: ephemeral(respond) }, async () => {
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
    });
  };
}

/** The person typing `/jit`: who Slack says they are (status included), their ONTAP account, their groups. */
function whoAsks(s: SlackServices, userId: string) {
  return s.directory.asker(userId, groupsOf(s.config.policies));
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
  const checked = checkDraft(draft, { config: s.config, actor, now: s.now() });
  if (!checked.ok) return replyEphemeral(respond, formErrorsReply(checked.errors));
  // A one-line request cannot be sent again as the same delivery: one whose workflow did not start is closed.
  const deliveryKey = `${command.team_id}:command:${command.trigger_id}`;
  const input = { deliveryKey, requester, checked: checked.value, resubmittable: false };
  const { request, duplicate } = await submitRequest(s.ports, input, s.logger);
  return replyEphemeral(respond, submittedReply(request, s.config.slack.approvalChannel, duplicate));
}
