/** Submitting the request modal: check everything, answer field errors in the modal, or record, start and close. */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { groupsOf } from '../../../domain/policy';
import { checkDraft, type FieldErrors, FORM_FIELDS, type FormField } from '../../../domain/request-form';
import { readOpenRequests, submitRequest } from '../../../lifecycle/submit';
import { RequestModalMetadataSchema } from '../../blocks/request-modal';
import { readRequestForm } from '../../blocks/request-modal-state';
import { FORM_BLOCK } from '../../ids';
import { parseMetadata, parsePayload, ViewSubmissionSchema } from '../../payloads';
import type { SlackServices } from '../../services';
import { answering, onField } from '../respond';

/** The `jit_request` view submission listener. */
export function requestSubmission(s: SlackServices) {
  return async ({ ack, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    let blockIds: Partial<Record<FormField, string>> = {};
    // The modal stays open with the reason, so submitting again retries the same request.
    const answer = onField(ack, () => blockIds.target ?? FORM_BLOCK.target);
    await answering({ what: 'request submission', logger: s.logger, answer }, async () => {
      const submission = parsePayload(ViewSubmissionSchema, body, 'view submission');
      const userId = submission.user.id;
      // The open requests the limit counts are read while the form is read and Slack is asked who this is
      // (a read: a refusal below still changes nothing).
      const open = readOpenRequests(s.ports, userId);
      const metadata = parseMetadata(RequestModalMetadataSchema, submission.view.private_metadata, 'request modal');
      const form = readRequestForm(submission.view.state.values, metadata.zone);
      blockIds = form.blockIds;
      // Asked again at submission: deactivated, made a guest or unmapped since the form opened?
      const { requester: known, actor } = await s.directory.asker(userId, groupsOf(s.config.policies));
      const checked = checkDraft(form.draft, { config: s.config, actor, now: s.now() });
      if (!checked.ok) {
        s.logger.info({ msg: 'request form refused', user: userId, fields: Object.keys(checked.errors) });
        return await ack({ response_action: 'errors', errors: onBlocks(checked.errors, blockIds) });
      }
      const requester = { ...known, zone: metadata.zone };
      const deliveryKey = `${submission.team?.id ?? '-'}:view:${submission.view.id}`;
      const input = { deliveryKey, requester, checked: checked.value, resubmittable: true, open };
      await submitRequest(s.ports, input, s.logger);
      return await ack();
    });
  };
}

/** Field errors keyed by the blocks they belong to in this view (a field the view lacks falls back to the SVM select). */
function onBlocks(errors: FieldErrors, blockIds: Partial<Record<FormField, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of FORM_FIELDS) {
    const message = errors[field];
    if (message === undefined) continue;
    const blockId = blockIds[field] ?? blockIds.target ?? FORM_BLOCK.target;
    out[blockId] = out[blockId] ? `${out[blockId]} ${message}` : message;
  }
  return out;
}
