/**
 * Decide: approve, deny, cancel and revoke from Slack. Each decision is written to the store first,
 * by a conditional write that re-checks who may decide on the fresh copy; only a decision that
 * changed the request is shown (the approval message updated in place) and then signalled to the
 * workflow with the task token kept in the store. A refused decision changes nothing and says why.
 *
 * Decisions compare persons, not Slack ids: the requester's identity keys (their Slack identity now,
 * plus the ONTAP account the request names) are checked against the approver's, and each approval
 * keeps the approver's keys, so one person fills one seat. An approval first checks the requester
 * again (still active, still a requester of the policy, still the same ONTAP account); if they no
 * longer are, the approval closes the request instead, with the reason, and nothing is granted.
 * Who may decide is in decide-checks.ts. A failure before anything was recorded is thrown.
 */
import type { Logger } from '@slack/bolt';
import { toUtcSecond } from '../domain/durations';
import { RequesterNotAuthorizedError } from '../domain/errors';
import {
  type Actor,
  authorizeApproval,
  authorizeCancel,
  authorizeDecision,
  authorizeRevoke,
  type Policy,
  reauthorizeRequester,
} from '../domain/policy';
import type { AccessRequest, MessageRef, RequestIn } from '../domain/request';
import type { LifecycleEvent } from '../domain/transitions';
import { nowOf } from '../runtime/clock';
import {
  describeError,
  describeRefusal,
  type ErrorAnswer,
  notSignalledAnswer,
  revokeFailedAnswer,
} from '../slack/answers';
import { approvalMessage } from '../slack/blocks/approval-message';
import { noticeReply } from '../slack/blocks/command-replies';
import { escapeMrkdwn, quoteMrkdwn } from '../slack/blocks/escape';
import { approver, type DecisionInput, idOnly, policyOf, type RequesterFacts, requesterFacts } from './decide-checks';
import type { IngressPorts } from './ports';

/** What a decision came to: the request as it now is (and maybe a notice), or the refusal to tell the person. */
export type DecisionResult =
  | { readonly ok: true; readonly request: AccessRequest; readonly notice?: ErrorAnswer }
  | { readonly ok: false; readonly answer: ErrorAnswer };

/** A click on a request, and which message it came from (updated in place too). */
export interface ClickInput extends DecisionInput {
  readonly clicked?: MessageRef;
}

type Authorize = (policy: Policy, current: AccessRequest, actor: Actor, requester: RequesterFacts) => void;

/** How one kind of decision is checked, recorded and signalled. */
interface DecisionKind {
  readonly event: (at: string, actor: Actor) => LifecycleEvent;
  readonly authorize: Authorize;
  /** Compare the decider with the requester as persons (approve, deny): looks the requester up in Slack. */
  readonly againstRequester?: boolean;
  /** Check the requester again first, and close the request if they no longer qualify (approvals). */
  readonly reauthorize?: boolean;
  /** Tells the workflow, once the decision is recorded and shown; returns a notice for the person, if any. */
  readonly signal: (request: AccessRequest) => Promise<ErrorAnswer | undefined>;
}

/** Approves (one of N); when that completes the approval, resumes the workflow. */
export function approveRequest(ports: IngressPorts, input: ClickInput, log: Logger): Promise<DecisionResult> {
  return decide(ports, input, log, {
    event: (at, actor) => ({
      type: 'APPROVE',
      by: input.userId,
      at,
      ...(actor.keys ? { person: [...actor.keys] } : {}),
    }),
    authorize: (policy, current, actor, requester) => authorizeApproval(policy, current, actor, requester.keys),
    againstRequester: true,
    reauthorize: true,
    signal: async (request) =>
      request.status === 'APPROVED' ? resumeApproval(ports, request.id, 'APPROVED', log) : undefined,
  });
}

/** Denies with a reason, and resumes the workflow. */
export function denyRequest(
  ports: IngressPorts,
  input: ClickInput & { readonly reason: string },
  log: Logger,
): Promise<DecisionResult> {
  return decide(ports, input, log, {
    event: (at) => ({ type: 'DENY', by: input.userId, at, reason: input.reason }),
    authorize: (policy, current, actor, requester) => authorizeDecision(policy, current, actor, requester.keys),
    againstRequester: true,
    signal: (request) => resumeApproval(ports, request.id, 'DENIED', log),
  });
}

/**
 * Cancels: the requester until granted, an approver (with a reason) once approved and before it
 * starts. Tells the requester at once when someone else cancelled (the workflow may be waiting for
 * a scheduled start, and sees the cancel only then), and resumes the approval wait if it is still on.
 */
export function cancelRequest(
  ports: IngressPorts,
  input: ClickInput & { readonly reason?: string },
  log: Logger,
): Promise<DecisionResult> {
  const { reason } = input;
  return decide(ports, input, log, {
    event: (at) => ({ type: 'CANCEL', by: input.userId, at, ...(reason !== undefined ? { reason } : {}) }),
    authorize: (policy, current, actor) => authorizeCancel(policy, current, actor),
    signal: async (request) => {
      const byOther = request.status === 'CANCELLED' && request.cancelledBy !== request.requester.slackUserId;
      if (byOther) await tellRequester(ports, request, log);
      return resumeApproval(ports, request.id, 'CANCELLED', log);
    },
  });
}

/** Asks for an early end of a live grant ("Revoke now"), and ends the workflow's wait. */
export function revokeNow(ports: IngressPorts, input: ClickInput, log: Logger): Promise<DecisionResult> {
  return decide(ports, input, log, {
    event: (at) => ({ type: 'REVOKE_REQUESTED', by: input.userId, at }),
    authorize: (policy, current, actor) => authorizeRevoke(policy, current, actor),
    signal: (request) =>
      // After a failed revoke the workflow has ended: nothing is waiting for this click.
      request.status === 'REVOKE_FAILED'
        ? Promise.resolve(revokeFailedAnswer(request.window.end))
        : endNow(ports, request.id, log),
  });
}

async function decide(
  ports: IngressPorts,
  input: ClickInput,
  log: Logger,
  kind: DecisionKind,
): Promise<DecisionResult> {
  const { requestId: id, userId, clicked } = input;
  const request = await ports.store.get(id);
  const policy = policyOf(ports, request);
  const [actor, requester] = await Promise.all([
    approver(ports, userId, policy),
    kind.againstRequester ? requesterFacts(ports, request, policy) : idOnly(request),
  ]);
  if (kind.reauthorize) {
    const closed = await closeIfRequesterGone(ports, { policy, request, actor, requester, kind, clicked }, log);
    if (closed) return closed;
  }
  const at = toUtcSecond(nowOf(ports.clock));
  const authorize = (current: AccessRequest): void => kind.authorize(policy, current, actor, requester);
  const result = await ports.store.apply(id, kind.event(at, actor), authorize);
  if (!result.ok) {
    log.info({ msg: 'decision refused', requestId: id, user: userId, code: result.error.code });
    return { ok: false, answer: describeRefusal(result.error, result.lastEvent) };
  }
  log.info({ msg: 'decision recorded', requestId: id, user: userId, type: result.event.type, to: result.to });
  // The message first, the workflow second: the workflow's own later updates must not be overwritten by this one.
  await showDecision(ports, result.request, clicked, log);
  const notice = await kind.signal(result.request);
  return { ok: true, request: result.request, ...(notice ? { notice } : {}) };
}

/**
 * An approval of a request whose requester no longer qualifies closes it instead (only when the
 * person clicking may decide it: nobody else can close someone's request this way).
 */
async function closeIfRequesterGone(
  ports: IngressPorts,
  facts: {
    readonly policy: Policy;
    readonly request: AccessRequest;
    readonly actor: Actor;
    readonly requester: RequesterFacts;
    readonly kind: DecisionKind;
    readonly clicked: MessageRef | undefined;
  },
  log: Logger,
): Promise<DecisionResult | undefined> {
  const { policy, request, actor, requester, kind } = facts;
  try {
    reauthorizeRequester(policy, request, requester.now);
    return undefined;
  } catch (error) {
    if (!(error instanceof RequesterNotAuthorizedError)) throw error;
    kind.authorize(policy, request, actor, requester);
    const at = toUtcSecond(nowOf(ports.clock));
    const result = await ports.store.apply(request.id, { type: 'REAUTHORIZATION_FAILED', at, reason: error.message });
    if (!result.ok) return { ok: false, answer: describeRefusal(result.error, result.lastEvent) };
    log.info({ msg: 'requester no longer authorized; request closed', requestId: request.id, user: actor.userId });
    await showDecision(ports, result.request, facts.clicked, log);
    // The workflow re-reads the stored status and tells the requester.
    await resumeApproval(ports, request.id, 'CANCELLED', log);
    const closed = new RequesterNotAuthorizedError(`${error.message} The request is closed; nothing was granted.`);
    return { ok: false, answer: describeError(closed) };
  }
}

/** Updates the approval message (and the clicked message, when that is another one) in place. */
async function showDecision(
  ports: IngressPorts,
  request: AccessRequest,
  clicked: MessageRef | undefined,
  log: Logger,
): Promise<void> {
  const targets = [request.slack.approval, clicked].filter((m): m is MessageRef => m !== undefined);
  const unique = targets.filter((m, i) => targets.findIndex((o) => o.channel === m.channel && o.ts === m.ts) === i);
  const message = approvalMessage(request);
  for (const ref of unique) {
    try {
      await ports.notifier.update(ref, message);
    } catch (error) {
      // The decision stands whether or not Slack took the new rendering.
      log.warn({ msg: 'approval message not updated', requestId: request.id, error: String(error) });
    }
  }
}

/** The requester's status DM brought up to date, and a new DM so Slack notifies them. Best effort. */
async function tellRequester(ports: IngressPorts, request: RequestIn<'CANCELLED'>, log: Logger): Promise<void> {
  const text =
    `:heavy_multiplication_x: <@${request.cancelledBy}> cancelled your approved request \`${request.id}\` ` +
    `(${escapeMrkdwn(request.role)} on ${escapeMrkdwn(request.svm.name)}). Nothing was granted.` +
    (request.reason !== undefined ? `\n${quoteMrkdwn(request.reason)}` : '');
  try {
    if (request.slack.requester) await ports.notifier.requester(request);
    await ports.notifier.notice(request.requester.slackUserId, noticeReply(text));
  } catch (error) {
    log.warn({ msg: 'requester not told of the cancel', requestId: request.id, error: String(error) });
  }
}

async function resumeApproval(
  ports: IngressPorts,
  id: string,
  decision: 'APPROVED' | 'DENIED' | 'CANCELLED',
  log: Logger,
): Promise<ErrorAnswer | undefined> {
  const { tokens } = await ports.store.getStored(id);
  const token = tokens.approval;
  if (!token) {
    // The workflow stores its token when it starts waiting; it finds the decision already recorded then.
    log.warn({ msg: 'no approval token yet', requestId: id, decision });
    return undefined;
  }
  return signal(id, decision, () => ports.workflow.resumeApproval(token, { decision }), log);
}

async function endNow(ports: IngressPorts, id: string, log: Logger): Promise<ErrorAnswer | undefined> {
  const { tokens } = await ports.store.getStored(id);
  const token = tokens.end;
  if (!token) {
    log.warn({ msg: 'no end token', requestId: id });
    return undefined;
  }
  return signal(id, 'REVOKE_NOW', () => ports.workflow.endNow(token), log);
}

/** Sends a signal; a lost one is not the person's to retry (the reconciler sends it again), so it only says so. */
async function signal(
  id: string,
  what: string,
  call: () => Promise<boolean>,
  log: Logger,
): Promise<ErrorAnswer | undefined> {
  try {
    const resumed = await call();
    if (!resumed) log.warn({ msg: 'stale task token', requestId: id, signal: what });
    return undefined;
  } catch (error) {
    log.error({ msg: 'workflow not signalled', requestId: id, signal: what, error: String(error) });
    return notSignalledAnswer();
  }
}
