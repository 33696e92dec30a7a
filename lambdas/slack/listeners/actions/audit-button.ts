/**
 * The approvers' Home button "Export audit trail (30 days)": `/jit audit since 30d` from Home, with the
 * same checks and the same claim per delivery (the click's trigger id); its answer is shown in a modal,
 * as every Home answer is, and the file follows in the person's DM.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackMessage } from '../../blocks/approval-message';
import { noticeReply } from '../../blocks/command-replies';
import { noticeView } from '../../blocks/home';
import type { SlackServices } from '../../services';
import { auditReply } from '../commands/audit-command';
import { answering } from '../respond';

/** The listener of the Home button. */
export function auditButton(s: SlackServices) {
  return async ({ ack, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    let reply: SlackMessage | undefined;
    const answer = async ({ mrkdwn }: { readonly mrkdwn: string }): Promise<void> => {
      reply = noticeReply(mrkdwn);
    };
    await answering({ what: 'audit export from Home', logger: s.logger, answer }, async () => {
      const teamId = body.team?.id ?? body.user.team_id ?? '';
      reply = await auditReply(s, { user_id: body.user.id, team_id: teamId, trigger_id: body.trigger_id }, 'since 30d');
    });
    if (reply) await s.web.views.open({ trigger_id: body.trigger_id, view: noticeView(reply.text, reply.blocks) });
  };
}
