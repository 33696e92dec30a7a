/**
 * What an extension shows in Slack: the Extend button, the modal that asks how much longer and why
 * (and says plainly what replacing the entry does to an elevated session), the approvers' ask with
 * its buttons, and what came of it. Pure functions; every piece of user text is escaped.
 */
import type { Button, KnownBlock, ModalView } from '@slack/web-api';
import { formatDuration } from '../../domain/durations';
import type { AccessRequest, PendingExtension } from '../../domain/request';
import { CALLBACK, EXTEND_ACTION, EXTEND_BLOCK } from '../ids';
import { decisionValue, type SlackMessage } from './approval-message';
import { escapeMrkdwn, quoteMrkdwn, slackDate, truncate } from './escape';

const what = (r: AccessRequest): string =>
  `*${escapeMrkdwn(r.role)}* on *${escapeMrkdwn(r.svm.name)}* (cluster *${escapeMrkdwn(r.cluster)}*)`;
const message = (text: string, extra: KnownBlock[] = []): SlackMessage => ({
  text: truncate(text.split('\n')[0]?.replace(/\*/g, '') ?? '', 300),
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }, ...extra],
});

/** What replacing the entry does, said before the requester confirms. */
export const REPLACEMENT_WARNING =
  'ONTAP cannot change an access entry, so extending replaces it. If you are elevated right now ' +
  '(`jit_state` active), the replacement ends your elevated session: run `security jit-privilege elevate` ' +
  'again afterwards. The replacement waits a few minutes for an elevated session to end where the time ' +
  'left allows, and otherwise is done anyway; you are told which.';

/** "Extend", on the requester's status DM and the "ends soon" DM. */
export function extendButton(r: AccessRequest): Button {
  return { type: 'button', action_id: EXTEND_ACTION.open, text: { type: 'plain_text', text: 'Extend' }, value: r.id };
}

/** The line the requester's status DM adds about their extensions: one waiting, or how often it was extended. */
export function extensionLine(r: AccessRequest): string | undefined {
  if (r.status !== 'ACTIVE') return undefined;
  const ask = r.extension;
  if (ask) {
    const state =
      ask.approvedAt !== undefined
        ? 'approved; the entry is being replaced'
        : `waiting for approval (${ask.approvals.length} of ${ask.approvalsRequired})`;
    return `:hourglass_flowing_sand: Extension by ${formatDuration(ask.seconds)} to ${slackDate(ask.end)}: ${state}.`;
  }
  const n = r.extensions?.length ?? 0;
  return n > 0 ? `Extended ${n === 1 ? 'once' : `${n} times`}.` : undefined;
}

/** The modal's private metadata: which request. */
export interface ExtendModalMetadata {
  readonly requestId: string;
}

/** The Extend modal: how much longer (the allowed choices), why, and what will happen. */
export function extendModal(
  r: AccessRequest & { window: { end: string } },
  how: { readonly choices: readonly number[]; readonly approvers?: string; readonly left: number },
): ModalView {
  const options = how.choices.map((s) => ({
    text: { type: 'plain_text' as const, text: formatDuration(s) },
    value: String(s),
  }));
  const approval = how.approvers
    ? `It needs the approval of ${how.approvers}; nothing changes until then, ` +
      'and not at all once your access has ended.'
    : 'It is applied at once, without an approval.';
  return {
    type: 'modal',
    callback_id: CALLBACK.extend,
    private_metadata: JSON.stringify({ requestId: r.id } satisfies ExtendModalMetadata),
    title: { type: 'plain_text', text: 'Extend access' },
    submit: { type: 'plain_text', text: 'Extend' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncate(`${what(r)} ends ${slackDate(r.window.end)}. Extensions left: ${how.left}.`, 3000),
        },
      },
      {
        type: 'input',
        block_id: EXTEND_BLOCK.by,
        label: { type: 'plain_text', text: 'How much longer' },
        element: { type: 'static_select', action_id: EXTEND_BLOCK.by, options, initial_option: options[0] },
      },
      {
        type: 'input',
        block_id: EXTEND_BLOCK.reason,
        label: { type: 'plain_text', text: 'Why' },
        element: { type: 'plain_text_input', action_id: EXTEND_BLOCK.reason, multiline: true, max_length: 1000 },
      },
      { type: 'section', text: { type: 'mrkdwn', text: `:information_source: ${approval}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: REPLACEMENT_WARNING }] },
    ],
  };
}

/**
 * The approvers' ask, threaded under the approval message, mentioning them, with Approve and Deny (whose
 * values name the requester and policy as the decision buttons' do, so a click asks Slack beside its read).
 */
export function extensionAsk(r: AccessRequest, ask: PendingExtension, mentions: string): SlackMessage {
  const seats = ask.approvalsRequired > 1 ? ` (${ask.approvalsRequired} approvals needed)` : '';
  const text =
    `${mentions} <@${ask.by}> asks to extend ${what(r)} by *${formatDuration(ask.seconds)}*, ` +
    `from ${slackDate(ask.from)} to ${slackDate(ask.end)}${seats}:\n${quoteMrkdwn(ask.reason)}`;
  const buttons: Button[] = [
    {
      type: 'button',
      action_id: EXTEND_ACTION.approve,
      text: { type: 'plain_text', text: 'Approve extension' },
      value: decisionValue(r),
      style: 'primary',
    },
    {
      type: 'button',
      action_id: EXTEND_ACTION.deny,
      text: { type: 'plain_text', text: 'Deny extension' },
      value: decisionValue(r),
      style: 'danger',
    },
  ];
  return message(text, [{ type: 'actions', block_id: EXTEND_BLOCK.decision, elements: buttons }]);
}

/** The ask once decided or settled: the same words, no buttons, and where it stands. */
export function extensionAskSettled(r: AccessRequest, ask: PendingExtension, outcome: string): SlackMessage {
  return message(
    `<@${ask.by}> asked to extend ${what(r)} by *${formatDuration(ask.seconds)}*:\n` +
      `${quoteMrkdwn(ask.reason)}\n${outcome}`,
  );
}

/** The requester's DM once the ask is recorded. */
export function extensionAsked(r: AccessRequest, ask: PendingExtension): SlackMessage {
  return message(
    ask.approvalsRequired > 0
      ? `:hourglass_flowing_sand: Your extension of ${what(r)} by ${formatDuration(ask.seconds)} ` +
          'is waiting for approval. ' +
          `Your access still ends ${slackDate(ask.from)} unless it is approved before then.`
      : `:hourglass_flowing_sand: Extending ${what(r)} by ${formatDuration(ask.seconds)}: ` +
          'you are told when it is done.',
  );
}

/** Told once the new entry is in place: the new end, and whether an elevated session was ended. */
export function extensionApplied(
  r: AccessRequest,
  ask: PendingExtension,
  replaced: string,
  forApprovers = false,
): SlackMessage {
  const session =
    replaced === 'active'
      ? ' :warning: You were elevated when the entry was replaced, so that session ended: run ' +
        '`security jit-privilege elevate` again.'
      : ' No elevated session was on when the entry was replaced.';
  return message(
    forApprovers
      ? `:arrows_counterclockwise: ${what(r)} of <@${ask.by}> was extended to ${slackDate(ask.end)} ` +
          `(the entry was replaced${replaced === 'active' ? ', ending an elevated session' : ''}).`
      : `:arrows_counterclockwise: ${what(r)} is extended: it now ends ${slackDate(ask.end)}.${session}`,
  );
}

/** Told when an extension is not applied: why, and that nothing changed. */
export function extensionDropped(
  r: AccessRequest,
  ask: PendingExtension,
  why: string,
  forApprovers = false,
): SlackMessage {
  const who = forApprovers ? `The extension of ${what(r)} for <@${ask.by}>` : `Your extension of ${what(r)}`;
  return message(
    `:heavy_multiplication_x: ${who} was not applied: ${escapeMrkdwn(why)} Nothing changed on the cluster.`,
  );
}

/** Told when the old entry was removed and the new one could not be made: access ended early. */
export function extensionFailed(r: AccessRequest, why: string): SlackMessage {
  return message(
    `:x: Extending ${what(r)} failed: ${escapeMrkdwn(why)} The old entry had already been removed, so your ` +
      'access has ended early and the grant is closed. Ask again with `/jit` if you still need it.',
  );
}

/** Told when approvers denied the extension. */
export function extensionDenied(r: AccessRequest, ask: PendingExtension, by: string, reason: string): SlackMessage {
  return message(
    `:no_entry: <@${by}> denied your extension of ${what(r)} by ${formatDuration(ask.seconds)}:\n` +
      `${quoteMrkdwn(reason)}\nNothing changed: your access still ends ${slackDate(ask.from)}.`,
  );
}
