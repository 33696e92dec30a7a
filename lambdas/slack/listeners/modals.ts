/**
 * What the listeners of the reason modals share (deny and cancel reasons, an extension's ask and its
 * denial, a break-glass flag's note): opening the modal on the click, and reading and checking the
 * text it comes back with. Slack enforces the field's length too, but a submission is outside data.
 */
import type { ModalView } from '@slack/web-api';
import { hasControlCharacters } from '../../domain/request-form';
import { SlackLookupError } from '../errors';
import type { ViewSubmission } from '../payloads';
import type { SlackServices } from '../services';

/** Opens `view` on a click's trigger; Slack refusing it (or being out of reach) is a SlackLookupError. */
export async function openModal(s: SlackServices, triggerId: string, view: ModalView): Promise<void> {
  try {
    await s.web.views.open({ trigger_id: triggerId, view });
  } catch (error) {
    throw new SlackLookupError('views.open', { cause: error });
  }
}

/** The text typed into the input `block` (whose element has the same id), trimmed; empty when there is none. */
export function typedText(submission: ViewSubmission, block: string): string {
  const state = submission.view.state.values[block]?.[block];
  return (state?.type === 'plain_text_input' ? (state.value ?? '') : '').trim();
}

/** What a typed reason must be, and the words its errors use. */
export interface ReasonRules {
  /** What the modal calls the text: `reason`, `note`. */
  readonly noun: string;
  /** Fewest characters accepted. */
  readonly min: number;
  /** Most characters accepted. */
  readonly max: number;
  /** What to say when the text is shorter than `min`. */
  readonly missing: string;
}

/** What is wrong with a typed reason, to show under its field; undefined when it will do. */
export function reasonProblem(text: string, rules: ReasonRules): string | undefined {
  if (text.length < rules.min) return rules.missing;
  if (text.length > rules.max) return `Keep the ${rules.noun} to ${rules.max} characters.`;
  if (hasControlCharacters(text)) return `The ${rules.noun} contains control characters.`;
  return undefined;
}
