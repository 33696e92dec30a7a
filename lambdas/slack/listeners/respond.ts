/**
 * How listeners answer: only the person who acted, in a command's acknowledgement, through the
 * interaction's response_url, or as errors on a modal's field. `answering` is the one place a listener's failure becomes an answer:
 * describeError picks the words, and the failure is logged once (at error level only for errors
 * nobody planned for; a refusal the person can act on is routine).
 */
import type { Logger, RespondArguments, RespondFn, ViewResponseAction } from '@slack/bolt';
import { describeError, type ErrorAnswer } from '../answers';
import type { SlackMessage } from '../blocks/approval-message';
import { noticeReply } from '../blocks/command-replies';

/** Tells the person what an error means for them. */
export type Answer = (answer: ErrorAnswer) => Promise<void>;

/** Sends an ephemeral answer that leaves the original message as it is. */
export async function replyEphemeral(respond: RespondFn, message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
}

/**
 * A slash command's acknowledgement carrying an ephemeral message: Slack shows it as the answer
 * itself, with no response_url post (and no Slack call) before the command is answered.
 */
export function ephemeralAck(message: SlackMessage): RespondArguments {
  return { response_type: 'ephemeral', text: message.text, blocks: message.blocks };
}

/** Answers with an ephemeral notice (buttons). */
export function ephemeral(respond: RespondFn): Answer {
  return (answer) => replyEphemeral(respond, noticeReply(answer.mrkdwn));
}

/** Answers a view submission with the text under one of its fields; the modal stays open. */
export function onField(ack: (response: ViewResponseAction) => Promise<void>, blockId: () => string): Answer {
  return (answer) => ack({ response_action: 'errors', errors: { [blockId()]: answer.plain } });
}

/** What `answering` needs: what the listener does (for the log), the logger, and how to answer; none when nobody waits. */
export interface Answering {
  readonly what: string;
  readonly logger: Logger;
  readonly answer?: Answer;
}

/**
 * Runs a listener's body and turns what it throws into an answer to the person. With nobody to
 * answer (a form redraw that the next one replaces), the failure is only logged, at warn level.
 */
export async function answering(how: Answering, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const answer = describeError(error);
    const fields = { msg: `${how.what} failed`, error: String(error) };
    if (!how.answer) how.logger.warn(fields);
    else if (answer.expected) how.logger.info({ ...fields, msg: `${how.what} refused` });
    else how.logger.error(fields);
    if (how.answer) await how.answer(answer);
  }
}
