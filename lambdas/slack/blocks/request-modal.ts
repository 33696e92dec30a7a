/**
 * The `/jit` request modal: what it shows (only what the person's policies allow). Its values and
 * block ids, and reading its state back, are in request-modal-state.ts. Pure functions.
 */
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../../config/schema';
import { formatDuration } from '../../domain/durations';
import type { Policy } from '../../domain/policy';
import {
  JUSTIFICATION_MAX,
  JUSTIFICATION_MIN,
  policyFor,
  roleChoices,
  type TargetChoice,
  TICKET_MAX,
  targetChoices,
} from '../../domain/request-form';
import { CALLBACK, FORM_ACTION, FORM_BLOCK } from '../ids';
import { breakGlassBlocks } from './break-glass';
import { escapeMrkdwn, truncate } from './escape';
import { durationBlockId, roleBlockId, shortDuration, targetValue } from './request-modal-state';

/** What the modal carries from opening to submitting (no secrets: who, and in which time zone). */
export const RequestModalMetadataSchema = z.object({
  v: z.literal(1),
  account: z.string().min(1).max(64),
  zone: z.string().min(1).max(64),
  name: z.string().max(200).optional(),
  /** Opened from the Home tab, which is published again once the request is submitted. */
  from: z.literal('home').optional(),
  /** Break-glass is offered (the person is named by one of their policies); submission checks it again. */
  bg: z.literal(true).optional(),
});
/** What the modal carries from opening to submitting. */
export type RequestModalMetadata = z.infer<typeof RequestModalMetadataSchema>;

/** Slack's limits on select options. */
const OPTION_TEXT_MAX = 75;
const OPTION_VALUE_MAX = 150;
const OPTIONS_MAX = 100;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: false });

/** Who the modal is for. */
export interface ModalRequester {
  readonly account: string;
  readonly zone: string;
  readonly name?: string;
  /** Where it was opened from, when that is the Home tab (kept through redraws). */
  readonly from?: 'home';
  /** Offer break-glass (kept through redraws). */
  readonly bg?: true;
}

/** The modal's current choices; absent means "the first allowed", `null` "none chosen yet". */
export interface ModalSelection {
  readonly target?: TargetChoice | null;
  readonly role?: string | null;
}

/** What the modal starts filled in with ("Request again"), and a note on what could not be filled in. */
export interface ModalPrefill {
  readonly svmName?: string;
  readonly duration?: string;
  readonly justification?: string;
  readonly ticket?: string;
  readonly note?: string;
}

/**
 * The request modal for someone whose policies are `policies`: targets grouped by cluster, the roles
 * the selected target allows, the duration defaulting to the governing policy's, the start (now or
 * scheduled in the person's time zone), justification and ticket.
 */
export function buildRequestModal(
  config: Config,
  policies: readonly Policy[],
  requester: ModalRequester,
  selection: ModalSelection = {},
  prefill: ModalPrefill = {},
): ModalView {
  const targets = targetChoices(config, policies)
    .filter((t) => targetValue(t).length <= OPTION_VALUE_MAX)
    .slice(0, OPTIONS_MAX);
  const chosen = selection.target;
  const target =
    chosen === null ? undefined : (targets.find((t) => chosen && targetValue(t) === targetValue(chosen)) ?? targets[0]);
  const roles = target ? roleChoices(policies, target) : [];
  const wanted = selection.role;
  const role = wanted === null ? undefined : wanted !== undefined && roles.includes(wanted) ? wanted : roles[0];
  const policy = target ? policyFor(policies, target, role) : undefined;
  const metadata: RequestModalMetadata = {
    v: 1,
    account: requester.account,
    zone: requester.zone,
    ...(requester.name !== undefined ? { name: requester.name } : {}),
    ...(requester.from ? { from: requester.from } : {}),
    ...(requester.bg ? { bg: true as const } : {}),
  };

  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `Ask for temporary ONTAP privileges as account \`${escapeMrkdwn(requester.account)}\`. ` +
          `Approvers decide in <#${config.slack.approvalChannel}>; the access ends by itself when the time is up.`,
      },
    },
    ...(prefill.note
      ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: prefill.note }] }]
      : []),
    targetBlock(targets, target),
  ];
  if (target?.svm === '*') {
    blocks.push({
      type: 'input',
      block_id: FORM_BLOCK.svmName,
      label: plain('SVM name'),
      element: {
        type: 'plain_text_input',
        action_id: FORM_BLOCK.svmName,
        max_length: 64,
        placeholder: plain('svm_data1'),
        ...(prefill.svmName ? { initial_value: prefill.svmName } : {}),
      },
    });
  }
  if (target) blocks.push(roleBlock(target, roles, role));
  blocks.push(
    durationBlock(policy, prefill.duration),
    ...startBlocks(requester.zone, policy),
    ...reasonBlocks(prefill),
  );
  if (requester.bg) blocks.push(...breakGlassBlocks(policy));

  return {
    type: 'modal',
    callback_id: CALLBACK.request,
    title: plain('Request ONTAP access'),
    submit: plain('Submit'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

function option(text: string, value: string): PlainTextOption {
  return { text: plain(truncate(text, OPTION_TEXT_MAX)), value };
}

function targetOption(target: TargetChoice): PlainTextOption {
  return option(
    target.svm === '*' ? `Another SVM on ${target.cluster} (type its name)` : target.svm,
    targetValue(target),
  );
}

function targetBlock(targets: readonly TargetChoice[], selected: TargetChoice | undefined): InputBlock {
  const clusters = [...new Set(targets.map((t) => t.cluster))];
  const choices =
    clusters.length > 1
      ? {
          option_groups: clusters.map((cluster) => ({
            label: plain(truncate(`Cluster ${cluster}`, OPTION_TEXT_MAX)),
            options: targets.filter((t) => t.cluster === cluster).map(targetOption),
          })),
        }
      : { options: targets.map(targetOption) };
  return {
    type: 'input',
    block_id: FORM_BLOCK.target,
    dispatch_action: true,
    label: plain(clusters.length > 1 ? 'Cluster and SVM' : `SVM on ${clusters[0] ?? 'the cluster'}`),
    element: {
      type: 'static_select',
      action_id: FORM_ACTION.target,
      placeholder: plain('Choose an SVM'),
      ...choices,
      ...(selected ? { initial_option: targetOption(selected) } : {}),
    },
  };
}

/** The roles the policies name, as a select: the configuration refuses `*`, so no call to the cluster. */
function roleBlock(target: TargetChoice, roles: readonly string[], role: string | undefined): InputBlock {
  const block_id = roleBlockId(target);
  const options = roles.slice(0, OPTIONS_MAX).map((r) => option(r, r));
  const initial = options.find((o) => o.value === role);
  return {
    type: 'input',
    block_id,
    dispatch_action: true,
    label: plain('Role'),
    element: {
      type: 'static_select',
      action_id: FORM_ACTION.role,
      placeholder: plain('Choose a role'),
      options,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function durationBlock(policy: Policy | undefined, prefilled: string | undefined): InputBlock {
  const initial = prefilled ?? (policy ? shortDuration(policy.defaultDuration) : undefined);
  return {
    type: 'input',
    block_id: durationBlockId(policy),
    label: plain('For how long'),
    hint: plain(
      policy
        ? `At most ${formatDuration(policy.maxDuration)} (policy ${policy.name}). Examples: 90m, 2h, 1h30m, PT2H.`
        : 'Examples: 90m, 2h, 1h30m, PT2H.',
    ),
    element: {
      type: 'plain_text_input',
      action_id: FORM_BLOCK.duration,
      max_length: 40,
      ...(initial !== undefined ? { initial_value: initial } : {}),
    },
  };
}

function startBlocks(zone: string, policy: Policy | undefined): InputBlock[] {
  const now = option('As soon as it is approved', 'now');
  const ahead = policy ? ` At most ${formatDuration(policy.maxScheduleAhead)} ahead.` : '';
  return [
    {
      type: 'input',
      block_id: FORM_BLOCK.startMode,
      label: plain('Start'),
      element: {
        type: 'radio_buttons',
        action_id: FORM_BLOCK.startMode,
        options: [now, option('At a time I choose', 'scheduled')],
        initial_option: now,
      },
    },
    {
      type: 'input',
      block_id: FORM_BLOCK.startDate,
      optional: true,
      label: plain('Start day'),
      hint: plain(`Only for a start at a time you choose, in your time zone (${zone}).${ahead}`),
      element: { type: 'datepicker', action_id: FORM_BLOCK.startDate },
    },
    {
      type: 'input',
      block_id: FORM_BLOCK.startTime,
      optional: true,
      label: plain('Start time'),
      element: { type: 'timepicker', action_id: FORM_BLOCK.startTime, timezone: zone },
    },
  ];
}

function reasonBlocks(prefill: ModalPrefill): InputBlock[] {
  return [
    {
      type: 'input',
      block_id: FORM_BLOCK.justification,
      label: plain('Justification'),
      element: {
        type: 'plain_text_input',
        action_id: FORM_BLOCK.justification,
        multiline: true,
        min_length: JUSTIFICATION_MIN,
        max_length: JUSTIFICATION_MAX,
        placeholder: plain('What will you do, and why now?'),
        ...(prefill.justification ? { initial_value: prefill.justification } : {}),
      },
    },
    {
      type: 'input',
      block_id: FORM_BLOCK.ticket,
      optional: true,
      label: plain('Ticket reference'),
      element: {
        type: 'plain_text_input',
        action_id: FORM_BLOCK.ticket,
        max_length: TICKET_MAX,
        placeholder: plain('CHG0012345'),
        ...(prefill.ticket ? { initial_value: prefill.ticket } : {}),
      },
    },
  ];
}
