/** Modal submission listeners. */
import type { App } from '@slack/bolt';
import { CALLBACK } from '../../ids';
import type { SlackServices } from '../../services';
import { homeAfterSubmit, reasonFromHome, requestFormFromHome } from '../actions/home-buttons';
import { denyReasonSubmission } from './deny-reason-submission';
import { requestSubmission } from './request-submission';

/** Registers the request modal's and the reason modals' submissions. */
export function register(app: App, services: SlackServices): void {
  app.view(CALLBACK.request, homeAfterSubmit(services, requestFormFromHome, requestSubmission(services)));
  app.view(CALLBACK.denyReason, homeAfterSubmit(services, reasonFromHome, denyReasonSubmission(services, 'deny')));
  app.view(CALLBACK.cancelReason, denyReasonSubmission(services, 'cancel'));
}
