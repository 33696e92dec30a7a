/**
 * Extend: the requester's button opens the modal (only the requester, only a live grant the policy
 * lets them extend); its submission records the ask; the extension's Approve and Deny under the
 * approval message decide it under the same rules as a request.
 */
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { z } from 'zod';
import type { DecisionInput } from '../../../lifecycle/decide-checks';
import { mayExtend, requestExtension } from '../../../lifecycle/extend';
import { approveExtension, denyExtension, mayDenyExtension } from '../../../lifecycle/extend-decide';
import { claimOf } from '../../blocks/approval-message';
import { DENY_REASON_MAX, DenyReasonMetadataSchema, reasonModal } from '../../blocks/deny-reason-modal';
import { extendModal } from '../../blocks/extension-messages';
import { CALLBACK, DENY_BLOCK, EXTEND_ACTION, EXTEND_BLOCK } from '../../ids';
import { DecisionClickSchema, parseMetadata, parsePayload, ViewSubmissionSchema } from '../../payloads';
import type { SlackServices } from '../../services';
import { clickOf } from '../actions/decision-buttons';
import { openModal, reasonProblem, typedText } from '../modals';
import { answering, ephemeral, onField } from '../respond';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const MetadataSchema = z.object({ requestId: z.string().regex(/^[A-Za-z0-9-]{8,80}$/) });
const EXTEND_REASON = { noun: 'reason', min: 1, max: 1000, missing: 'Say why you need more time.' };
const DENY_REASON = { noun: 'reason', min: 1, max: DENY_REASON_MAX, missing: 'Say why the extension is denied.' };

/** Registers the Extend button, its modal's submission, and the extension's Approve and Deny. */
export function register(app: App, s: SlackServices): void {
  app.action(EXTEND_ACTION.open, extendButton(s));
  app.view(CALLBACK.extend, extendSubmission(s));
  app.action(EXTEND_ACTION.approve, approveButton(s));
  app.action(EXTEND_ACTION.deny, denyButton(s));
  app.view(CALLBACK.extendDenyReason, denySubmission(s));
}

function extendButton(s: SlackServices) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    await answering({ what: 'extend click', logger: s.logger, answer: ephemeral(respond) }, async () => {
      const click = parsePayload(DecisionClickSchema, body, 'button click');
      const offer = await mayExtend(s.ports, { requestId: click.actions[0].value, userId: click.user.id });
      const view = extendModal(offer.request, offer);
      await openModal(s, click.trigger_id, view);
    });
  };
}

function extendSubmission(s: SlackServices) {
  return async ({ ack, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const answer = onField(ack, () => EXTEND_BLOCK.by);
    await answering({ what: 'extend submission', logger: s.logger, answer }, async () => {
      const submission = parsePayload(ViewSubmissionSchema, body, 'view submission');
      const { requestId } = parseMetadata(MetadataSchema, submission.view.private_metadata, 'extend modal');
      const values = submission.view.state.values;
      const by = values[EXTEND_BLOCK.by]?.[EXTEND_BLOCK.by];
      const seconds = Number(by?.type === 'static_select' ? by.selected_option?.value : Number.NaN);
      const reason = typedText(submission, EXTEND_BLOCK.reason);
      const problem = reasonProblem(reason, EXTEND_REASON);
      const errors: Record<string, string> = {};
      if (!Number.isInteger(seconds) || seconds <= 0) errors[EXTEND_BLOCK.by] = 'Choose how much longer.';
      if (problem) errors[EXTEND_BLOCK.reason] = problem;
      if (Object.keys(errors).length > 0) return ack({ response_action: 'errors', errors });
      const input = { requestId, userId: submission.user.id, seconds, reason };
      const result = await requestExtension(s.ports, input, s.logger);
      if (!result.ok) return answer(result.answer);
      // The ask is recorded: Slack has its answer before anything else is told or woken.
      await ack();
      await result.follow().catch((error: unknown) => {
        s.logger.error({
          msg: 'extension recorded but not followed up; the reconciler sends it',
          error: String(error),
        });
      });
    });
  };
}

/**
 * An extension decision's click: read as a decision button's (the request, and on asks drawn since, its
 * requester and policy). The clicked message is the ask, a thread reply: the decision must not redraw it
 * as an approval message, so it is left out.
 */
function extensionClickOf(body: unknown): { readonly input: DecisionInput; readonly triggerId: string } {
  const { requestId, userId, triggerId, claim } = clickOf(body);
  return { input: { requestId, userId, ...(claim ? { claim } : {}) }, triggerId };
}

function approveButton(s: SlackServices) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    await answering({ what: 'extension approve click', logger: s.logger, answer: ephemeral(respond) }, async () => {
      const { input } = extensionClickOf(body);
      const result = await approveExtension(s.ports, input, s.logger);
      const notice = result.ok ? result.notice : result.answer;
      if (notice) await ephemeral(respond)(notice);
    });
  };
}

/** Deny: checks the person may deny the extension, then asks why in a modal (the requester reads it). */
function denyButton(s: SlackServices) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    await ack();
    await answering({ what: 'extension deny click', logger: s.logger, answer: ephemeral(respond) }, async () => {
      const { input, triggerId } = extensionClickOf(body);
      const request = await mayDenyExtension(s.ports, input);
      const view = reasonModal('deny-extension', request, { requestId: request.id, claim: claimOf(request) });
      await openModal(s, triggerId, view);
    });
  };
}

function denySubmission(s: SlackServices) {
  return async ({ ack, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const answer = onField(ack, () => DENY_BLOCK.reason);
    await answering({ what: 'extension deny submission', logger: s.logger, answer }, async () => {
      const submission = parsePayload(ViewSubmissionSchema, body, 'view submission');
      const metadata = parseMetadata(DenyReasonMetadataSchema, submission.view.private_metadata, 'deny modal');
      const reason = typedText(submission, DENY_BLOCK.reason);
      const problem = reasonProblem(reason, DENY_REASON);
      if (problem) return ack({ response_action: 'errors', errors: { [DENY_BLOCK.reason]: problem } });
      const { requestId, claim } = metadata;
      const input = { requestId, userId: submission.user.id, reason, ...(claim ? { claim } : {}) };
      const result = await denyExtension(s.ports, input, s.logger);
      return result.ok ? ack() : answer(result.answer);
    });
  };
}
