/** The small modals that ask an approver why: why they deny a request, or cancel an approved one. Pure. */
import type { ModalView } from '@slack/web-api';
import type { z } from 'zod';
import type { AccessRequest } from '../../domain/request';
import { CALLBACK, DENY_BLOCK } from '../ids';
import { requestHeadline } from './approval-message';
import { askTextModal, ReasonMetadataSchema } from './reason-modal';

/** Longest reason accepted; short enough to show whole (escaped) in the approval message. */
export const DENY_REASON_MAX = 500;

/** What the modal carries to its submission: the request, and the message the click came from. */
export const DenyReasonMetadataSchema = ReasonMetadataSchema;
/** What a reason modal carries. */
export type DenyReasonMetadata = z.infer<typeof DenyReasonMetadataSchema>;

/** The decisions that need a reason. */
export type ReasonKind = 'deny' | 'cancel' | 'deny-extension';

const KINDS = {
  deny: { callback: CALLBACK.denyReason, title: 'Deny request', submit: 'Deny', label: 'Why is it denied?' },
  cancel: {
    callback: CALLBACK.cancelReason,
    title: 'Cancel approved request',
    submit: 'Cancel request',
    label: 'Why is it cancelled?',
  },
  'deny-extension': {
    callback: CALLBACK.extendDenyReason,
    title: 'Deny extension',
    submit: 'Deny',
    label: 'Why is the extension denied?',
  },
} as const satisfies Record<ReasonKind, { callback: string; title: string; submit: string; label: string }>;

/** The reason modal of `kind` for a request. */
export function reasonModal(kind: ReasonKind, request: AccessRequest, metadata: DenyReasonMetadata): ModalView {
  const { callback, title, submit, label } = KINDS[kind];
  const hint = 'The requester sees this reason.';
  const spec = { callback, title, submit, label, hint, headline: requestHeadline(request), block: DENY_BLOCK.reason };
  return askTextModal({ ...spec, max: DENY_REASON_MAX }, metadata);
}

/** The deny-reason modal for a request. */
export function denyReasonModal(request: AccessRequest, metadata: DenyReasonMetadata): ModalView {
  return reasonModal('deny', request, metadata);
}
