/** Choosing another SVM or role in the request modal redraws it with what that choice allows. */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { groupsOf } from '../../../domain/policy';
import { requesterPolicies } from '../../../domain/request-form';
import { buildRequestModal, RequestModalMetadataSchema } from '../../blocks/request-modal';
import { readRequestForm } from '../../blocks/request-modal-state';
import { FormChangeSchema, parseMetadata, parsePayload } from '../../payloads';
import type { SlackServices } from '../../services';
import { answering } from '../respond';

/** The listener for the target and role selects (`dispatch_action`). */
export function requestFormChange(s: SlackServices) {
  return async ({ ack, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    // A hash conflict means a newer change is on its way; anything else leaves the form as it was (submit re-checks all).
    await answering({ what: 'request form redraw', logger: s.logger }, async () => {
      const change = parsePayload(FormChangeSchema, body, 'request form change');
      const metadata = parseMetadata(RequestModalMetadataSchema, change.view.private_metadata, 'request modal');
      const form = readRequestForm(change.view.state.values, metadata.zone);
      const actor = await s.directory.actor(change.user.id, groupsOf(s.config.policies));
      const view = buildRequestModal(s.config, requesterPolicies(s.config, actor), metadata, {
        ...(form.target ? { target: form.target } : {}),
        ...(form.role !== undefined ? { role: form.role } : {}),
      });
      await s.web.views.update({
        view_id: change.view.id,
        ...(change.view.hash ? { hash: change.view.hash } : {}),
        view,
      });
    });
  };
}
