/**
 * Deciding an extension, with the decision path of a request (decide.ts): persons, not Slack ids,
 * are compared; the requester never approves their own extension; N-of-M needs N distinct persons;
 * the extension's own approvers (else the policy's) decide; the requester is checked again before
 * an approval counts. An approval that completes it wakes the workflow, which applies it; a denial
 * changes nothing on the cluster and tells the requester.
 */
import type { Logger } from '@slack/bolt';
import { NotAllowedError } from '../domain/errors';
import { extensionApprovalPolicy } from '../domain/extension';
import { authorizeApproval, authorizeDecision, reauthorizeRequester } from '../domain/policy';
import type { AccessRequest, PendingExtension } from '../domain/request';
import { extensionAskSettled, extensionDenied } from '../slack/blocks/extension-messages';
import { type ClickInput, type DecisionResult, decide } from './decide';
import { type CheckPorts, type DecisionInput, type LookupNeeds, readAndLookUp } from './decide-checks';
import { wakeForExtension } from './extend';
import type { IngressPorts } from './ports';

/** An extension is decided by its own approvers (else the policy's), comparing the decider with the requester. */
const EXTENSION_LOOKUPS: LookupNeeds = { policy: extensionApprovalPolicy, againstRequester: true };

/**
 * Approves an extension (one of N); the approval that completes it wakes the workflow to apply it.
 * The request is read once, by the decision, with Slack asked beside the read when the click names whose it is.
 */
export async function approveExtension(ports: IngressPorts, input: ClickInput, log: Logger): Promise<DecisionResult> {
  const result = await decide(ports, input, log, {
    ...EXTENSION_LOOKUPS,
    event: (at, actor) => ({
      type: 'EXTEND_APPROVE',
      by: input.userId,
      at,
      ...(actor.keys ? { person: [...actor.keys] } : {}),
    }),
    authorize: (policy, current, actor, requester) => {
      reauthorizeRequester(policy, current, requester.now);
      const seats = current.status === 'ACTIVE' ? (current.extension?.approvals ?? []) : [];
      authorizeApproval(policy, { requester: current.requester, approvals: seats }, actor, requester.keys);
    },
    signal: async (request, tokens) => {
      const ready = request.status === 'ACTIVE' && request.extension?.approvedAt !== undefined;
      return { resumed: ready && (await wakeForExtension(ports, request.id, tokens.end, log)) };
    },
  });
  const asked = result.ok ? pendingOf(result.read) : undefined;
  if (result.ok && asked) {
    await showAsk(ports, result.request, asked, log);
    const card = result.request;
    if (card.slack.requester) await bestEffort(log, () => ports.notifier.requester(card));
  }
  return result;
}

/**
 * Whether this person could deny the request's waiting extension now; throws the refusal (checked
 * before they are asked why).
 */
export async function mayDenyExtension(ports: CheckPorts, input: DecisionInput): Promise<AccessRequest> {
  const { stored, policy, actor, requester } = await readAndLookUp(ports, input, EXTENSION_LOOKUPS);
  const { request } = stored;
  authorizeDecision(policy, request, actor, requester.keys);
  if (request.status !== 'ACTIVE' || request.extension?.approvedAt !== undefined || !request.extension) {
    throw new NotAllowedError('No extension of this grant is waiting for approval.');
  }
  return request;
}

/** Denies an extension, saying why: nothing changes on the cluster; the requester is told. */
export async function denyExtension(
  ports: IngressPorts,
  input: ClickInput & { readonly reason: string },
  log: Logger,
): Promise<DecisionResult> {
  const result = await decide(ports, input, log, {
    ...EXTENSION_LOOKUPS,
    event: (at) => ({ type: 'EXTEND_DENY', by: input.userId, at, reason: input.reason }),
    authorize: (policy, current, actor, requester) => authorizeDecision(policy, current, actor, requester.keys),
    signal: async () => ({ resumed: false }),
  });
  const asked = result.ok ? pendingOf(result.read) : undefined;
  if (result.ok && asked) {
    await showAsk(ports, result.request, asked, log, input.userId);
    const dm = extensionDenied(result.request, asked, input.userId, input.reason);
    await bestEffort(log, () => ports.notifier.notice(asked.by, dm));
    const card = result.request;
    if (card.slack.requester) await bestEffort(log, () => ports.notifier.requester(card));
  }
  return result;
}

/** The extension that was waiting when the decision read the request (a denial removes it from the request). */
function pendingOf(request: AccessRequest): PendingExtension | undefined {
  return request.status === 'ACTIVE' ? request.extension : undefined;
}

/** Brings the approvers' ask up to date: approvals so far, approved (being applied), or denied. */
async function showAsk(
  ports: IngressPorts,
  request: AccessRequest,
  asked: PendingExtension,
  log: Logger,
  deniedBy?: string,
): Promise<void> {
  const now = request.status === 'ACTIVE' ? request.extension : undefined;
  const ref = now?.message ?? asked.message;
  if (!ref) return;
  const approvals = (now?.approvals ?? []).map((a) => `<@${a.by}>`).join(', ');
  const outcome =
    deniedBy !== undefined
      ? `:no_entry: Denied by <@${deniedBy}>; nothing changed.`
      : now?.approvedAt !== undefined
        ? `:white_check_mark: Approved by ${approvals}; the entry is being replaced, and the requester is told ` +
          'when it is done.'
        : `:ballot_box_with_check: ${now?.approvals.length ?? 0} of ${asked.approvalsRequired} approvals ` +
          `(${approvals}).`;
  const message =
    deniedBy === undefined && now?.approvedAt === undefined ? undefined : extensionAskSettled(request, asked, outcome);
  if (message) await bestEffort(log, () => ports.notifier.update(ref, message));
}

async function bestEffort(log: Logger, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    log.warn({ msg: 'extension decision not shown', error: String(error) });
  }
}
