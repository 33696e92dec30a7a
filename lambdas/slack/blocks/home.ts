/**
 * The app's Home tab (`views.publish`): a button that opens the request form, "My access" (live
 * grants with Revoke now, open requests with Cancel, the last ended ones with Request again) and,
 * for approvers, "Waiting for me" with Approve and Deny. The buttons are the messages' own (same
 * action ids, same confirmations), so one listener and one set of checks serve both. Pure; every
 * list is bounded (lifecycle/home.ts), so the view stays under Slack's 100 blocks.
 */
import type { ActionsBlock, Button, HomeView, KnownBlock, ModalView, SectionBlock } from '@slack/web-api';
import { formatDuration } from '../../domain/durations';
import type { AccessRequest } from '../../domain/request';
import type { Bounded, Home, Waiting } from '../../lifecycle/home';
import { ACTION, AUDIT_EXPORT_ACTION, FORM_OPENER } from '../ids';
import { button, cancelButton, decisionButton, revokeButton, statusLine, windowPhrase } from './approval-message';
import { breakGlassMark } from './break-glass';
import { escapeMrkdwn, quoteMrkdwn, slackDate, truncate } from './escape';
import { liveStateLine } from './live-state';

/** Slack's limit on blocks in a Home tab view. */
export const HOME_BLOCKS_MAX = 100;
/** Slack's limit on a section's text. */
const SECTION_TEXT_MAX = 3000;
/** How much of a justification an approver sees on Home (the approval message has it whole). */
const JUSTIFICATION_SHOWN = 300;

const section = (text: string, accessory?: Button): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, SECTION_TEXT_MAX) },
  ...(accessory ? { accessory } : {}),
});
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text, emoji: true } });

const what = (r: AccessRequest): string =>
  `${breakGlassMark(r)}*${escapeMrkdwn(r.role)}* on *${escapeMrkdwn(r.cluster)} / ${escapeMrkdwn(r.svm.name)}*`;

/** "Request again" on an ended request: opens the request form filled in as this one was. */
export function requestAgainButton(request: AccessRequest): Button {
  return button(FORM_OPENER.requestAgain, 'Request again', request);
}

/** The Home tab of one person, as of `nowMs`. */
export function homeView(home: Home, approvalChannel: string, nowMs: number): HomeView {
  const blocks: KnownBlock[] = [
    header('ONTAP just-in-time access'),
    section(
      `Ask for a role on an SVM for a while; approvers decide in <#${approvalChannel}> and the access ends by itself.`,
    ),
    {
      type: 'actions',
      block_id: 'home_new',
      elements: [
        {
          type: 'button',
          action_id: FORM_OPENER.newRequest,
          text: { type: 'plain_text', text: 'Request access' },
          style: 'primary',
          value: 'home',
        },
      ],
    },
    { type: 'divider' },
    header('My access'),
    ...myAccess(home, nowMs),
  ];
  if (home.waiting) {
    blocks.push({ type: 'divider' }, header('Waiting for me'), ...waitingBlocks(home.waiting));
    blocks.push({
      type: 'actions',
      block_id: 'home_audit',
      elements: [
        {
          type: 'button',
          action_id: AUDIT_EXPORT_ACTION,
          text: { type: 'plain_text', text: 'Export audit trail (30 days)' },
          value: 'since 30d',
        },
      ],
    });
  }
  blocks.push(context(`Updated ${slackDate(new Date(nowMs).toISOString())}`));
  return { type: 'home', blocks: blocks.slice(0, HOME_BLOCKS_MAX) };
}

function myAccess(home: Home, nowMs: number): KnownBlock[] {
  if (home.live.items.length + home.open.items.length + home.ended.length === 0) {
    return [
      section(home.mayRequest ? 'You have no requests yet.' : 'You have no requests, and no policy lets you ask yet.'),
    ];
  }
  const blocks: KnownBlock[] = [];
  if (home.live.items.length > 0) {
    blocks.push(context('*Live now*'));
    blocks.push(...home.live.items.map((r) => liveBlock(r, nowMs)), ...moreBlock(home.live, 'live grants'));
  }
  if (home.open.items.length > 0) {
    blocks.push(context('*Open requests*'));
    blocks.push(...home.open.items.map(openBlock), ...moreBlock(home.open, 'open requests'));
  }
  if (home.ended.length > 0) {
    blocks.push(context('*Recently ended*'));
    blocks.push(...home.ended.map(endedBlock));
  }
  return blocks;
}

function liveBlock(r: AccessRequest, nowMs: number): KnownBlock {
  if (r.status !== 'ACTIVE' && r.status !== 'REVOKE_FAILED') return section(`${what(r)}: ${statusLine(r)}`);
  const left = Math.floor((Date.parse(r.window.end) - nowMs) / 1000);
  const time = left > 0 ? `, ${formatDuration(Math.max(60, left - (left % 60)))} left` : '';
  const text =
    r.status === 'REVOKE_FAILED'
      ? `:warning: ${what(r)}: removal failed, retrying; ONTAP ends it ${slackDate(r.window.end)} regardless.`
      : r.revokeRequestedBy
        ? `:hourglass_flowing_sand: ${what(r)}: being removed now.`
        : `:unlock: ${what(r)} until ${slackDate(r.window.end)}${time}. ` +
          `Elevate over SSH as \`${escapeMrkdwn(r.requester.ontapAccount)}\` with \`security jit-privilege elevate\`.`;
  const live = liveStateLine(r);
  return section(`${text}\n${live ? `${live}\n` : ''}\`${r.id}\``, r.revokeRequestedBy ? undefined : revokeButton(r));
}

function openBlock(r: AccessRequest): KnownBlock {
  const where =
    r.status === 'PENDING'
      ? `waiting for approval (${r.approvals.length} of ${r.approvalsRequired})`
      : 'approved, not started yet';
  return section(`:hourglass_flowing_sand: ${what(r)} ${windowPhrase(r)}: ${where}.\n\`${r.id}\``, cancelButton(r));
}

function endedBlock(r: AccessRequest): KnownBlock {
  const line = statusLine(r).split('\n')[0] ?? '';
  return section(`${what(r)}: ${line}\n\`${r.id}\``, requestAgainButton(r));
}

function waitingBlocks(waiting: Bounded<Waiting>): KnownBlock[] {
  if (waiting.items.length === 0) return [section('Nothing waits for your decision.')];
  const blocks: KnownBlock[] = [];
  for (const { request: r, approvedByMe } of waiting.items) {
    const asked = `<@${r.requester.slackUserId}> asks for ${what(r)} ${windowPhrase(r)}, ${slackDate(r.createdAt)}.`;
    const why = quoteMrkdwn(truncate(r.justification, JUSTIFICATION_SHOWN));
    blocks.push(section(`${asked}\n${why}\n\`${r.id}\` · ${r.approvals.length} of ${r.approvalsRequired} approvals`));
    if (approvedByMe) blocks.push(context('You approved it; it waits for another approver.'));
    else blocks.push(decisionBlock(r));
  }
  return [...blocks, ...moreBlock(waiting, 'waiting: older ones first, decide these to see the rest')];
}

function decisionBlock(r: AccessRequest): ActionsBlock {
  return {
    type: 'actions',
    block_id: `home_decide_${r.id}`,
    elements: [
      decisionButton(ACTION.approve, 'Approve', r, 'primary'),
      decisionButton(ACTION.deny, 'Deny', r, 'danger'),
    ],
  };
}

function moreBlock<T>(list: Bounded<T>, noun: string): KnownBlock[] {
  return list.more > 0 ? [context(`…and ${list.more} more ${noun}.`)] : [];
}

/** A small modal that tells the person something (a Home click has no message to answer under). */
export function noticeView(text: string, blocks?: readonly KnownBlock[]): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'ONTAP access' },
    close: { type: 'plain_text', text: 'OK' },
    blocks: blocks && blocks.length > 0 ? [...blocks] : [section(escapeMrkdwn(text) || 'Done.')],
  };
}
