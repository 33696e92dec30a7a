/**
 * The approval message as it reads after someone acted on it from Slack: the request, its status
 * (approvals so far for N-of-M, who decided and when, the reason of a denial), and only the buttons
 * that still apply. Every piece of user text is escaped. Pure.
 */
import type { ActionsBlock, Button, KnownBlock } from '@slack/web-api';
import { formatDuration } from '../../domain/durations';
import type { AccessRequest } from '../../domain/request';
import { assertNever } from '../../domain/transitions';
import { requestedWindow } from '../../domain/window';
import { ACTION, DECISION_BLOCK } from '../ids';
import {
  breakGlassBanner,
  breakGlassMark,
  breakGlassReviewBlocks,
  breakGlassStatusLine,
  breakGlassText,
} from './break-glass';
import { escapeMrkdwn, quoteMrkdwn, slackDate, truncate } from './escape';
import { liveStateLine } from './live-state';

/** A message's text and blocks, as chat.postMessage / chat.update / respond take them. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/**
 * The window, as everyone concerned reads it (each in their own time zone, through Slack's date
 * formatting): the granted window once there is one, else the requested start and end, else
 * "for 2 hours from approval".
 */
export function windowPhrase(request: AccessRequest): string {
  const granted = 'window' in request ? request.window : undefined;
  const window = granted ?? requestedWindow(request);
  if (!window) return `for *${formatDuration(request.durationSeconds)}* from approval`;
  const seconds = Math.max(1, Math.round((Date.parse(window.end) - Date.parse(window.start)) / 1000));
  return `for *${formatDuration(seconds)}*, from ${slackDate(window.start)} to ${slackDate(window.end)}`;
}

/** One line saying who asks for what, where and when (user text escaped). */
export function requestHeadline(request: AccessRequest): string {
  return (
    `<@${request.requester.slackUserId}> (ONTAP account \`${escapeMrkdwn(request.requester.ontapAccount)}\`) asks for ` +
    `*${escapeMrkdwn(request.role)}* on *${escapeMrkdwn(request.cluster)} / ${escapeMrkdwn(request.svm.name)}* ` +
    `${windowPhrase(request)}.`
  );
}

/** For a scheduled request: what a late approval means, so the approver knows what they grant. */
function lateApprovalNote(request: AccessRequest): string | undefined {
  const asked = requestedWindow(request);
  if (!asked || request.status !== 'PENDING') return undefined;
  return (
    `Approved after its start, the access still ends ${slackDate(asked.end)}: ` +
    'only what is left of the window is granted.'
  );
}

/** The request's details: headline, what a custom role may do, justification, ticket, id and policy. */
export function requestDetailBlocks(request: AccessRequest): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: requestHeadline(request) } }];
  // Set by the workflow's validation from ONTAP's role privileges.
  if (request.roleSummary)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Role: ${escapeMrkdwn(truncate(request.roleSummary, 300))}` }],
    });
  const late = lateApprovalNote(request);
  if (late) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: late }] });
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: `*Justification*\n${quoteMrkdwn(request.justification)}` },
  });
  const context = [`Request \`${request.id}\``, `policy ${escapeMrkdwn(request.policy)}`];
  if (request.ticket) context.push(`ticket ${escapeMrkdwn(request.ticket)}`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return blocks;
}

/** Where the request stands, in one mrkdwn line. */
export function statusLine(request: AccessRequest): string {
  const breakGlass = breakGlassStatusLine(request);
  if (breakGlass !== undefined) return breakGlass;
  return breakGlassMark(request) + usualStatusLine(request);
}

function usualStatusLine(request: AccessRequest): string {
  const approvers = request.approvals.map((a) => `<@${a.by}>`).join(', ');
  switch (request.status) {
    case 'PENDING':
      return request.approvals.length === 0
        ? `:hourglass_flowing_sand: Waiting for approval (0 of ${request.approvalsRequired}).`
        : `:hourglass_flowing_sand: ${request.approvals.length} of ${request.approvalsRequired} approvals so far: ${approvers}.`;
    case 'APPROVED':
      return `:white_check_mark: Approved by ${approvers} ${slackDate(request.decidedAt)}.`;
    case 'ACTIVE':
      return request.revokeRequestedBy
        ? `:hourglass_flowing_sand: Revoke requested by <@${request.revokeRequestedBy}>; ending now.`
        : `:unlock: Granted until ${slackDate(request.window.end)} (approved by ${approvers}).`;
    case 'REVOKE_FAILED':
      return `:warning: Removing the access failed and is being retried: ${escapeMrkdwn(request.reason)}`;
    case 'DENIED':
      return `:no_entry: Denied by <@${request.deniedBy}> ${slackDate(request.decidedAt)}.\n${quoteMrkdwn(request.reason)}`;
    case 'CANCELLED':
      return (
        `:heavy_multiplication_x: Cancelled by <@${request.cancelledBy}> ${slackDate(request.endedAt)}.` +
        (request.reason !== undefined ? `\n${quoteMrkdwn(request.reason)}` : '')
      );
    case 'EXPIRED':
      switch (request.expiry) {
        case 'approval-timeout':
          return `:alarm_clock: Expired without a decision ${slackDate(request.endedAt)}.`;
        case 'window-passed':
          return (
            `:alarm_clock: Approved by ${approvers} too late: too little of the requested window was left. ` +
            'Nothing was granted.'
          );
        case 'window-ended':
          return `:lock: Ended ${slackDate(request.endedAt)}.`;
        default:
          return assertNever(request.expiry);
      }
    case 'REVOKED':
      return `:lock: Revoked by <@${request.revokedBy}> ${slackDate(request.endedAt)}.`;
    case 'FAILED':
      if (request.stage === 'authorization') return `:x: Closed, nothing granted: ${escapeMrkdwn(request.reason)}`;
      return `:x: Failed during ${request.stage}: ${escapeMrkdwn(request.reason)}`;
    default:
      return assertNever(request);
  }
}

/** A button on a request's message; its value is the request id. */
export function button(actionId: string, label: string, request: AccessRequest, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: label },
    value: request.id,
    ...(style ? { style } : {}),
  };
}

/** A decision button (approve, deny, cancel, revoke); its value names the request, its requester and its policy. */
export function decisionButton(
  actionId: string,
  label: string,
  request: AccessRequest,
  style?: 'primary' | 'danger',
): Button {
  return { ...button(actionId, label, request, style), value: decisionValue(request) };
}

/** Whose request a decision button says it is: only a hint to start Slack lookups early; the stored request decides. */
export interface DecisionClaim {
  /** The requester's Slack user id. */
  readonly requester: string;
  /** The policy the request was made under. */
  readonly policy: string;
}

/** Whose request `request` is, as a decision button (and the reason modal after it) names it. */
export function claimOf(request: AccessRequest): DecisionClaim {
  return { requester: request.requester.slackUserId, policy: request.policy };
}

/**
 * A decision button's value: the request id, its requester and its policy, so a click can ask Slack who
 * decides and who the requester is while the request is read.
 */
export function decisionValue(request: AccessRequest): string {
  const { requester, policy } = claimOf(request);
  return `${request.id} ${requester} ${policy}`;
}

const DECISION_VALUE = /^([A-Za-z0-9-]{8,80})(?: ([UW][A-Z0-9]{2,20}) ([a-z0-9][a-z0-9-]{0,62}))?$/;

/**
 * What a decision button's value names: the request id, and with it (buttons drawn since values name
 * more) its requester and policy. Undefined when it is neither shape.
 */
export function readDecisionValue(value: string): { requestId: string; claim?: DecisionClaim } | undefined {
  const match = DECISION_VALUE.exec(value);
  if (!match?.[1]) return undefined;
  const [, requestId, requester, policy] = match;
  return requester && policy ? { requestId, claim: { requester, policy } } : { requestId };
}

/** "Revoke now", asking first: the same button wherever a live grant is shown. */
export function revokeButton(request: AccessRequest): Button {
  return {
    ...decisionButton(ACTION.revoke, 'Revoke now', request, 'danger'),
    confirm: {
      title: { type: 'plain_text', text: 'Revoke this access now?' },
      text: { type: 'plain_text', text: 'The JIT privileges are removed from the cluster right away.' },
      confirm: { type: 'plain_text', text: 'Revoke' },
      deny: { type: 'plain_text', text: 'Keep it' },
      style: 'danger',
    },
  };
}

/**
 * "Cancel request", asking first: the same button on the approval message and the requester's DM.
 * The requester may cancel until the access is granted; an approver once it is approved (and is
 * then asked why).
 */
export function cancelButton(request: AccessRequest): Button {
  return {
    ...decisionButton(ACTION.cancel, 'Cancel request', request),
    confirm: {
      title: { type: 'plain_text', text: 'Cancel this request?' },
      text: {
        type: 'plain_text',
        text:
          'Nothing will be granted and the requester is told. The requester can cancel until the access starts; ' +
          'an approver, once it is approved, and is asked why.',
      },
      confirm: { type: 'plain_text', text: 'Cancel request' },
      deny: { type: 'plain_text', text: 'Keep it' },
    },
  };
}

/** The buttons that still apply: approve/deny/cancel while pending, cancel once approved, revoke while granted. */
export function decisionButtons(request: AccessRequest): ActionsBlock | undefined {
  // Break-glass is granted by its requester, not decided: nobody approves or denies it.
  if (request.status === 'PENDING' && request.breakGlass) {
    return { type: 'actions', block_id: DECISION_BLOCK, elements: [cancelButton(request)] };
  }
  if (request.status === 'PENDING') {
    return {
      type: 'actions',
      block_id: DECISION_BLOCK,
      elements: [
        decisionButton(ACTION.approve, 'Approve', request, 'primary'),
        decisionButton(ACTION.deny, 'Deny', request, 'danger'),
        cancelButton(request),
      ],
    };
  }
  if (request.status === 'APPROVED') {
    return { type: 'actions', block_id: DECISION_BLOCK, elements: [cancelButton(request)] };
  }
  if ((request.status === 'ACTIVE' || request.status === 'REVOKE_FAILED') && !request.revokeRequestedBy) {
    return { type: 'actions', block_id: DECISION_BLOCK, elements: [revokeButton(request)] };
  }
  return undefined;
}

/** The approval message for a request in its current status. */
export function approvalMessage(request: AccessRequest): SlackMessage {
  const status = statusLine(request);
  const blocks: KnownBlock[] = [
    ...breakGlassBanner(request),
    ...requestDetailBlocks(request),
    { type: 'section', text: { type: 'mrkdwn', text: status } },
  ];
  const live = liveStateLine(request);
  if (live) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: live }] });
  const buttons = decisionButtons(request);
  if (buttons) blocks.push(buttons);
  blocks.push(...breakGlassReviewBlocks(request));
  const text =
    breakGlassText(request) +
    `JIT request ${request.id}: ${escapeMrkdwn(request.role)} on ${escapeMrkdwn(request.cluster)}/${escapeMrkdwn(request.svm.name)} ` +
    `${windowPhrase(request).replace(/\*/g, '')} by <@${request.requester.slackUserId}>. ` +
    `${status.split('\n')[0] ?? ''}`;
  return { text, blocks };
}
