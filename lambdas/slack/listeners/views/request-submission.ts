/** Submitting the request modal: check everything, answer field errors in the modal, or record, start and close. */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { groupsOf } from '../../../domain/policy';
import { checkDraft, type FieldErrors } from '../../../domain/request-form';
import { describeError } from '../../answers';
import { RequestModalMetadataSchema, readRequestForm } from '../../blocks/request-modal';
import { FORM_BLOCK, FORM_FIELDS, type FormField } from '../../ids';
import { parseMetadata, parsePayload, ViewSubmissionSchema } from '../../payloads';
import type { SlackServices } from '../../services';

/** The `jit_request` view submission listener. */
export function requestSubmission(s: SlackServices) {
  return async ({ ack, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    let blockIds: Partial<Record<FormField, string>> = {};
    try {
      const submission = parsePayload(ViewSubmissionSchema, body, 'view submission');
      const metadata = parseMetadata(RequestModalMetadataSchema, submission.view.private_metadata, 'request modal');
      const form = readRequestForm(submission.view.state.values, metadata.zone);
      blockIds = form.blockIds;
      const userId = submission.user.id;
      // Asked again at submission: deactivated, made a guest or unmapped since the form opened?
      const identity = await s.directory.identity(userId);
      const known = await s.directory.requester(userId, identity);
      const actor = await s.directory.actor(userId, groupsOf(s.config.policies), { identity });
      const now = s.now();
      const checked = checkDraft(form.draft, { config: s.config, actor, now });
      if (!checked.ok) {
        s.logger.info({ msg: 'request form refused', user: userId, fields: Object.keys(checked.errors) });
        return await ack({ response_action: 'errors', errors: onBlocks(checked.errors, blockIds) });
      }
      const requester = { ...known, zone: metadata.zone };
      const key = `${submission.team?.id ?? '-'}:view:${submission.view.id}`;
      const { request, duplicate } = await s.intake.submit(key, requester, checked.value, now);
      s.logger.info({ msg: 'request submitted', requestId: request.id, via: 'modal', duplicate });
      return await ack();
    } catch (error) {
      const answer = describeError(error);
      if (!answer.expected) s.logger.error({ msg: 'request submission failed', error: String(error) });
      // The modal stays open with the reason, so submitting again retries the same request.
      return await ack({ response_action: 'errors', errors: { [blockIds.target ?? FORM_BLOCK.target]: answer.plain } });
    }
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
