/**
 * Extending a live grant: what a requester may ask for (how much longer, how many times, never past
 * the policy's maximum over the whole window), who approves it, and how each extension event changes
 * the request. ONTAP cannot change a JIT entry, so an extension is applied by replacing the entry
 * (lifecycle/apply-extension.ts); the rules here are pure.
 */
import { z } from 'zod';
import { formatDuration, parseInstant, toUtcSecond } from './durations';
import { IllegalTransitionError, LimitExceededError, NotAllowedError } from './errors';
import type { Policy } from './policy';
import { type AccessRequest, type PendingExtension, type RequestBase, type RequestIn, WindowSchema } from './request';

const at = z.string().min(1);
const by = z.string().min(1);

/** The longest reason a requester may give for an extension. */
export const EXTENSION_REASON_MAX = 1000;

/** The events of an extension, part of the lifecycle's events (transitions.ts). */
export const EXTENSION_EVENTS = [
  z.object({
    type: z.literal('EXTEND_REQUESTED'),
    by,
    at,
    seconds: z.number().int().positive(),
    reason: z.string().min(1).max(EXTENSION_REASON_MAX),
    approvalsRequired: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('EXTEND_APPROVE'),
    by,
    at,
    person: z.array(z.string().min(1).max(300)).max(8).optional(),
  }),
  z.object({ type: z.literal('EXTEND_DENY'), by, at, reason: z.string().min(1).max(3000) }),
  /** Not applied, and nothing changed: not approved before the end, the end came first, the cluster's maximum. */
  z.object({ type: z.literal('EXTEND_DROPPED'), at, reason: z.string().min(1).max(500) }),
  /** Applied: the entry was replaced by one ending at the new end. `replaced` is the old entry's jit_state. */
  z.object({
    type: z.literal('EXTENDED'),
    at,
    replaced: z.string().min(1).max(20),
    /** The replaced entry's window and the new entry's, for the audit trail. */
    old: WindowSchema,
    new: WindowSchema,
  }),
] as const;

/** One extension event. */
export type ExtensionEvent = z.infer<(typeof EXTENSION_EVENTS)[number]>;

/** The extension event types, each legal on a live grant only. */
export const EXTENSION_EVENT_TYPES = [
  'EXTEND_REQUESTED',
  'EXTEND_APPROVE',
  'EXTEND_DENY',
  'EXTEND_DROPPED',
  'EXTENDED',
] as const;

/** The policy an extension's approval is decided under: its own approvers, else the policy's. */
export function extensionApprovalPolicy(policy: Policy): Policy {
  return { ...policy, approvers: policy.extension?.approvers ?? policy.approvers };
}

/** Distinct approvers an extension under `policy` needs: 0 when it needs none. */
export function extensionSeats(policy: Policy): number {
  const ext = policy.extension;
  if (!ext || ext.approval === 'none') return 0;
  return ext.approvalsRequired ?? policy.approvalsRequired;
}

/** Seconds the grant is long now, and the most it may still grow by under the policy. */
function room(policy: Policy, request: RequestIn<'ACTIVE'>): number {
  const ext = policy.extension;
  if (!ext) return 0;
  const length = (Date.parse(request.window.end) - Date.parse(request.window.start)) / 1000;
  return Math.max(0, Math.min(ext.by, policy.maxDuration - length));
}

/** Extensions still allowed on this grant. */
export function extensionsLeft(policy: Policy, request: Pick<RequestBase, 'extensions'>): number {
  return Math.max(0, (policy.extension?.times ?? 0) - (request.extensions?.length ?? 0));
}

const STEPS = [15 * 60, 30 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600];

/**
 * How much longer the requester may choose, shortest first: the usual steps up to what the policy's
 * `by` and its maximum over the whole window leave, and that limit itself. Empty: no Extend.
 */
export function extensionChoices(policy: Policy, request: RequestIn<'ACTIVE'>): number[] {
  if (extensionsLeft(policy, request) === 0) return [];
  const limit = Math.floor(room(policy, request));
  if (limit < 60) return [];
  return [...new Set([...STEPS.filter((s) => s < limit), limit])].slice(-8);
}

/** Whether the requester is offered Extend on this grant now (the button on their DMs). */
export function offersExtension(policy: Policy | undefined, request: AccessRequest): boolean {
  if (!policy?.extension || request.status !== 'ACTIVE') return false;
  if (request.revokeRequestedBy !== undefined || request.extension !== undefined) return false;
  return extensionChoices(policy, request).length > 0;
}

/**
 * Refuses an extension ask that the policy does not allow now: only the requester, of a live grant
 * not being revoked, one at a time, at most `times`, at most `by`, never past the policy's maximum.
 */
export function authorizeExtension(
  policy: Policy,
  request: AccessRequest,
  ask: { readonly by: string; readonly seconds: number },
): void {
  // Not live: the lifecycle refuses it, saying what happened.
  if (request.status !== 'ACTIVE') return;
  const live = request;
  if (ask.by !== live.requester.slackUserId) throw new NotAllowedError('Only the requester can extend their access.');
  const ext = policy.extension;
  if (!ext) throw new NotAllowedError(`Policy "${policy.name}" does not allow extending access.`);
  if (extensionsLeft(policy, live) === 0) {
    throw new LimitExceededError(`This access was already extended ${ext.times} times, the most the policy allows.`);
  }
  const limit = Math.floor(room(policy, live));
  if (ask.seconds > limit) {
    throw new LimitExceededError(
      limit < 60
        ? `This access is already as long as policy "${policy.name}" allows (${formatDuration(policy.maxDuration)}).`
        : `At most ${formatDuration(limit)} more is allowed (per extension and over the whole window).`,
    );
  }
}

/** The end an extension of `seconds` moves the grant to, from its end now. */
export function extendedEnd(end: string, seconds: number): string {
  return toUtcSecond(parseInstant(end).plus({ seconds }));
}

/** Applies an extension event to a live grant (the lifecycle checked it applies to ACTIVE). */
export function extendTransition(
  request: RequestIn<'ACTIVE'>,
  event: ExtensionEvent,
  common: { readonly version: number; readonly updatedAt: string },
): RequestIn<'ACTIVE'> {
  const refuse = (why: string): never => {
    throw new IllegalTransitionError(request.status, event.type, why);
  };
  const pending = request.extension;
  const { extension: _dropped, ...rest } = request;
  const without = { ...rest, ...common };
  switch (event.type) {
    case 'EXTEND_REQUESTED': {
      if (request.revokeRequestedBy !== undefined) refuse('This grant is being revoked; it cannot be extended.');
      if (pending !== undefined) refuse('An extension of this grant is already waiting; one at a time.');
      if (event.at >= request.window.end) refuse('This grant has already ended.');
      const ask: PendingExtension = {
        by: event.by,
        at: event.at,
        seconds: event.seconds,
        reason: event.reason,
        from: request.window.end,
        end: extendedEnd(request.window.end, event.seconds),
        approvalsRequired: event.approvalsRequired,
        approvals: [],
        ...(event.approvalsRequired === 0 ? { approvedAt: event.at } : {}),
      };
      return { ...request, ...common, extension: ask };
    }
    case 'EXTEND_APPROVE': {
      const open = pendingOrRefuse(request, pending, refuse);
      if (event.at >= request.window.end) refuse('This grant has already ended; the extension came too late.');
      if (open.approvals.some((a) => a.by === event.by)) refuse('You have already approved this extension.');
      const approval = { by: event.by, at: event.at, ...(event.person ? { person: event.person } : {}) };
      const approvals = [...open.approvals, approval];
      const done = approvals.length >= open.approvalsRequired ? { approvedAt: event.at } : {};
      return { ...request, ...common, extension: { ...open, approvals, ...done } };
    }
    case 'EXTEND_DENY':
      pendingOrRefuse(request, pending, refuse);
      return without;
    case 'EXTEND_DROPPED':
      if (pending === undefined) refuse('No extension of this grant is waiting.');
      return without;
    case 'EXTENDED': {
      if (pending?.approvedAt === undefined) refuse('No approved extension of this grant is waiting.');
      const applied = pending as PendingExtension;
      const { endsSoonAt: _told, ...kept } = without;
      const record = {
        by: applied.by,
        at: event.at,
        seconds: applied.seconds,
        from: applied.from,
        to: applied.end,
        approvedBy: applied.approvals.map((a) => a.by),
        replaced: event.replaced,
      };
      return {
        ...kept,
        window: { start: request.window.start, end: applied.end },
        extensions: [...(request.extensions ?? []), record],
        // The new end is told "ends soon" again.
        told: (request.told ?? []).filter((t) => t !== 'ends-soon'),
      };
    }
  }
}

function pendingOrRefuse(
  request: RequestIn<'ACTIVE'>,
  pending: PendingExtension | undefined,
  refuse: (why: string) => never,
): PendingExtension {
  if (pending === undefined) return refuse('No extension of this grant is waiting for approval.');
  if (pending.approvedAt !== undefined) return refuse('This extension has already been approved.');
  if (request.revokeRequestedBy !== undefined) return refuse('This grant is being revoked; it cannot be extended.');
  return pending;
}
