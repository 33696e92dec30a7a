/** Answering only the person who acted, through the interaction's response_url. */
import type { RespondFn } from '@slack/bolt';
import type { SlackMessage } from '../blocks/approval-message';

/** Sends an ephemeral answer that leaves the original message as it is. */
export async function replyEphemeral(respond: RespondFn, message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
}
