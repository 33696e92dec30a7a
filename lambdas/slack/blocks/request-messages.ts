/**
 * The messages the workflow posts and keeps up to date besides the approval message
 * (approval-message.ts, shared with the Slack side's re-render after a click), as pure functions of
 * the request: the requester's status DM and the events threaded under the approval message.
 * Every piece of user or cluster text is escaped.
 */
import type { Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/web-api';
import { type AccessRequest, isTerminal } from '../../domain/request';
import { assertNever } from '../../domain/transitions';
import { requestedWindow } from '../../domain/window';
import { DECISION_BLOCK } from '../ids';
import { cancelButton, revokeButton, type SlackMessage, windowPhrase } from './approval-message';
import { breakGlassMark, breakGlassStatusLine } from './break-glass';
import { escapeMrkdwn, quoteMrkdwn, slackDate, truncate } from './escape';
import { extendButton, extensionLine } from './extension-messages';
import { requestAgainButton } from './home';

const section = (text: string): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, 3000) },
});
const context = (text: string): ContextBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: truncate(text, 3000) }],
});

const target = (r: AccessRequest): string =>
  `*${escapeMrkdwn(r.role)}* on *${escapeMrkdwn(r.svm.name)}* (cluster *${escapeMrkdwn(r.cluster)}*)`;
const approvers = (r: AccessRequest): string => r.approvals.map((a) => `<@${a.by}>`).join(', ');
const progress = (r: AccessRequest): string =>
  `${r.approvals.length} of ${r.approvalsRequired} approval${r.approvalsRequired === 1 ? '' : 's'}`;

/** Where the request stands, told to the requester. */
export function requesterStatusLine(r: AccessRequest): string {
  const breakGlass = breakGlassStatusLine(r);
  if (breakGlass !== undefined) return breakGlass;
  return breakGlassMark(r) + usualRequesterStatusLine(r);
}

function usualRequesterStatusLine(r: AccessRequest): string {
  switch (r.status) {
    case 'PENDING':
      return (
        `:hourglass_flowing_sand: Waiting for approval (${progress(r)}).` +
        (r.remindedAt !== undefined ? ` Approvers last reminded ${slackDate(r.remindedAt)}.` : '')
      );
    case 'APPROVED':
      return r.requestedStart && Date.parse(r.requestedStart) > Date.parse(r.decidedAt)
        ? `:white_check_mark: Approved by ${approvers(r)}. Your access starts ${slackDate(r.requestedStart)}` +
            ` and ends ${slackDate(requestedWindow(r)?.end ?? r.requestedStart)}.`
        : `:white_check_mark: Approved by ${approvers(r)}. Granting your access now…`;
    case 'ACTIVE':
      return r.revokeRequestedBy
        ? `:hourglass_flowing_sand: Revoke requested by <@${r.revokeRequestedBy}>; removing your access now.`
        : `:unlock: Active until ${slackDate(r.window.end)}. Log in over SSH as \`${escapeMrkdwn(r.requester.ontapAccount)}\` ` +
            `and run \`security jit-privilege elevate\` to use *${escapeMrkdwn(r.role)}*.`;
    case 'REVOKE_FAILED':
      return `:warning: Your access could not be removed from the cluster yet (${escapeMrkdwn(r.reason)}). ONTAP ends it at ${slackDate(r.window.end)} regardless; the storage on-call has been alerted.`;
    case 'DENIED':
      return `:no_entry: Denied by <@${r.deniedBy}>:\n${quoteMrkdwn(r.reason)}`;
    case 'CANCELLED':
      return (
        `:heavy_multiplication_x: Cancelled by <@${r.cancelledBy}> ${slackDate(r.endedAt)}. Nothing was granted.` +
        (r.reason !== undefined ? `\n${quoteMrkdwn(r.reason)}` : '')
      );
    case 'EXPIRED':
      switch (r.expiry) {
        case 'approval-timeout':
          return (
            `:alarm_clock: Nobody approved this request in time; it expired ${slackDate(r.endedAt)}. ` +
            'Ask again if you still need access.'
          );
        case 'window-passed':
          return (
            ':alarm_clock: It was approved too late: too little of the window you asked for was left, ' +
            'so nothing was granted. Ask again if you still need access.'
          );
        case 'window-ended':
          return `:lock: Your access ended ${slackDate(r.endedAt)}.`;
        default:
          return assertNever(r.expiry);
      }
    case 'REVOKED':
      return `:lock: Your access was revoked by <@${r.revokedBy}> ${slackDate(r.endedAt)}.`;
    case 'FAILED':
      if (r.stage === 'authorization') {
        return `:x: This request was closed and nothing was granted: ${escapeMrkdwn(r.reason)}`;
      }
      if (r.stage === 'validation') return `:x: This request cannot be granted: ${escapeMrkdwn(r.reason)}`;
      return r.cleanupPending
        ? `:x: The access could not be granted on the cluster: ${escapeMrkdwn(r.reason)} ` +
            ':broom: Clean-up pending: an entry may still be on the cluster; it is being removed ' +
            'and you will be told when it is gone.'
        : `:x: The access could not be granted on the cluster: ${escapeMrkdwn(r.reason)} Nothing was left behind.`;
    default:
      return assertNever(r);
  }
}

/**
 * The requester's status DM: what they asked for and where it stands, with "Cancel request" while
 * it is not granted yet, "Revoke now" while it is active and "Request again" once it has ended.
 */
export function requesterMessage(r: AccessRequest, options: { readonly extendable?: boolean } = {}): SlackMessage {
  const status = requesterStatusLine(r);
  const blocks: KnownBlock[] = [
    section(`Your request for ${target(r)} ${windowPhrase(r)}.`),
    section(status),
    context(`Request \`${r.id}\`${r.ticket ? ` · ticket ${escapeMrkdwn(r.ticket)}` : ''}`),
  ];
  const extended = extensionLine(r);
  if (extended) blocks.splice(2, 0, section(extended));
  const buttons: Button[] = [];
  if (r.status === 'PENDING' || r.status === 'APPROVED') buttons.push(cancelButton(r));
  if (r.status === 'ACTIVE' && !r.revokeRequestedBy) buttons.push(revokeButton(r));
  if (isTerminal(r)) buttons.push(requestAgainButton(r));
  if (options.extendable) buttons.push(extendButton(r));
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: DECISION_BLOCK, elements: buttons });
  return {
    text: `JIT request ${r.id} (${escapeMrkdwn(r.role)} on ${escapeMrkdwn(r.svm.name)}): ${status.split('\n')[0] ?? ''}`,
    blocks,
  };
}

/** Details of an event the request's status alone does not say. */
export interface ThreadDetails {
  /** The revoke found the entry already gone from the cluster. */
  readonly alreadyGone?: boolean;
  /** A failed grant's pending clean-up has just been confirmed. */
  readonly cleanedUp?: boolean;
}

/**
 * The event threaded under the approval message for the request's latest change after the
 * decision (granted, ended, revoked, grant or revoke failed); undefined for the others, which the
 * approval message itself shows.
 */
export function threadMessage(r: AccessRequest, details: ThreadDetails = {}): SlackMessage | undefined {
  const gone = details.alreadyGone ? ' (it was already gone from the cluster)' : '';
  let text: string;
  switch (r.status) {
    case 'ACTIVE':
      if (r.revokeRequestedBy) return undefined;
      text = `:unlock: Granted: \`${escapeMrkdwn(r.requester.ontapAccount)}\` may elevate to *${escapeMrkdwn(r.role)}* on *${escapeMrkdwn(r.svm.name)}* until ${slackDate(r.window.end)}.`;
      break;
    case 'EXPIRED':
      if (r.expiry !== 'window-ended') return undefined;
      text = `:lock: Window over: the JIT entry was removed ${slackDate(r.endedAt)}${gone}.`;
      break;
    case 'REVOKED':
      text = `:lock: Revoked by <@${r.revokedBy}>: the JIT entry was removed ${slackDate(r.endedAt)}${gone}.`;
      break;
    case 'FAILED':
      if (r.stage === 'authorization') {
        text = `:x: Closed before anything was granted: ${escapeMrkdwn(r.reason)}`;
        break;
      }
      if (r.stage !== 'grant') return undefined;
      text = details.cleanedUp
        ? ':broom: Clean-up done: the cluster confirms no entry of this request is left.'
        : `:x: Grant failed: ${escapeMrkdwn(r.reason)}` +
          (r.cleanupPending ? ' Clean-up pending: the entry is being removed.' : '');
      break;
    case 'REVOKE_FAILED':
      text = `:rotating_light: Revoke failed: ${escapeMrkdwn(r.reason)} ONTAP ends the window itself at ${slackDate(r.window.end)}; on-call has been alerted.`;
      break;
    case 'PENDING':
    case 'APPROVED':
    case 'DENIED':
    case 'CANCELLED':
      return undefined;
    default:
      return assertNever(r);
  }
  return { text, blocks: [section(text)] };
}
