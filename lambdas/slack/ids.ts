/** Every Slack identifier the app sends or listens for, so builders and listeners cannot drift apart. */
import type { FormField } from '../domain/request-form';

/** The one slash command. */
export const COMMAND = '/jit';

/** The decisions a person makes with a button on a request's messages. */
export const DECISION_BUTTONS = ['approve', 'deny', 'cancel', 'revoke'] as const;

/**
 * Buttons on the approval message, the DM and Home (the value names the request, then its requester and policy:
 * blocks/approval-message.ts `decisionValue`): action id `jit_<decision>`.
 */
export const ACTION = Object.fromEntries(DECISION_BUTTONS.map((d) => [d, `jit_${d}`])) as {
  readonly [D in (typeof DECISION_BUTTONS)[number]]: `jit_${D}`;
};

/**
 * Buttons that open the request modal: a new request (App Home), and the same request again, prefilled
 * (an ended request's DM, App Home, `/jit list`; the value is the request id).
 */
export const FORM_OPENER = {
  newRequest: 'jit_new_request',
  requestAgain: 'jit_request_again',
} as const;

/** The approvers' Home button that exports the last 30 days of the audit trail (as `/jit audit since 30d`). */
export const AUDIT_EXPORT_ACTION = 'jit_audit_export';

/** Elements of the request modal whose changes redraw it (`dispatch_action`). */
export const FORM_ACTION = {
  target: 'target',
  role: 'role',
} as const;

/** Modals' `callback_id`s. */
export const CALLBACK = {
  request: 'jit_request',
  denyReason: 'jit_deny_reason',
  cancelReason: 'jit_cancel_reason',
  extend: 'jit_extend',
  extendDenyReason: 'jit_extend_deny_reason',
  breakGlassFlag: 'jit_break_glass_flag',
} as const;

/** The review buttons under a break-glass announcement (the value is the request id). */
export const REVIEW_ACTION = {
  acknowledge: 'jit_break_glass_acknowledge',
  flag: 'jit_break_glass_flag',
} as const;

/** Block ids of a break-glass announcement's review buttons and of the Flag modal's note. */
export const REVIEW_BLOCK = { actions: 'jit_break_glass_review', note: 'break_glass_note' } as const;

/** The Extend button (requester's DMs) and the extension's Approve and Deny (under the approval message). */
export const EXTEND_ACTION = {
  open: 'jit_extend',
  approve: 'jit_extend_approve',
  deny: 'jit_extend_deny',
} as const;

/** Block and action ids of the Extend modal, and of the extension ask's buttons. */
export const EXTEND_BLOCK = { by: 'extend_by', reason: 'extend_reason', decision: 'jit_extend_decision' } as const;

/**
 * Block ids of the request modal. `role` and `duration` blocks carry a suffix (`role@cluster/svm`,
 * `duration@policy`) so that Slack drops the old value when the choice above them changes.
 */
export const FORM_BLOCK = {
  target: 'target',
  svmName: 'svm_name',
  role: 'role',
  duration: 'duration',
  startMode: 'start_mode',
  startDate: 'start_date',
  startTime: 'start_time',
  justification: 'justification',
  ticket: 'ticket',
  approvalMode: 'approval_mode',
  breakGlassReason: 'break_glass_reason',
} as const satisfies Record<FormField, string>;

/** Block and action ids of the reason modals (deny, and an approver's cancel). */
export const DENY_BLOCK = { reason: 'reason' } as const;

/** The actions block of the approval message. */
export const DECISION_BLOCK = 'jit_decision';
