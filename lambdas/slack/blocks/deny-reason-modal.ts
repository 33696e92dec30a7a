/** The small modal that asks an approver why they deny a request. Pure. */
import type { ModalView } from '@slack/web-api';
import { z } from 'zod';
import type { AccessRequest } from '../../domain/request';
import { CALLBACK, DENY_BLOCK } from '../ids';
import { requestHeadline } from './approval-message';

/** Longest denial reason accepted; short enough to show whole (escaped) in the approval message. */
export const DENY_REASON_MAX = 500;

/** What the modal carries to its submission: the request, and the message the click came from. */
export const DenyReasonMetadataSchema = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9-]{8,80}$/),
  channel: z.string().min(1).max(40).optional(),
  ts: z.string().min(1).max(40).optional(),
});
/** What the deny-reason modal carries. */
export type DenyReasonMetadata = z.infer<typeof DenyReasonMetadataSchema>;

/** The deny-reason modal for a request. */
export function denyReasonModal(request: AccessRequest, metadata: DenyReasonMetadata): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.denyReason,
    title: { type: 'plain_text', text: 'Deny request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Back' },
    private_metadata: JSON.stringify(metadata),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: requestHeadline(request) } },
      {
        type: 'input',
        block_id: DENY_BLOCK.reason,
        label: { type: 'plain_text', text: 'Why is it denied?' },
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
