/**
 * The `/jit` request modal: what it shows (only what the person's policies allow), and the inverse,
 * reading a submitted or changed view's state back into a draft. Pure functions.
 */
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../../config/schema';
import { formatDuration } from '../../domain/durations';
import type { Policy } from '../../domain/policy';
import {
  type Draft,
  FORM_FIELDS,
  type FormField,
  JUSTIFICATION_MAX,
  JUSTIFICATION_MIN,
  policyFor,
  roleChoices,
  type TargetChoice,
  TICKET_MAX,
  targetChoices,
} from '../../domain/request-form';
import { CALLBACK, FORM_ACTION, FORM_BLOCK } from '../ids';
import type { ViewState } from '../payloads';
import { escapeMrkdwn, truncate } from './escape';

/** What the modal carries from opening to submitting (no secrets: who, and in which time zone). */
export const RequestModalMetadataSchema = z.object({
  v: z.literal(1),
  account: z.string().min(1).max(64),
  zone: z.string().min(1).max(64),
  name: z.string().max(200).optional(),
});
/** What the modal carries from opening to submitting. */
export type RequestModalMetadata = z.infer<typeof RequestModalMetadataSchema>;

/** Slack's limits on select options. */
const OPTION_TEXT_MAX = 75;
const OPTION_VALUE_MAX = 150;
const OPTIONS_MAX = 100;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: false });

/** The value a target option carries: `cluster/svm` (`cluster/*` for "any SVM, typed"). */
export function targetValue(target: TargetChoice): string {
  return `${target.cluster}/${target.svm}`;
}

/** Reads a target option's value back; undefined for anything that is not `cluster/svm`. */
export function parseTargetValue(value: string): TargetChoice | undefined {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return undefined;
  return { cluster: value.slice(0, slash), svm: value.slice(slash + 1) };
}

/** Whole seconds the way people type them back: `1h`, `30m`, `1h30m`, `2d`. */
export function shortDuration(seconds: number): string {
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, unit]) => `${n}${unit}`)
      .join('') || '0s'
  );
}

/** Block id of the role select for a target: a new id per target, so Slack forgets a role chosen for another SVM. */
export function roleBlockId(target: TargetChoice): string {
  return `${FORM_BLOCK.role}@${targetValue(target)}`.slice(0, 255);
}

/** Block id of the duration field for a policy: a new id per policy, so its default shows when the policy changes. */
export function durationBlockId(policy: Policy | undefined): string {
  return policy ? `${FORM_BLOCK.duration}@${policy.name}` : FORM_BLOCK.duration;
}

/** Who the modal is for. */
export interface ModalRequester {
  readonly account: string;
  readonly zone: string;
  readonly name?: string;
}

/** The modal's current choices; absent means "the first allowed". */
export interface ModalSelection {
  readonly target?: TargetChoice;
  readonly role?: string;
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
): ModalView {
  const targets = targetChoices(config, policies)
    .filter((t) => targetValue(t).length <= OPTION_VALUE_MAX)
    .slice(0, OPTIONS_MAX);
  const target =
    targets.find((t) => selection.target && targetValue(t) === targetValue(selection.target)) ?? targets[0];
  const roles = target ? roleChoices(policies, target) : [];
  const role = selection.role !== undefined && roles.includes(selection.role) ? selection.role : roles[0];
  const policy = target ? policyFor(policies, target, role) : undefined;
  const metadata: RequestModalMetadata = {
    v: 1,
    account: requester.account,
    zone: requester.zone,
    ...(requester.name !== undefined ? { name: requester.name } : {}),
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
      },
    });
  }
  if (target) blocks.push(roleBlock(target, roles, role));
  blocks.push(durationBlock(policy), ...startBlocks(requester.zone, policy), ...reasonBlocks());

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

function durationBlock(policy: Policy | undefined): InputBlock {
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
      ...(policy ? { initial_value: shortDuration(policy.defaultDuration) } : {}),
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

function reasonBlocks(): InputBlock[] {
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
      },
    },
  ];
}

/** A view's state read back: the draft, the chosen target and role, and which block each field lives in. */
export interface RequestForm {
  readonly draft: Draft;
  readonly target?: TargetChoice;
  readonly role?: string;
  /** The block id each field has in this view (fields the view lacks are absent). */
  readonly blockIds: Partial<Record<FormField, string>>;
}

/** Reads the request modal's state (from a submission or a change) into a draft. */
export function readRequestForm(values: ViewState, zone: string): RequestForm {
  const blockIds: Partial<Record<FormField, string>> = {};
  const found: Partial<Record<FormField, string>> = {};
  let timeZone: string | undefined;
  for (const [blockId, actions] of Object.entries(values)) {
    const kind = blockId.split('@')[0] ?? '';
    const field = FORM_FIELDS.find((f) => FORM_BLOCK[f] === kind);
    if (!field) continue;
    blockIds[field] = blockId;
    for (const state of Object.values(actions)) {
      let value: string | null | undefined;
      switch (state.type) {
        case 'static_select':
        case 'radio_buttons':
          value = state.selected_option?.value;
          break;
        case 'plain_text_input':
          value = state.value;
          break;
        case 'datepicker':
          value = state.selected_date;
          break;
        case 'timepicker':
          value = state.selected_time;
          timeZone = state.timezone ?? undefined;
          break;
      }
      if (value !== null && value !== undefined && value !== '') found[field] = value;
    }
  }
  const target = found.target !== undefined ? parseTargetValue(found.target) : undefined;
  const typed = target?.svm === '*';
  const svm = typed ? found.svmName : target?.svm;
  const draft: Draft = {
    ...(target ? { cluster: target.cluster } : {}),
    ...(svm !== undefined ? { svm } : {}),
    svmTyped: typed,
    ...(found.role !== undefined ? { role: found.role } : {}),
    ...(found.duration !== undefined ? { duration: found.duration } : {}),
    start:
      found.startMode === 'scheduled'
        ? {
            mode: 'scheduled',
            zone: timeZone ?? zone,
            ...(found.startDate !== undefined ? { date: found.startDate } : {}),
            ...(found.startTime !== undefined ? { time: found.startTime } : {}),
          }
        : { mode: 'now' },
    ...(found.justification !== undefined ? { justification: found.justification } : {}),
    ...(found.ticket !== undefined ? { ticket: found.ticket } : {}),
  };
  return {
    draft,
    ...(target ? { target } : {}),
    ...(found.role !== undefined ? { role: found.role } : {}),
    blockIds,
  };
}
