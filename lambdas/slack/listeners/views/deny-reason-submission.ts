/** Submitting a reason modal: record the denial (or an approver's cancel) with its reason, or say why not. */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { cancelRequest, denyRequest } from '../../../lifecycle/decide';
import { DENY_REASON_MAX, DenyReasonMetadataSchema, type ReasonKind } from '../../blocks/deny-reason-modal';
import { DENY_BLOCK } from '../../ids';
import { parseMetadata, parsePayload, ViewSubmissionSchema } from '../../payloads';
import type { SlackServices } from '../../services';
import { reasonProblem, typedText } from '../modals';
import { answering, onField } from '../respond';

/** The `jit_deny_reason` (or, for `cancel`, `jit_cancel_reason`) view submission listener. */
export function denyReasonSubmission(s: SlackServices, kind: ReasonKind = 'deny') {
  return async ({ ack, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const answer = onField(ack, () => DENY_BLOCK.reason);
    await answering({ what: `${kind} submission`, logger: s.logger, answer }, async () => {
      const submission = parsePayload(ViewSubmissionSchema, body, 'view submission');
      const metadata = parseMetadata(DenyReasonMetadataSchema, submission.view.private_metadata, 'deny-reason modal');
      const reason = typedText(submission, DENY_BLOCK.reason);
      const missing = `Say why the request is ${kind === 'deny' ? 'denied' : 'cancelled'}.`;
      const problem = reasonProblem(reason, { noun: 'reason', min: 1, max: DENY_REASON_MAX, missing });
      if (problem) return ack({ response_action: 'errors', errors: { [DENY_BLOCK.reason]: problem } });
      const clicked = metadata.channel && metadata.ts ? { channel: metadata.channel, ts: metadata.ts } : undefined;
      const input = {
        requestId: metadata.requestId,
        userId: submission.user.id,
        reason,
        ...(metadata.claim ? { claim: metadata.claim } : {}),
        ...(clicked ? { clicked } : {}),
      };
      const decide = kind === 'deny' ? denyRequest : cancelRequest;
      const result = await decide(s.ports, input, s.logger);
      return result.ok ? ack() : answer(result.answer);
    });
  };
}
