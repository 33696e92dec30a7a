/**
 * The review of a break-glass under its announcement: Acknowledge records at once (the button asks
 * to confirm first); Flag checks the person may review, then asks for the note in a modal, whose
 * submission records it. Refusals are told only to the person who clicked.
 */
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { BREAK_GLASS_TEXT_MAX } from '../../../domain/break-glass';
import { mayReview, reviewBreakGlass } from '../../../lifecycle/review';
import { FlagMetadataSchema, flagModal } from '../../blocks/break-glass';
import { CALLBACK, REVIEW_ACTION, REVIEW_BLOCK } from '../../ids';
import { parseMetadata, parsePayload, ViewSubmissionSchema } from '../../payloads';
import type { SlackServices } from '../../services';
import { clickOf } from '../actions/decision-buttons';
import { openModal, reasonProblem, typedText } from '../modals';
import { answering, ephemeral, onField } from '../respond';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const FLAG_NOTE = {
  noun: 'note',
  min: 3,
  max: BREAK_GLASS_TEXT_MAX,
  missing: 'Say what is wrong with this break-glass.',
};

/** Registers Acknowledge, Flag and the Flag modal's submission. */
export function register(app: App, s: SlackServices): void {
  app.action(REVIEW_ACTION.acknowledge, acknowledgeButton(s));
  app.action(REVIEW_ACTION.flag, flagButton(s));
  app.view(CALLBACK.breakGlassFlag, flagSubmission(s));
}

function acknowledgeButton(s: SlackServices) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    await answering({ what: 'break-glass acknowledge', logger: s.logger, answer: ephemeral(respond) }, async () => {
      const { triggerId: _trigger, ...input } = clickOf(body);
      const result = await reviewBreakGlass(s.ports, { ...input, outcome: 'acknowledged' }, s.logger);
      if (!result.ok) await ephemeral(respond)(result.answer);
      else if (result.notice) await ephemeral(respond)(result.notice);
    });
  };
}

function flagButton(s: SlackServices) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    await answering({ what: 'break-glass flag', logger: s.logger, answer: ephemeral(respond) }, async () => {
      const { triggerId, ...input } = clickOf(body);
      const request = await mayReview(s.ports, input);
      const view = flagModal(request, { requestId: request.id, ...(input.clicked ?? {}) });
      await openModal(s, triggerId, view);
    });
  };
}

function flagSubmission(s: SlackServices) {
  return async ({ ack, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const answer = onField(ack, () => REVIEW_BLOCK.note);
    await answering({ what: 'break-glass flag submission', logger: s.logger, answer }, async () => {
      const submission = parsePayload(ViewSubmissionSchema, body, 'view submission');
      const meta = parseMetadata(FlagMetadataSchema, submission.view.private_metadata, 'flag modal');
      const note = typedText(submission, REVIEW_BLOCK.note);
      const problem = reasonProblem(note, FLAG_NOTE);
      if (problem) return ack({ response_action: 'errors', errors: { [REVIEW_BLOCK.note]: problem } });
      const clicked = meta.channel && meta.ts ? { clicked: { channel: meta.channel, ts: meta.ts } } : {};
      const input = { requestId: meta.requestId, userId: submission.user.id, ...clicked };
      const result = await reviewBreakGlass(s.ports, { ...input, outcome: 'flagged', note }, s.logger);
      return result.ok ? ack() : answer(result.answer);
    });
  };
}
