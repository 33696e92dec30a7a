/**
 * The modal that asks for one typed reason, as every such modal in the product looks: what is being
 * decided above, one required multi-line field below. The deny, cancel and extension-deny reasons
 * (deny-reason-modal.ts) and a break-glass flag's note (break-glass.ts) are built with it. Pure.
 */
import type { ModalView } from '@slack/web-api';
import { z } from 'zod';

/**
 * What a reason modal carries to its submission: the request, the message the click came from, and whose
 * request it was when the modal opened (a hint that lets the submission ask Slack while it reads the request).
 */
export const ReasonMetadataSchema = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9-]{8,80}$/),
  channel: z.string().min(1).max(40).optional(),
  ts: z.string().min(1).max(40).optional(),
  claim: z
    .object({
      requester: z.string().regex(/^[UW][A-Z0-9]{2,20}$/),
      policy: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
    })
    .optional()
    .catch(undefined),
});
/** What a reason modal carries. */
export type ReasonMetadata = z.infer<typeof ReasonMetadataSchema>;

/** What a modal that asks for one required text says, and its field. */
export interface AskTextSpec {
  readonly callback: string;
  readonly title: string;
  readonly submit: string;
  /** The mrkdwn above the field: what is being decided. */
  readonly headline: string;
  readonly label: string;
  /** Who reads the text. */
  readonly hint: string;
  /** The field's block and action id (its submission reads the text there). */
  readonly block: string;
  /** Longest text accepted (Slack enforces it, and the submission checks it again). */
  readonly max: number;
  /** Slack's `emoji` flag on every plain text. @default Slack's own */
  readonly emoji?: boolean;
}

/** A modal asking for one required text (at least 3 characters) that carries `metadata` to its submission. */
export function askTextModal(spec: AskTextSpec, metadata: ReasonMetadata): ModalView {
  const plain = (text: string) => ({
    type: 'plain_text' as const,
    text,
    ...(spec.emoji === undefined ? {} : { emoji: spec.emoji }),
  });
  return {
    type: 'modal',
    callback_id: spec.callback,
    title: plain(spec.title),
    submit: plain(spec.submit),
    close: plain('Back'),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: spec.headline } },
      {
        type: 'input',
        block_id: spec.block,
        label: plain(spec.label),
        hint: plain(spec.hint),
        element: {
          type: 'plain_text_input',
          action_id: spec.block,
          multiline: true,
          min_length: 3,
          max_length: spec.max,
        },
      },
    ],
  };
}
