/**
 * The new messages that tell people of a milestone (Slack notifies a new message, not an edit): the
 * requester's DM for each milestone, and the approvers' thread reply, which mentions those who
 * approved so that it notifies them. Short: what happened, until when, and the one next step.
 * Pure functions of the request; every piece of user or cluster text is escaped.
 */
import type { ActionsBlock, Button, KnownBlock } from '@slack/web-api';
import { formatDuration } from '../../domain/durations';
import type { Milestone } from '../../domain/milestones';
import type { AccessRequest } from '../../domain/request';
import { requestedWindow } from '../../domain/window';
import { COMMAND } from '../ids';
import type { SlackMessage } from './approval-message';
import { escapeMrkdwn, quoteMrkdwn, slackDate, truncate } from './escape';
import { extendButton } from './extension-messages';
import { type ThreadDetails, threadMessage } from './request-messages';

const what = (r: AccessRequest): string =>
  `*${escapeMrkdwn(r.role)}* on *${escapeMrkdwn(r.svm.name)}* (cluster *${escapeMrkdwn(r.cluster)}*)`;
const approvedBy = (r: AccessRequest): string => r.approvals.map((a) => `<@${a.by}>`).join(', ');
const askAgain = `Ask again with \`${COMMAND}\` if you still need it.`;

/** How to use a live grant: log in over SSH as the account and elevate. */
export function elevateHint(r: AccessRequest): string {
  const account = escapeMrkdwn(r.requester.ontapAccount);
  return `Log in over SSH as \`${account}\` and run \`security jit-privilege elevate\`.`;
}

/** The requester's DM for `milestone`, from the request as it stands. */
export function milestoneDm(
  r: AccessRequest,
  milestone: Milestone,
  options: { readonly extendable?: boolean } = {},
): SlackMessage {
  const line = dmLine(r, milestone);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(line, 3000) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Request \`${r.id}\`` }] },
  ];
  const actions = milestoneActions(r, milestone, options);
  if (actions) blocks.push(actions);
  const first = line.split('\n')[0] ?? '';
  return { text: truncate(first.replace(/\*/g, ''), 300), blocks };
}

/**
 * Buttons on a milestone DM: Extend on the "ends soon" DM where the grant's policy offers it; the
 * status DM keeps "Revoke now" and "Cancel request".
 */
export function milestoneActions(
  r: AccessRequest,
  milestone: Milestone,
  options: { readonly extendable?: boolean } = {},
): ActionsBlock | undefined {
  const buttons: Button[] = [];
  if (milestone === 'ends-soon' && options.extendable) buttons.push(extendButton(r));
  return buttons.length > 0 ? { type: 'actions', elements: buttons } : undefined;
}

function dmLine(r: AccessRequest, milestone: Milestone): string {
  switch (milestone) {
    case 'approved': {
      const window = requestedWindow(r);
      const when = window ? `It starts ${slackDate(window.start)} and ends ${slackDate(window.end)}.` : '';
      return `:white_check_mark: ${approvedBy(r)} approved ${what(r)}. ${when} You will be told when it is usable.`;
    }
    case 'granted':
      if (r.status !== 'ACTIVE' && r.status !== 'REVOKE_FAILED') break;
      return (
        `:unlock: ${what(r)} is yours until ${slackDate(r.window.end)} (approved by ${approvedBy(r)}).\n` +
        elevateHint(r)
      );
    case 'denied':
      if (r.status !== 'DENIED') break;
      return `:no_entry: <@${r.deniedBy}> denied ${what(r)}:\n${quoteMrkdwn(r.reason)}`;
    case 'expired':
      return r.status === 'EXPIRED' && r.expiry === 'window-passed'
        ? `:alarm_clock: ${what(r)} was approved too late: too little of your window was left, ` +
            `so nothing was granted. ${askAgain}`
        : `:alarm_clock: Nobody approved ${what(r)} in time; nothing was granted. ${askAgain}`;
    case 'ends-soon': {
      if (r.status !== 'ACTIVE') break;
      const left = Math.max(
        60,
        Math.round((Date.parse(r.window.end) - Date.parse(r.endsSoonAt ?? r.window.end)) / 1000),
      );
      return (
        `:hourglass: ${what(r)} ends ${slackDate(r.window.end)}, in about ${formatDuration(left)}. ` +
        'Finish what you are doing; elevated sessions end then.'
      );
    }
    case 'ended':
      if (r.status === 'REVOKED') {
        return `:lock: <@${r.revokedBy}> revoked ${what(r)} ${slackDate(r.endedAt)}. Nothing is left to do.`;
      }
      if (r.status === 'EXPIRED') return `:lock: ${what(r)} ended ${slackDate(r.endedAt)}. ${askAgain}`;
      break;
    case 'revoke-failed':
      if (r.status !== 'REVOKE_FAILED') break;
      return (
        `:warning: ${what(r)} could not be removed from the cluster yet (${escapeMrkdwn(r.reason)}). ` +
        `ONTAP ends it ${slackDate(r.window.end)} regardless; on-call has been alerted. Nothing for you to do.`
      );
    case 'failed':
    case 'failed-cleanup-pending':
      if (r.status !== 'FAILED') break;
      return failedLine(r);
    case 'cleaned-up':
      return `:broom: Clean-up done: nothing of request \`${r.id}\` is left on the cluster. ${askAgain}`;
  }
  return `Request \`${r.id}\` for ${what(r)} is now ${r.status.toLowerCase()}.`;
}

function failedLine(r: Extract<AccessRequest, { status: 'FAILED' }>): string {
  const reason = escapeMrkdwn(r.reason);
  switch (r.stage) {
    case 'validation':
      return (
        `:x: ${what(r)} cannot be granted: ${reason}\n` +
        `Nothing was granted; fix that and ask again with \`${COMMAND}\`.`
      );
    case 'authorization':
      return `:x: ${what(r)} was closed and nothing was granted: ${reason}`;
    case 'grant':
      return r.cleanupPending
        ? `:x: ${what(r)} could not be granted: ${reason}\n:broom: An entry may still be on the cluster; ` +
            'it is being removed and you will be told when it is gone. Nothing for you to do.'
        : `:x: ${what(r)} could not be granted: ${reason}\nNothing was left behind. ${askAgain}`;
  }
}

/**
 * The approvers' thread reply for `milestone`, mentioning those who approved so that Slack notifies
 * them; undefined when the milestone has no thread reply.
 */
export function approverNotice(
  r: AccessRequest,
  milestone: Milestone,
  details: ThreadDetails = {},
): SlackMessage | undefined {
  const message = threadMessage(r, { ...details, ...(milestone === 'cleaned-up' ? { cleanedUp: true } : {}) });
  if (!message) return undefined;
  const mentions = approvedBy(r);
  if (!mentions) return message;
  const text = truncate(`${mentions} ${message.text}`, 3000);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** A reminder's time left before a request expires, for the approvers' reminder. */
export function timeLeft(seconds: number): string {
  return formatDuration(Math.max(60, seconds));
}
