/**
 * The nudges of a pending request: the reminder threaded under the approval message, mentioning
 * the approvers who have not approved yet, and the escalation (a user group mentioned there, or a
 * post in another channel with a link to the approval message). Neither carries a button: a
 * decision is made on the approval message, under the same rules as ever. Pure.
 */
import type { KnownBlock } from '@slack/web-api';
import type { Policy } from '../../domain/policy';
import type { AccessRequest } from '../../domain/request';
import type { SlackMessage } from './approval-message';
import { escapeMrkdwn, slackDate, truncate } from './escape';

/** Slack's mention of a user group. */
const groupMention = (id: string): string => `<!subteam^${id}>`;

const what = (r: AccessRequest): string =>
  `<@${r.requester.slackUserId}>'s request for *${escapeMrkdwn(r.role)}* on *${escapeMrkdwn(r.svm.name)}* ` +
  `(cluster *${escapeMrkdwn(r.cluster)}*)`;

/** The approvers still to be asked: the policy's users who have not approved (never the requester), and its groups. */
export function approverMentions(r: AccessRequest, policy: Pick<Policy, 'approvers'>): string {
  const approved = new Set(r.approvals.map((a) => a.by));
  const users = policy.approvers.users
    .filter((u) => !approved.has(u) && u !== r.requester.slackUserId)
    .map((u) => `<@${u}>`);
  return [...users, ...policy.approvers.groups.map(groupMention)].join(' ');
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** The reminder threaded under the approval message. */
export function reminderMessage(
  r: AccessRequest,
  policy: Pick<Policy, 'approvers'>,
  expiresAt: string,
  reminder: number,
): SlackMessage {
  const progress = `${r.approvals.length} of ${r.approvalsRequired} approval${r.approvalsRequired === 1 ? '' : 's'}`;
  const text = truncate(
    `${approverMentions(r, policy)} :bell: Reminder ${reminder}: ${what(r)} is still waiting (${progress}). ` +
      `It expires ${slackDate(expiresAt)}. Approve or deny it on the message above.`,
    3000,
  );
  return { text, blocks: [section(text)] };
}

/** The escalation: mentions the user group, or speaks to the channel it is posted in; links to the approval message. */
export function escalationMessage(
  r: AccessRequest,
  escalateTo: { userGroup: string } | { channel: string },
  waitedSince: string,
  link: string,
  expiresAt: string,
): SlackMessage {
  const who = 'userGroup' in escalateTo ? `${groupMention(escalateTo.userGroup)} ` : '';
  const text = truncate(
    `${who}:rotating_light: Escalated: ${what(r)} has waited since ${slackDate(waitedSince)} without a decision ` +
      `and expires ${slackDate(expiresAt)}. <${link}|Open the approval message> to approve or deny it.`,
    3000,
  );
  return { text, blocks: [section(text)] };
}
