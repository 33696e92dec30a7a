/**
 * `/jit`: the request form, help, the requester's list, and one-line requests. Every reply travels
 * in the command's answer itself (an ephemeral message in the acknowledgement), so no Slack call sits
 * between the work and Slack's answer; the modal is opened before the (empty) answer.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { offersBreakGlass } from '../../../domain/break-glass';
import { groupsOf, noPolicyMessage } from '../../../domain/policy';
import { checkDraft, type Draft, requesterPolicies } from '../../../domain/request-form';
import { readOpenRequests, submitRequest } from '../../../lifecycle/submit';
import type { SlackMessage } from '../../blocks/approval-message';
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
import { answering, ephemeralAck } from '../respond';
import { auditReply } from './audit-command';

/** What `/jit break-glass …` answers: break-glass is only offered in the modal. */
export const BREAK_GLASS_NEEDS_MODAL =
  'Break-glass is not available as a one-line request: type `/jit` alone to open the form, choose ' +
  '*Break-glass* and say what the emergency is. It is only offered to the people a policy names.';

/** The `/jit` listener. */
export function jitCommand(s: SlackServices) {
  return async ({ ack, body }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    let reply: SlackMessage | undefined;
    const answer = async ({ mrkdwn }: { readonly mrkdwn: string }): Promise<void> => {
      reply = noticeReply(mrkdwn);
    };
    await answering({ what: '/jit', logger: s.logger, answer }, async () => {
      reply = await replyTo(s, parsePayload(SlashCommandSchema, body, 'slash command'));
    });
    await ack(reply ? ephemeralAck(reply) : undefined);
  };
}

/** What `/jit` answers the person with; undefined when the answer is the modal it opened. */
async function replyTo(s: SlackServices, command: SlashCommand): Promise<SlackMessage | undefined> {
  const parsed = parseCommandText(command.text);
  switch (parsed.kind) {
    case 'help':
      return helpReply(s.config.slack.approvalChannel);
    case 'list':
      return listReply(await s.store.listByRequester(command.user_id));
    case 'unknown':
      return usageReply();
    case 'break-glass':
      return noticeReply(BREAK_GLASS_NEEDS_MODAL);
    case 'open':
      return openForm(s, command);
    case 'request':
      return submitLine(s, command, parsed.draft);
    case 'audit':
      return auditReply(s, command, parsed.filter);
  }
}

/** The person typing `/jit`: who Slack says they are (status included), their ONTAP account, their groups. */
function whoAsks(s: SlackServices, userId: string) {
  return s.directory.asker(userId, groupsOf(s.config.policies));
}

async function openForm(s: SlackServices, command: SlashCommand): Promise<SlackMessage | undefined> {
  const { requester, actor } = await whoAsks(s, command.user_id);
  const policies = requesterPolicies(s.config, actor);
  if (policies.length === 0) return noticeReply(noPolicyMessage(actor));
  const view = buildRequestModal(s.config, policies, {
    account: requester.ontapAccount,
    zone: requester.zone,
    ...(requester.name !== undefined ? { name: requester.name } : {}),
    ...(offersBreakGlass(policies, actor) ? { bg: true as const } : {}),
  });
  try {
    await s.web.views.open({ trigger_id: command.trigger_id, view });
  } catch (error) {
    throw new SlackLookupError('views.open', { cause: error });
  }
  return undefined;
}

async function submitLine(s: SlackServices, command: SlashCommand, draft: Draft): Promise<SlackMessage> {
  // The open requests the limit counts are read while Slack is asked who this is (a read: a refusal below
  // still changes nothing).
  const open = readOpenRequests(s.ports, command.user_id);
  const { requester, actor } = await whoAsks(s, command.user_id);
  const checked = checkDraft(draft, { config: s.config, actor, now: s.now() });
  if (!checked.ok) return formErrorsReply(checked.errors);
  // A one-line request cannot be sent again as the same delivery: one whose workflow did not start is closed.
  const deliveryKey = `${command.team_id}:command:${command.trigger_id}`;
  const input = { deliveryKey, requester, checked: checked.value, resubmittable: false, open };
  const { request, duplicate } = await submitRequest(s.ports, input, s.logger);
  return submittedReply(request, s.config.slack.approvalChannel, duplicate);
}
