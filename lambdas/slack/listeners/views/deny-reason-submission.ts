/** Submitting a reason modal: record the denial (or an approver's cancel) with its reason, or say why not. */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { describeError } from '../../answers';
import { DENY_REASON_MAX, DenyReasonMetadataSchema, type ReasonKind } from '../../blocks/deny-reason-modal';
import { DENY_BLOCK } from '../../ids';
import { parseMetadata, parsePayload, ViewSubmissionSchema } from '../../payloads';
import type { SlackServices } from '../../services';

// biome-ignore lint/suspicious/noControlCharactersInRegex: it matches control characters so that reasons carrying them are refused.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** The `jit_deny_reason` (or, for `cancel`, `jit_cancel_reason`) view submission listener. */
export function denyReasonSubmission(s: SlackServices, kind: ReasonKind = 'deny') {
  return async ({ ack, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    try {
      const submission = parsePayload(ViewSubmissionSchema, body, 'view submission');
      const metadata = parseMetadata(DenyReasonMetadataSchema, submission.view.private_metadata, 'deny-reason modal');
      const state = submission.view.state.values[DENY_BLOCK.reason]?.[DENY_BLOCK.reason];
      const reason = (state?.type === 'plain_text_input' ? (state.value ?? '') : '').trim();
      const problem =
        reason.length === 0
          ? `Say why the request is ${kind === 'deny' ? 'denied' : 'cancelled'}.`
          : reason.length > DENY_REASON_MAX
            ? `Keep the reason to ${DENY_REASON_MAX} characters.`
            : CONTROL.test(reason)
              ? 'The reason contains control characters.'
              : undefined;
      if (problem) return await ack({ response_action: 'errors', errors: { [DENY_BLOCK.reason]: problem } });
      const clicked = metadata.channel && metadata.ts ? { channel: metadata.channel, ts: metadata.ts } : undefined;
      const result =
        kind === 'deny'
          ? await s.decisions.deny(metadata.requestId, submission.user.id, reason, clicked)
          : await s.decisions.cancel(metadata.requestId, submission.user.id, clicked, reason);
      if (!result.ok)
        return await ack({ response_action: 'errors', errors: { [DENY_BLOCK.reason]: result.answer.plain } });
      return await ack();
    } catch (error) {
      const answer = describeError(error);
      if (!answer.expected) s.logger.error({ msg: `${kind} submission failed`, error: String(error) });
      return await ack({ response_action: 'errors', errors: { [DENY_BLOCK.reason]: answer.plain } });
    }
  };
}
