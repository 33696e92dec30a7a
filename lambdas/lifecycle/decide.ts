/**
 * Approve, deny, cancel and revoke from Slack. Each decision is written to the store first, by a
 * conditional write that re-checks who may decide on the fresh copy; only a decision that changed
 * the request is shown (the approval message updated in place) and then signalled to the workflow
 * with the task token kept in the store. A refused decision changes nothing and says why.
 *
 * Decisions compare persons, not Slack ids: the requester's identity keys (their Slack identity now,
 * plus the ONTAP account the request names) are checked against the approver's, and each approval
 * keeps the approver's keys, so one person fills one seat. An approval first checks the requester
 * again (still active, still a requester of the policy, still the same ONTAP account); if they no
 * longer are, the approval closes the request instead, with the reason, and nothing is granted.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { DateTime } from 'luxon';
import type { Config } from '../config/schema';
import { toUtcSecond } from '../domain/durations';
import { RequesterNotAuthorizedError } from '../domain/errors';
import { slackOnlyKeys } from '../domain/people';
import {
  type Actor,
  authorizeApproval,
  authorizeCancel,
  authorizeDecision,
  authorizeRevoke,
  type Policy,
  type RequesterNow,
  reauthorizeRequester,
} from '../domain/policy';
import type { AccessRequest, MessageRef, RequestIn } from '../domain/request';
import { type LifecycleEvent, transition } from '../domain/transitions';
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
import type { SlackDirectory } from '../slack/directory';
import { UnknownPolicyError } from '../slack/errors';
import { Notifier } from '../slack/notifier';
import type { RequestStore } from '../store/requests';
import type { WorkflowSignals } from './submit';

/** What a decision came to: the request as it now is, or what to tell the person. */
export type DecisionResult =
  | { readonly ok: true; readonly request: AccessRequest; readonly notice?: ErrorAnswer }
  | { readonly ok: false; readonly answer: ErrorAnswer };

/** Dependencies of the decisions. */
export interface DecisionDeps {
  readonly config: Config;
  readonly store: RequestStore;
  readonly workflow: WorkflowSignals;
  readonly directory: SlackDirectory;
  readonly web: WebClient;
  readonly now: () => DateTime;
  readonly logger: Logger;
}

/** What a decision knows of the requester now: the keys that tell who they are, and their standing. */
interface RequesterFacts {
  readonly keys: readonly string[];
  readonly now: RequesterNow;
}

type Authorize = (policy: Policy, current: AccessRequest, actor: Actor, requester: RequesterFacts) => void;

/** How one kind of decision is checked and recorded. */
interface DecisionKind {
  readonly event: (at: string, actor: Actor) => LifecycleEvent;
  readonly authorize: Authorize;
  /** Compare the decider with the requester as persons (approve, deny): looks the requester up in Slack. */
  readonly againstRequester?: boolean;
  /** Check the requester again first, and close the request if they no longer qualify (approvals). */
  readonly reauthorize?: boolean;
}

/** The decisions people take on a request from Slack. */
export class Decisions {
  constructor(private readonly deps: DecisionDeps) {}

  /** Approves (one of N); when that completes the approval, resumes the workflow. */
  approve(id: string, userId: string, clicked?: MessageRef): Promise<DecisionResult> {
    const kind: DecisionKind = {
      event: (at, actor) => ({ type: 'APPROVE', by: userId, at, ...(actor.keys ? { person: [...actor.keys] } : {}) }),
      authorize: (policy, current, actor, requester) => authorizeApproval(policy, current, actor, requester.keys),
      againstRequester: true,
      reauthorize: true,
    };
    return this.decide(id, userId, clicked, kind, async (result) =>
      result.status === 'APPROVED' ? this.resumeApproval(id, 'APPROVED') : undefined,
    );
  }

  /** Denies with a reason, and resumes the workflow. */
  deny(id: string, userId: string, reason: string, clicked?: MessageRef): Promise<DecisionResult> {
    const kind: DecisionKind = {
      event: (at) => ({ type: 'DENY', by: userId, at, reason }),
      authorize: (policy, current, actor, requester) => authorizeDecision(policy, current, actor, requester.keys),
      againstRequester: true,
    };
    return this.decide(id, userId, clicked, kind, () => this.resumeApproval(id, 'DENIED'));
  }

  /**
   * Cancels: the requester until granted, an approver (with a reason) once approved and before it
   * starts. Tells the requester at once when someone else cancelled (the workflow may be waiting for
   * a scheduled start, and sees the cancel only then), and resumes the approval wait if it is still on.
   */
  cancel(id: string, userId: string, clicked?: MessageRef, reason?: string): Promise<DecisionResult> {
    const kind: DecisionKind = {
      event: (at) => ({ type: 'CANCEL', by: userId, at, ...(reason !== undefined ? { reason } : {}) }),
      authorize: (policy, current, actor) => authorizeCancel(policy, current, actor),
    };
    return this.decide(id, userId, clicked, kind, async (request) => {
      const byOther = request.status === 'CANCELLED' && request.cancelledBy !== request.requester.slackUserId;
      if (byOther) await this.tellRequester(request);
      return this.resumeApproval(id, 'CANCELLED');
    });
  }

  /** Whether this person could cancel the request now, and whether they must say why (an approver does). */
  async mayCancel(id: string, userId: string): Promise<DecisionResult & { readonly needsReason?: boolean }> {
    try {
      const request = await this.deps.store.get(id);
      const policy = this.policy(request);
      const actor = await this.approver(userId, policy);
      authorizeCancel(policy, request, actor);
      const needsReason = userId !== request.requester.slackUserId;
      const at = toUtcSecond(this.deps.now());
      transition(request, { type: 'CANCEL', by: userId, at, ...(needsReason ? { reason: 'dry run' } : {}) });
      return { ok: true, request, needsReason };
    } catch (error) {
      return { ok: false, answer: this.answer(error, id) };
    }
  }

  /** Asks for an early end of a live grant ("Revoke now"), and ends the workflow's wait. */
  revoke(id: string, userId: string, clicked?: MessageRef): Promise<DecisionResult> {
    const kind: DecisionKind = {
      event: (at) => ({ type: 'REVOKE_REQUESTED', by: userId, at }),
      authorize: (policy, current, actor) => authorizeRevoke(policy, current, actor),
    };
    return this.decide(id, userId, clicked, kind, (request) =>
      // After a failed revoke the workflow has ended: nothing is waiting for this click.
      request.status === 'REVOKE_FAILED' ? Promise.resolve(revokeFailedAnswer(request.window.end)) : this.endNow(id),
    );
  }

  /** Whether this person could deny the request now (checked before asking them for a reason). */
  async mayDeny(id: string, userId: string): Promise<DecisionResult> {
    try {
      const request = await this.deps.store.get(id);
      const policy = this.policy(request);
      const [actor, requester] = await Promise.all([
        this.approver(userId, policy),
        this.requesterFacts(request, policy),
      ]);
      authorizeDecision(policy, request, actor, requester.keys);
      transition(request, { type: 'DENY', by: userId, at: toUtcSecond(this.deps.now()), reason: 'dry run' });
      return { ok: true, request };
    } catch (error) {
      return { ok: false, answer: this.answer(error, id) };
    }
  }

  private async decide(
    id: string,
    userId: string,
    clicked: MessageRef | undefined,
    kind: DecisionKind,
    signal: (request: AccessRequest) => Promise<ErrorAnswer | undefined>,
  ): Promise<DecisionResult> {
    try {
      const request = await this.deps.store.get(id);
      const policy = this.policy(request);
      const [actor, requester] = await Promise.all([
        this.approver(userId, policy),
        kind.againstRequester ? this.requesterFacts(request, policy) : idOnly(request),
      ]);
      if (kind.reauthorize) {
        const closed = await this.closeIfRequesterGone(policy, request, actor, requester, kind, clicked);
        if (closed) return closed;
      }
      const at = toUtcSecond(this.deps.now());
      const authorize = (current: AccessRequest): void => kind.authorize(policy, current, actor, requester);
      const result = await this.deps.store.apply(id, kind.event(at, actor), authorize);
      if (!result.ok) {
        this.deps.logger.info({ msg: 'decision refused', requestId: id, user: userId, code: result.error.code });
        return { ok: false, answer: describeRefusal(result.error, result.lastEvent) };
      }
      this.deps.logger.info({
        msg: 'decision recorded',
        requestId: id,
        user: userId,
        type: result.event.type,
        to: result.to,
      });
      // The message first, the workflow second: the workflow's own later updates must not be overwritten by this one.
      await this.showDecision(result.request, clicked);
      const notice = await signal(result.request);
      return { ok: true, request: result.request, ...(notice ? { notice } : {}) };
    } catch (error) {
      return { ok: false, answer: this.answer(error, id) };
    }
  }

  /**
   * An approval of a request whose requester no longer qualifies closes it instead (only when the
   * person clicking may decide it: nobody else can close someone's request this way).
   */
  private async closeIfRequesterGone(
    policy: Policy,
    request: AccessRequest,
    actor: Actor,
    requester: RequesterFacts,
    kind: DecisionKind,
    clicked: MessageRef | undefined,
  ): Promise<DecisionResult | undefined> {
    try {
      reauthorizeRequester(policy, request, requester.now);
      return undefined;
    } catch (error) {
      if (!(error instanceof RequesterNotAuthorizedError)) throw error;
      kind.authorize(policy, request, actor, requester);
      const at = toUtcSecond(this.deps.now());
      const event = { type: 'REAUTHORIZATION_FAILED', at, reason: error.message } as const;
      const result = await this.deps.store.apply(request.id, event);
      if (!result.ok) return { ok: false, answer: describeRefusal(result.error, result.lastEvent) };
      const msg = 'requester no longer authorized; request closed';
      this.deps.logger.info({ msg, requestId: request.id, user: actor.userId });
      await this.showDecision(result.request, clicked);
      // The workflow re-reads the stored status and tells the requester.
      await this.resumeApproval(request.id, 'CANCELLED');
      const closed = new RequesterNotAuthorizedError(`${error.message} The request is closed; nothing was granted.`);
      return { ok: false, answer: describeError(closed) };
    }
  }

  /** The person deciding, with group memberships read afresh: someone just removed from a group no longer decides. */
  private approver(userId: string, policy: Policy): Promise<Actor> {
    return this.deps.directory.actor(userId, policy.approvers.groups, { fresh: true });
  }

  /** Who the requester is now: their identity keys (and the ONTAP account the request names) and their standing. */
  private async requesterFacts(request: AccessRequest, policy: Policy): Promise<RequesterFacts> {
    const { identity, now } = await this.deps.directory.requesterNow(request.requester.slackUserId, policy);
    const keys = [...identity.keys, `ontap:${request.requester.ontapAccount.toLowerCase()}`];
    return { keys, now };
  }

  private policy(request: AccessRequest): Policy {
    const policy = this.deps.config.policies.find((p) => p.name === request.policy);
    if (!policy) throw new UnknownPolicyError(request.policy);
    return policy;
  }

  private answer(error: unknown, id: string): ErrorAnswer {
    const answer = describeError(error);
    if (!answer.expected) this.deps.logger.error({ msg: 'decision failed', requestId: id, error: String(error) });
    return answer;
  }

  /** Updates the approval message (and the clicked message, when that is another one) in place. */
  private async showDecision(request: AccessRequest, clicked: MessageRef | undefined): Promise<void> {
    const targets = [request.slack.approval, clicked].filter((m): m is MessageRef => m !== undefined);
    const unique = targets.filter((m, i) => targets.findIndex((o) => o.channel === m.channel && o.ts === m.ts) === i);
    const message = approvalMessage(request);
    for (const ref of unique) {
      try {
        await this.deps.web.chat.update({
          channel: ref.channel,
          ts: ref.ts,
          text: message.text,
          blocks: message.blocks,
        });
      } catch (error) {
        // The decision stands whether or not Slack took the new rendering.
        this.deps.logger.warn({ msg: 'approval message not updated', requestId: request.id, error: String(error) });
      }
    }
  }

  /** The requester's status DM brought up to date, and a new DM so Slack notifies them. Best effort. */
  private async tellRequester(request: RequestIn<'CANCELLED'>): Promise<void> {
    const notifier = new Notifier({ client: this.deps.web, approvalChannel: this.deps.config.slack.approvalChannel });
    const text =
      `:heavy_multiplication_x: <@${request.cancelledBy}> cancelled your approved request \`${request.id}\` ` +
      `(${escapeMrkdwn(request.role)} on ${escapeMrkdwn(request.svm.name)}). Nothing was granted.` +
      (request.reason !== undefined ? `\n${quoteMrkdwn(request.reason)}` : '');
    try {
      if (request.slack.requester) await notifier.requester(request);
      await notifier.notice(request.requester.slackUserId, noticeReply(text));
    } catch (error) {
      this.deps.logger.warn({ msg: 'requester not told of the cancel', requestId: request.id, error: String(error) });
    }
  }

  private async resumeApproval(
    id: string,
    decision: 'APPROVED' | 'DENIED' | 'CANCELLED',
  ): Promise<ErrorAnswer | undefined> {
    const { tokens } = await this.deps.store.getStored(id);
    const token = tokens.approval;
    if (!token) {
      // The workflow stores its token when it starts waiting; it finds the decision already recorded then.
      this.deps.logger.warn({ msg: 'no approval token yet', requestId: id, decision });
      return undefined;
    }
    return this.signal(id, decision, () => this.deps.workflow.resumeApproval(token, { decision }));
  }

  private async endNow(id: string): Promise<ErrorAnswer | undefined> {
    const { tokens } = await this.deps.store.getStored(id);
    const token = tokens.end;
    if (!token) {
      this.deps.logger.warn({ msg: 'no end token', requestId: id });
      return undefined;
    }
    return this.signal(id, 'REVOKE_NOW', () => this.deps.workflow.endNow(token));
  }

  private async signal(id: string, what: string, call: () => Promise<boolean>): Promise<ErrorAnswer | undefined> {
    try {
      const resumed = await call();
      if (!resumed) this.deps.logger.warn({ msg: 'stale task token', requestId: id, signal: what });
      return undefined;
    } catch (error) {
      this.deps.logger.error({ msg: 'workflow not signalled', requestId: id, signal: what, error: String(error) });
      return notSignalledAnswer();
    }
  }
}

/** The requester by their Slack id alone, for decisions that do not compare persons (cancel, revoke). */
function idOnly(request: AccessRequest): RequesterFacts {
  const userId = request.requester.slackUserId;
  const actor = { userId, groups: new Set<string>() };
  return { keys: slackOnlyKeys(userId), now: { actor, ontapAccount: request.requester.ontapAccount } };
}
