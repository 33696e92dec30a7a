/** The small modals that ask an approver why: why they deny a request, or cancel an approved one. Pure. */
import type { ModalView } from '@slack/web-api';
import { z } from 'zod';
import type { AccessRequest } from '../../domain/request';
import { CALLBACK, DENY_BLOCK } from '../ids';
import { requestHeadline } from './approval-message';

/** Longest reason accepted; short enough to show whole (escaped) in the approval message. */
export const DENY_REASON_MAX = 500;

/** What the modal carries to its submission: the request, and the message the click came from. */
export const DenyReasonMetadataSchema = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9-]{8,80}$/),
  channel: z.string().min(1).max(40).optional(),
  ts: z.string().min(1).max(40).optional(),
});
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
  const k = KINDS[kind];
  return {
    type: 'modal',
    callback_id: k.callback,
    title: { type: 'plain_text', text: k.title },
    submit: { type: 'plain_text', text: k.submit },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify(metadata),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: requestHeadline(request) } },
      {
        type: 'input',
        block_id: DENY_BLOCK.reason,
        label: { type: 'plain_text', text: k.label },
        hint: { type: 'plain_text', text: 'The requester sees this reason.' },
        element: {
          type: 'plain_text_input',
          action_id: DENY_BLOCK.reason,
          multiline: true,
          min_length: 3,
          max_length: DENY_REASON_MAX,
        },
      },
    ],
  };
}

/** The deny-reason modal for a request. */
export function denyReasonModal(request: AccessRequest, metadata: DenyReasonMetadata): ModalView {
  return reasonModal('deny', request, metadata);
}
