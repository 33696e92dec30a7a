/**
 * Decide: approve, deny, cancel and revoke from Slack. Each decision is written to the store first,
 * by a conditional write that re-checks who may decide on the fresh copy; only a decision that
 * changed the request is signalled to the workflow, with the task token kept in the store (read with
 * the request, so a click reads the request item once before its write). The approval wait is completed
 * with what the request as written gives (domain/approval-route.ts): an approval to grant now sends the
 * workflow straight to the grant, which reads the request again. A workflow that was resumed
 * shows the outcome itself (the approval message and the requester's DM), once it is true: the click
 * does not draw them too, so its rendering can never land after, and over, the workflow's. When no
 * workflow was resumed (an approval still short of N, a lost signal), the click draws them. A refused
 * decision changes nothing and says why.
 *
 * Decisions compare persons, not Slack ids: the requester's identity keys (their Slack identity now,
 * plus the ONTAP account the request names) are checked against the approver's, and each approval
 * keeps the approver's keys, so one person fills one seat. An approval first checks the requester
 * again (still active, still a requester of the policy, still the same ONTAP account); if they no
 * longer are, the approval closes the request instead, with the reason, and nothing is granted.
 * Who may decide is in decide-checks.ts. A failure before anything was recorded is thrown.
 */
import type { Logger } from '@slack/bolt';
import { approvalCompletion } from '../domain/approval-route';
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
import type { StoredRequest } from '../store/items';
import { type DecisionInput, type LookupNeeds, type RequesterFacts, readAndLookUp } from './decide-checks';
import type { IngressPorts } from './ports';

/**
 * What a decision came to: the request as it now is, as it was read just before the write (what the
 * decision was made on), and maybe a notice; or the refusal to tell the person.
 */
export type DecisionResult =
  | {
      readonly ok: true;
      readonly request: AccessRequest;
      readonly read: AccessRequest;
      readonly notice?: ErrorAnswer;
    }
  | { readonly ok: false; readonly answer: ErrorAnswer };

/** A click on a request, and which message it came from (updated in place too). */
export interface ClickInput extends DecisionInput {
  readonly clicked?: MessageRef;
}

type Authorize = (policy: Policy, current: AccessRequest, actor: Actor, requester: RequesterFacts) => void;

/**
 * How one kind of decision is checked, recorded and signalled. Its lookups (LookupNeeds): an extension
 * decides under its own approvers' policy; approve and deny compare the decider with the requester as
 * persons; cancel and revoke let the requester take back their own request by their Slack id alone.
 */
export interface DecisionKind extends LookupNeeds {
  readonly event: (at: string, actor: Actor) => LifecycleEvent;
  readonly authorize: Authorize;
  /** Check the requester again first, and close the request if they no longer qualify (approvals). */
  readonly reauthorize?: boolean;
  /** Tells the workflow, once the decision is recorded, with the token read with the request (if any). */
  readonly signal: (request: AccessRequest, tokens: Tokens) => Promise<Signalled>;
}

/** The task tokens kept with a request, as read before the decision. */
type Tokens = StoredRequest['tokens'];

/** Whether a signal resumed the workflow (which then shows the outcome), and a notice for the person, if any. */
interface Signalled {
  readonly resumed: boolean;
  readonly notice?: ErrorAnswer;
  /** The request as read after a signal no wait took: what the click draws instead of its own older copy. */
  readonly current?: AccessRequest;
}

const NOT_SIGNALLED: Signalled = { resumed: false };

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
    signal: async (request, tokens) =>
      request.status === 'APPROVED' ? resumeApproval(ports, request, tokens, log) : NOT_SIGNALLED,
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
    signal: (request, tokens) => resumeApproval(ports, request, tokens, log),
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
    ownByIdOnly: true,
    signal: async (request, tokens) => {
      const byOther = request.status === 'CANCELLED' && request.cancelledBy !== request.requester.slackUserId;
      const [signalled] = await Promise.all([
        resumeApproval(ports, request, tokens, log),
        byOther ? tellRequester(ports, request, log) : undefined,
      ]);
      return signalled;
    },
  });
}

/** Asks for an early end of a live grant ("Revoke now"), and ends the workflow's wait. */
export function revokeNow(ports: IngressPorts, input: ClickInput, log: Logger): Promise<DecisionResult> {
  return decide(ports, input, log, {
    event: (at) => ({ type: 'REVOKE_REQUESTED', by: input.userId, at }),
    authorize: (policy, current, actor) => authorizeRevoke(policy, current, actor),
    ownByIdOnly: true,
    signal: (request, tokens) =>
      // After a failed revoke the workflow has ended: nothing is waiting for this click.
      request.status === 'REVOKE_FAILED'
        ? Promise.resolve({ resumed: false, notice: revokeFailedAnswer(request.window.end) })
        : endNow(ports, request.id, tokens, log),
  });
}

/** Checks, records and signals one decision of `kind` (approve, deny, cancel, revoke; an extension's too). */
export async function decide(
  ports: IngressPorts,
  input: ClickInput,
  log: Logger,
  kind: DecisionKind,
): Promise<DecisionResult> {
  const { requestId: id, userId, clicked } = input;
  const { stored, policy, actor, requester, claimDiffers } = await readAndLookUp(ports, input, kind);
  const { request, tokens } = stored;
  if (claimDiffers) {
    // An older message, or a value made up: decided on the stored requester all the same.
    log.warn({ msg: 'click named another requester or policy than the request', requestId: id, user: userId });
  }
  if (kind.reauthorize) {
    const facts = { policy, request, tokens, actor, requester, kind, clicked };
    const closed = await closeIfRequesterGone(ports, facts, log);
    if (closed) return closed;
  }
  const at = toUtcSecond(nowOf(ports.clock));
  // A lost race re-reads and checks again: the copy checked last is the one the write was made on.
  let read = request;
  const authorize = (current: AccessRequest): void => {
    read = current;
    kind.authorize(policy, current, actor, requester);
  };
  // The copy read above is written on (a lost race re-reads); the signal goes while the audit item is written.
  let signalled: Signalled = NOT_SIGNALLED;
  const alongside = async (done: { readonly request: AccessRequest }): Promise<void> => {
    signalled = await kind.signal(done.request, tokens);
  };
  const result = await ports.store.apply(id, kind.event(at, actor), authorize, { read: stored, alongside });
  if (!result.ok) {
    log.info({ msg: 'decision refused', requestId: id, user: userId, code: result.error.code });
    return { ok: false, answer: describeRefusal(result.error, result.lastEvent) };
  }
  log.info({ msg: 'decision recorded', requestId: id, user: userId, type: result.event.type, to: result.to });
  const { resumed, notice, current } = signalled;
  await showDecision(ports, current ?? result.request, { clicked, resumed }, log);
  return { ok: true, request: result.request, read, ...(notice ? { notice } : {}) };
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
    readonly tokens: Tokens;
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
    // The workflow re-reads the stored status and tells both sides.
    const { resumed, current } = await resumeApproval(ports, result.request, facts.tokens, log);
    await showDecision(ports, current ?? result.request, { clicked: facts.clicked, resumed }, log);
    const closed = new RequesterNotAuthorizedError(`${error.message} The request is closed; nothing was granted.`);
    return { ok: false, answer: describeError(closed) };
  }
}

/**
 * Updates the approval message and the clicked message (when that is another one) in place, at once;
 * when the workflow was resumed, only a clicked message the workflow does not draw itself.
 */
async function showDecision(
  ports: IngressPorts,
  request: AccessRequest,
  how: { readonly clicked: MessageRef | undefined; readonly resumed: boolean },
  log: Logger,
): Promise<void> {
  const same = (a: MessageRef, b: MessageRef | undefined): boolean => a.channel === b?.channel && a.ts === b.ts;
  const drawnByWorkflow = (m: MessageRef): boolean =>
    how.resumed && (same(m, request.slack.approval) || same(m, request.slack.requester));
  const targets = [request.slack.approval, how.clicked].filter((m): m is MessageRef => m !== undefined);
  const unique = targets.filter((m, i) => targets.findIndex((o) => same(o, m)) === i);
  const message = approvalMessage(request);
  await Promise.all(
    unique
      .filter((ref) => !drawnByWorkflow(ref))
      .map(async (ref) => {
        try {
          await ports.notifier.update(ref, message);
        } catch (error) {
          // The decision stands whether or not Slack took the new rendering.
          log.warn({ msg: 'approval message not updated', requestId: request.id, error: String(error) });
        }
      }),
  );
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

/**
 * Ends the approval wait with the completion the request as written gives: an approval to grant now
 * carries its route and start, so the workflow goes straight to the grant (the same rule as CheckApproval's).
 */
function resumeApproval(ports: IngressPorts, request: AccessRequest, known: Tokens, log: Logger): Promise<Signalled> {
  const policy = ports.config.policies.find((p) => p.name === request.policy);
  const completion = approvalCompletion(request, nowOf(ports.clock), policy);
  const resume = (token: string): Promise<boolean> => ports.workflow.resumeApproval(token, completion);
  return signal(ports, { id: request.id, what: completion.decision, kind: 'approval', known }, resume, log);
}

function endNow(ports: IngressPorts, id: string, known: Tokens, log: Logger): Promise<Signalled> {
  return signal(ports, { id, what: 'REVOKE_NOW', kind: 'end', known }, (token) => ports.workflow.endNow(token), log);
}

/**
 * Sends a signal with the token read before the decision; when there was none yet, or it turned out
 * stale (the workflow began another wait meanwhile), with the one stored now, read once. Not taken, the
 * click draws the request as read then, newer than its own copy when the workflow moved on meanwhile.
 * A lost signal is not the person's to retry (the reconciler sends it again), so it only says so.
 */
async function signal(
  ports: IngressPorts,
  at: { readonly id: string; readonly what: string; readonly kind: keyof Tokens; readonly known: Tokens },
  call: (token: string) => Promise<boolean>,
  log: Logger,
): Promise<Signalled> {
  const { id, what, kind } = at;
  try {
    const known = at.known[kind];
    if (known !== undefined && (await call(known))) return { resumed: true };
    const { request: current, tokens } = await ports.store.getStored(id);
    const stored = tokens[kind];
    if (stored === undefined) {
      // The workflow stores its token when it starts waiting; it finds the decision already recorded then.
      log.warn({ msg: `no ${kind} token yet`, requestId: id, signal: what });
      return { resumed: false, current };
    }
    if (stored !== known && (await call(stored))) return { resumed: true };
    log.warn({ msg: 'stale task token', requestId: id, signal: what });
    return { resumed: false, current };
  } catch (error) {
    log.error({ msg: 'workflow not signalled', requestId: id, signal: what, error: String(error) });
    return { resumed: false, notice: notSignalledAnswer() };
  }
}
