/**
 * The request form's rules, shared by the modal and the text shortcut: what a person may pick
 * (clusters, SVMs and roles their policies allow) and the check of what they filled in, reporting
 * every problem against the field it is about. Pure: no Slack, no store.
 */
import type { DateTime } from 'luxon';
import type { Config } from '../config/schema';
import { authorizeBreakGlass, BREAK_GLASS_REASON_MIN, BREAK_GLASS_TEXT_MAX } from './break-glass';
import { checkDurationLimits, parseDuration, parseScheduledStart, toUtcSecond } from './durations';
import { DomainError, LimitExceededError, PolicyViolationError } from './errors';
import {
  type Actor,
  noPolicyMessage,
  type Policy,
  policiesCovering,
  policiesForRequester,
  selectPolicy,
} from './policy';

/** Longest justification accepted; short enough to show whole (escaped) in one Slack section. */
export const JUSTIFICATION_MAX = 500;
/** Shortest justification accepted: a reason, not "x". */
export const JUSTIFICATION_MIN = 10;
/** Longest ticket reference accepted. */
export const TICKET_MAX = 100;

const SVM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const ROLE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const TICKET = /^[A-Za-z0-9][A-Za-z0-9._:/#?=&+-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: it finds control characters, to refuse text with them.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** The request form's fields, in the order the form shows them; the checks report problems against them. */
export const FORM_FIELDS = [
  'target',
  'svmName',
  'role',
  'duration',
  'startMode',
  'startDate',
  'startTime',
  'justification',
  'ticket',
  'approvalMode',
  'breakGlassReason',
] as const;

/** A field of the request form. */
export type FormField = (typeof FORM_FIELDS)[number];

/** Whether typed text carries control characters (tab and newline allowed): refused in justifications and reasons. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/** An SVM that may be asked for on a cluster; `svm: '*'` means "any, typed by the requester". */
export interface TargetChoice {
  readonly cluster: string;
  readonly svm: string;
}

/** The policies under which this person may ask for anything. */
export function requesterPolicies(config: Config, actor: Actor): Policy[] {
  return policiesForRequester(config.policies, actor);
}

/** The cluster/SVM pairs the policies let this person ask for, in configuration order. */
export function targetChoices(config: Config, policies: readonly Policy[]): TargetChoice[] {
  const seen = new Set<string>();
  const out: TargetChoice[] = [];
  for (const policy of policies) {
    const clusters = policy.clusters.includes('*') ? config.clusters.map((c) => c.name) : policy.clusters;
    for (const cluster of clusters) {
      for (const svm of policy.svms) {
        const key = `${cluster}/${svm}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ cluster, svm });
      }
    }
  }
  // A named SVM first, "any SVM" last, per cluster, keeping configuration order otherwise.
  return out.sort((a, b) => (a.cluster === b.cluster ? Number(a.svm === '*') - Number(b.svm === '*') : 0));
}

/** The roles that may be asked for on a target: policies always name their roles. */
export function roleChoices(policies: readonly Policy[], target: TargetChoice): string[] {
  return [...new Set(policiesCovering(policies, target).flatMap((p) => p.roles))];
}

/** The policy that would govern a target and role, if any: what sets the default and maximum duration. */
export function policyFor(
  policies: readonly Policy[],
  target: TargetChoice,
  role: string | undefined,
): Policy | undefined {
  const candidates = policiesCovering(policies, target);
  return candidates.find((p) => role !== undefined && p.roles.includes(role)) ?? candidates[0];
}

/** What someone filled in (modal) or typed (shortcut), before any check. */
export interface Draft {
  /** Absent: the only cluster this person may ask on. */
  readonly cluster?: string;
  readonly svm?: string;
  /** The SVM was typed (an "any SVM" policy), so its problems belong to the typed field. */
  readonly svmTyped?: boolean;
  readonly role?: string;
  readonly duration?: string;
  readonly start:
    | { readonly mode: 'now' }
    | { readonly mode: 'scheduled'; readonly date?: string; readonly time?: string; readonly zone: string };
  readonly justification?: string;
  readonly ticket?: string;
  /** Set when break-glass was chosen (granted at once, without approval), with the emergency's reason. */
  readonly breakGlass?: { readonly reason?: string };
}

/** Problems by form field, worded for the person who filled it in. */
export type FieldErrors = Partial<Record<FormField, string>>;

/** A draft that passed every check. */
export interface CheckedRequest {
  readonly cluster: string;
  readonly svm: string;
  readonly role: string;
  readonly policy: Policy;
  readonly durationSeconds: number;
  /** UTC ISO start; absent means "as soon as approved". */
  readonly requestedStart?: string;
  readonly justification: string;
  readonly ticket?: string;
  /** A break-glass request: its requester may grant it at once (domain/break-glass.ts). */
  readonly breakGlass?: { readonly reason: string };
}

/** Checks a draft against the configuration and the person's policies; every problem is reported at once. */
export function checkDraft(
  draft: Draft,
  context: { readonly config: Config; readonly actor: Actor; readonly now: DateTime },
): { ok: true; value: CheckedRequest } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const mine = requesterPolicies(context.config, context.actor);
  const svmField: FormField = draft.svmTyped ? 'svmName' : 'target';

  let cluster = draft.cluster?.trim();
  if (!cluster) {
    const clusters = [...new Set(targetChoices(context.config, mine).map((t) => t.cluster))];
    if (clusters.length === 1) cluster = clusters[0];
    else if (clusters.length === 0) errors.target = noPolicyMessage(context.actor);
    else errors.target = `Say which cluster, as cluster/svm (you may ask on ${clusters.join(', ')}).`;
  } else if (!context.config.clusters.some((c) => c.name === cluster)) {
    errors.target = `There is no cluster "${cluster}".`;
  }
  const svm = draft.svm?.trim() ?? '';
  if (!svm) errors[svmField] ??= 'Say which SVM.';
  else if (!SVM_NAME.test(svm)) errors[svmField] ??= 'An SVM name is letters, digits, ".", "_" and "-" only.';
  const role = draft.role?.trim() ?? '';
  if (!role) errors.role = 'Choose a role.';
  else if (!ROLE_NAME.test(role)) errors.role = 'A role name is letters, digits, ".", "_" and "-" only.';

  let policy: Policy | undefined;
  if (cluster && errors.target === undefined && errors[svmField] === undefined && errors.role === undefined) {
    try {
      policy = selectPolicy(context.config.policies, context.actor, { cluster, svm, role });
    } catch (error) {
      const { text, field } = refusal(error);
      errors[field === 'role' ? 'role' : field === 'svm' ? svmField : 'target'] = text;
    }
  }

  let durationSeconds: number | undefined;
  try {
    durationSeconds = parseDuration(draft.duration ?? '');
    if (policy) checkDurationLimits(durationSeconds, { policyMax: policy.maxDuration });
  } catch (error) {
    errors.duration = refusal(error).text;
  }

  let requestedStart: string | undefined;
  if (draft.start.mode === 'scheduled') {
    const { date, time, zone } = draft.start;
    if (!date) errors.startDate = 'Choose the day the access should start.';
    if (!time) errors.startTime = 'Choose the time the access should start.';
    if (date && time && policy) {
      try {
        requestedStart = toUtcSecond(
          parseScheduledStart({ date, time, zone }, context.now, { maxAheadSeconds: policy.maxScheduleAhead }),
        );
      } catch (error) {
        errors.startTime = refusal(error).text;
      }
    }
  }

  const justification = (draft.justification ?? '').trim();
  if (justification.length < JUSTIFICATION_MIN) {
    errors.justification = `Say why you need this access (at least ${JUSTIFICATION_MIN} characters).`;
  } else if (justification.length > JUSTIFICATION_MAX) {
    errors.justification = `Keep the justification to ${JUSTIFICATION_MAX} characters (it has ${justification.length}).`;
  } else if (hasControlCharacters(justification)) {
    errors.justification = 'The justification contains control characters.';
  }

  const ticket = draft.ticket?.trim() || undefined;
  if (ticket !== undefined && (ticket.length > TICKET_MAX || !TICKET.test(ticket))) {
    errors.ticket = `A ticket reference is up to ${TICKET_MAX} letters, digits and . _ : / # ? = & + - (e.g. CHG0012345).`;
  }

  const breakGlass = draft.breakGlass
    ? checkBreakGlass(draft.breakGlass.reason, { policy, actor: context.actor, durationSeconds, draft }, errors)
    : undefined;

  if (Object.keys(errors).length > 0 || !policy || !cluster || durationSeconds === undefined) {
    return {
      ok: false,
      errors: Object.keys(errors).length > 0 ? errors : { target: 'No policy covers this request.' },
    };
  }
  return {
    ok: true,
    value: {
      cluster,
      svm,
      role,
      policy,
      durationSeconds,
      justification,
      ...(requestedStart !== undefined ? { requestedStart } : {}),
      ...(ticket !== undefined ? { ticket } : {}),
      ...(breakGlass !== undefined ? { breakGlass } : {}),
    },
  };
}

/** Checks a break-glass choice: the reason, and the policy's break-glass rules (who, how long, now). */
function checkBreakGlass(
  typed: string | undefined,
  facts: { readonly policy?: Policy; readonly actor: Actor; readonly durationSeconds?: number; readonly draft: Draft },
  errors: FieldErrors,
): { readonly reason: string } | undefined {
  const reason = (typed ?? '').trim();
  if (reason.length < BREAK_GLASS_REASON_MIN) {
    errors.breakGlassReason = `Say what the emergency is (at least ${BREAK_GLASS_REASON_MIN} characters).`;
  } else if (reason.length > BREAK_GLASS_TEXT_MAX) {
    errors.breakGlassReason = `Keep the emergency's reason to ${BREAK_GLASS_TEXT_MAX} characters.`;
  } else if (hasControlCharacters(reason)) {
    errors.breakGlassReason = 'The reason contains control characters.';
  }
  const { policy, durationSeconds, draft } = facts;
  if (draft.start.mode === 'scheduled')
    errors.startMode ??= 'Break-glass starts now: choose "As soon as it is approved".';
  if (policy && durationSeconds !== undefined && errors.duration === undefined) {
    try {
      authorizeBreakGlass(policy, facts.actor, { durationSeconds });
    } catch (error) {
      const { text } = refusal(error);
      if (error instanceof LimitExceededError) errors.duration = text;
      else errors.approvalMode = text;
    }
  }
  return errors.breakGlassReason === undefined ? { reason } : undefined;
}

/** A domain refusal's words and the field they are about; anything else is not the form's to explain. */
function refusal(error: unknown): { readonly text: string; readonly field?: string } {
  if (error instanceof PolicyViolationError)
    return { text: error.message, ...(error.field ? { field: error.field } : {}) };
  if (error instanceof DomainError) return { text: error.message };
  throw error;
}
