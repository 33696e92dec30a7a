/** Button and select listeners. */
import type { App } from '@slack/bolt';
import { approveRequest, revokeNow } from '../../../lifecycle/decide';
import { ACTION, AUDIT_EXPORT_ACTION, CALLBACK, FORM_ACTION, FORM_OPENER } from '../../ids';
import type { SlackServices } from '../../services';
import { auditButton } from './audit-button';
import { cancelButton, decisionButton, denyButton } from './decision-buttons';
import { newRequestButton, requestAgainButton } from './form-openers';
import { homeAware } from './home-buttons';
import { requestFormChange } from './request-form-changes';

/** Registers the decision buttons (messages and Home alike), the form openers and the request modal's selects. */
export function register(app: App, s: SlackServices): void {
  app.action(ACTION.approve, homeAware(s, decisionButton(s, approveRequest)));
  // Deny asks for the reason first: the Home is published again once it is submitted.
  app.action(ACTION.deny, homeAware(s, denyButton(s), { refresh: false }));
  app.action(ACTION.cancel, homeAware(s, cancelButton(s)));
  app.action(ACTION.revoke, homeAware(s, decisionButton(s, revokeNow)));
  app.action(FORM_OPENER.newRequest, newRequestButton(s));
  app.action(AUDIT_EXPORT_ACTION, auditButton(s));
  // `/jit list` offers several in one block, told apart by a suffix (`jit_request_again@2`).
  app.action(new RegExp(`^${FORM_OPENER.requestAgain}(@\\d+)?$`), requestAgainButton(s));
  app.action(
    { type: 'block_actions', action_id: FORM_ACTION.target, callback_id: CALLBACK.request },
    requestFormChange(s),
  );
  app.action(
    { type: 'block_actions', action_id: FORM_ACTION.role, callback_id: CALLBACK.request },
    requestFormChange(s),
  );
}
