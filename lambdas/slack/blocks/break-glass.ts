/**
 * Break-glass as people read it: the choice and its reason in the request modal, the loud banner and
 * the review buttons on the announcement (the approval message of a break-glass request), the Flag
 * modal, the escalation of a missed review and the requester's notice of the review. Pure.
 */
import type { ActionsBlock, InputBlock, KnownBlock, ModalView } from '@slack/web-api';
import type { z } from 'zod';
import { BREAK_GLASS_REASON_MIN, BREAK_GLASS_TEXT_MAX, mentionMarkup } from '../../domain/break-glass';
import { formatDuration } from '../../domain/durations';
import type { Policy } from '../../domain/policy';
import type { AccessRequest, BreakGlassReview } from '../../domain/request';
import { CALLBACK, FORM_BLOCK, REVIEW_ACTION, REVIEW_BLOCK } from '../ids';
import type { SlackMessage } from './approval-message';
import { escapeMrkdwn, quoteMrkdwn, slackDate, truncate } from './escape';
import { askTextModal, ReasonMetadataSchema } from './reason-modal';
import { BREAK_GLASS_MODE } from './request-modal-state';

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: false });
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** The modal's approval choice (ask the approvers, or break-glass) and the emergency's reason. */
export function breakGlassBlocks(policy: Policy | undefined): InputBlock[] {
  const ask = { text: plain('Ask the approvers'), value: 'approval' };
  const glass = { text: plain('Break-glass: grant it to me now, without approval'), value: BREAK_GLASS_MODE };
  const limit = policy?.breakGlass
    ? `At most ${formatDuration(policy.breakGlass.maxDuration)} under policy ${policy.name}. `
    : '';
  return [
    {
      type: 'input',
      block_id: FORM_BLOCK.approvalMode,
      label: plain('Approval'),
      hint: plain(
        `${limit}Emergencies only: announced to the approval channel, and reviewed by the approvers afterwards.`,
      ),
      element: {
        type: 'radio_buttons',
        action_id: FORM_BLOCK.approvalMode,
        options: [ask, glass],
        initial_option: ask,
      },
    },
    {
      type: 'input',
      block_id: FORM_BLOCK.breakGlassReason,
      optional: true,
      label: plain('Break-glass: what is the emergency?'),
      hint: plain('Required for break-glass: the approvers and the audit trail read it.'),
      element: {
        type: 'plain_text_input',
        action_id: FORM_BLOCK.breakGlassReason,
        multiline: true,
        max_length: BREAK_GLASS_TEXT_MAX,
        placeholder: plain(`At least ${BREAK_GLASS_REASON_MIN} characters: the incident, the ticket, what is down.`),
      },
    },
  ];
}

/** Where a break-glass request stands, replacing the approval wording; undefined for any other request. */
export function breakGlassStatusLine(request: AccessRequest): string | undefined {
  const bg = request.breakGlass;
  if (!bg) return undefined;
  const who = `<@${request.requester.slackUserId}>`;
  switch (request.status) {
    case 'PENDING':
      return `:rotating_light: Break-glass asked by ${who}: being checked, then granted without approval.`;
    case 'APPROVED':
      return `:rotating_light: Break-glass used by ${who} ${slackDate(bg.usedAt ?? request.decidedAt)}: granting now.`;
    case 'ACTIVE':
      return request.revokeRequestedBy
        ? `:hourglass_flowing_sand: Break-glass: revoke requested by <@${request.revokeRequestedBy}>; ending now.`
        : `:rotating_light: Break-glass: granted to ${who} by themselves, without approval, until ` +
            `${slackDate(request.window.end)}.`;
    default:
      // Ended, failed or refused: the usual wording says how.
      return undefined;
  }
}

/** A short mark before a break-glass request's other lines (ended, failed…), so it is never mistaken for another. */
export function breakGlassMark(request: AccessRequest): string {
  return request.breakGlass ? ':rotating_light: Break-glass · ' : '';
}

/** The banner above a break-glass request's details: the mention (the announcement's whole point) and the reason. */
export function breakGlassBanner(request: AccessRequest): KnownBlock[] {
  const bg = request.breakGlass;
  if (!bg) return [];
  const mention = bg.mention ? `${mentionMarkup(bg.mention)} ` : '';
  return [
    section(
      `${mention}:rotating_light: *BREAK-GLASS* :rotating_light: access granted *without approval*. ` +
        `Approvers: review it below${bg.reviewDueAt ? ` by ${slackDate(bg.reviewDueAt)}` : ''}.`,
    ),
    section(`*Emergency*\n${quoteMrkdwn(bg.reason)}`),
  ];
}

/** The review line and its buttons: Acknowledge / Flag until reviewed, then who reviewed it and how. */
export function breakGlassReviewBlocks(request: AccessRequest): KnownBlock[] {
  const bg = request.breakGlass;
  if (!bg?.usedAt) return [];
  if (bg.review) {
    const r = bg.review;
    const how = r.outcome === 'flagged' ? ':warning: Flagged' : ':ballot_box_with_check: Acknowledged';
    const note = r.note !== undefined ? `\n${quoteMrkdwn(r.note)}` : '';
    return [section(`${how} by <@${r.by}> ${slackDate(r.at)}.${note}`)];
  }
  const review: ActionsBlock = {
    type: 'actions',
    block_id: REVIEW_BLOCK.actions,
    elements: [
      {
        type: 'button',
        action_id: REVIEW_ACTION.acknowledge,
        text: plain('Acknowledge'),
        value: request.id,
        style: 'primary',
        confirm: {
          title: plain('Acknowledge this break-glass?'),
          text: plain('You reviewed it and it was justified. The audit trail records you as its reviewer.'),
          confirm: plain('Acknowledge'),
          deny: plain('Back'),
        },
      },
      { type: 'button', action_id: REVIEW_ACTION.flag, text: plain('Flag…'), value: request.id, style: 'danger' },
    ],
  };
  return [section(':mag: *Review needed*: was this break-glass justified?'), review];
}

/** The notification text's prefix: the mention, so Slack notifies the channel of the announcement. */
export function breakGlassText(request: AccessRequest): string {
  const bg = request.breakGlass;
  if (!bg) return '';
  return `${bg.mention ? `${mentionMarkup(bg.mention)} ` : ''}BREAK-GLASS (no approval): `;
}

/** What the Flag modal carries to its submission. */
export const FlagMetadataSchema = ReasonMetadataSchema;

/** The Flag modal: the note is required (the requester and the audit trail read it). */
export function flagModal(request: AccessRequest, metadata: z.infer<typeof FlagMetadataSchema>): ModalView {
  const spec = {
    callback: CALLBACK.breakGlassFlag,
    title: 'Flag break-glass',
    submit: 'Flag',
    headline:
      `Break-glass by <@${request.requester.slackUserId}>: *${escapeMrkdwn(request.role)}* on ` +
      `*${escapeMrkdwn(request.cluster)} / ${escapeMrkdwn(request.svm.name)}* (\`${request.id}\`).`,
    label: 'What is wrong with it?',
    hint: 'The requester is told, and the audit trail keeps it.',
    block: REVIEW_BLOCK.note,
    max: BREAK_GLASS_TEXT_MAX,
    emoji: false,
  };
  return askTextModal(spec, metadata);
}

/** The escalation of a break-glass nobody reviewed in time, linking to its announcement. */
export function reviewEscalation(request: AccessRequest, mention: string, link: string | undefined): SlackMessage {
  const where = link ? ` <${link}|Open the announcement> to acknowledge or flag it.` : '';
  const text = truncate(
    `${mention} :rotating_light: Break-glass \`${request.id}\` by <@${request.requester.slackUserId}> ` +
      `(${escapeMrkdwn(request.role)} on ${escapeMrkdwn(request.cluster)} / ${escapeMrkdwn(request.svm.name)}) ` +
      `has not been reviewed since ${slackDate(request.breakGlass?.usedAt ?? request.createdAt)}.${where}`,
    3000,
  );
  return { text, blocks: [section(text)] };
}

/** The requester's notice that their break-glass was reviewed. */
export function reviewNotice(request: AccessRequest, review: BreakGlassReview): SlackMessage {
  const how = review.outcome === 'flagged' ? ':warning: flagged' : ':ballot_box_with_check: acknowledged';
  const note = review.note !== undefined ? `\n${quoteMrkdwn(review.note)}` : '';
  const text = truncate(
    `Your break-glass \`${request.id}\` (${escapeMrkdwn(request.role)} on ${escapeMrkdwn(request.svm.name)}) ` +
      `was ${how} by <@${review.by}>.${note}`,
    3000,
  );
  return { text, blocks: [section(text)] };
}
