/** Button and select listeners. */
import type { App } from '@slack/bolt';
import { approveRequest, revokeNow } from '../../../lifecycle/decide';
import { ACTION, CALLBACK, FORM_ACTION } from '../../ids';
import type { SlackServices } from '../../services';
import { cancelButton, decisionButton, denyButton } from './decision-buttons';
import { requestFormChange } from './request-form-changes';

/** Registers the approval message's buttons and the request modal's selects. */
export function register(app: App, s: SlackServices): void {
  app.action(ACTION.approve, decisionButton(s, approveRequest));
  app.action(ACTION.deny, denyButton(s));
  app.action(ACTION.cancel, cancelButton(s));
  app.action(ACTION.revoke, decisionButton(s, revokeNow));
  app.action(
    { type: 'block_actions', action_id: FORM_ACTION.target, callback_id: CALLBACK.request },
    requestFormChange(s),
  );
  app.action(
    { type: 'block_actions', action_id: FORM_ACTION.role, callback_id: CALLBACK.request },
    requestFormChange(s),
  );
}
