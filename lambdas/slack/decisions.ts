/**
 * Approve, deny, cancel and revoke from Slack. Each decision is written to the store first, by a
 * conditional write that re-checks who may decide on the fresh copy; only a decision that changed
 * the request is shown (the approval message updated in place) and then signalled to the workflow
 * with the task token kept in the store. A refused decision changes nothing and says why.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { DateTime } from 'luxon';
import type { Config } from '../config/schema';
import { toUtcSecond } from '../domain/durations';
import { type LifecycleEvent, transition } from '../domain/lifecycle';
import { type Actor, authorizeCancel, authorizeDecision, authorizeRevoke, type Policy } from '../domain/policy';
import type { AccessRequest, MessageRef, RequestIn } from '../domain/request';
import type { RequestStore } from '../store/request-store';
import { describeError, describeRefusal, type ErrorAnswer, notSignalledAnswer, revokeFailedAnswer } from './answers';
import { approvalMessage } from './blocks/approval-message';
import { noticeReply } from './blocks/command-replies';
import { escapeMrkdwn, quoteMrkdwn } from './blocks/escape';
import type { SlackDirectory } from './directory';
import { UnknownPolicyError } from './errors';
import type { WorkflowSignals } from './intake';
import { Notifier } from './notifier';

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

type Authorize = (policy: Policy, current: AccessRequest, actor: Actor) => void;

/** The decisions people take on a request from Slack. */
export class Decisions {
  constructor(private readonly deps: DecisionDeps) {}

  /** Approves (one of N); when that completes the approval, resumes the workflow. */
  approve(id: string, userId: string, clicked?: MessageRef): Promise<DecisionResult> {
    return this.decide(id, userId, clicked, (at) => ({ type: 'APPROVE', by: userId, at }), authorizeDecision, async (result) =>
      result.status === 'APPROVED' ? this.resumeApproval(id, 'APPROVED') : undefined,
    );
  }

  /** Denies with a reason, and resumes the workflow. */
  deny(id: string, userId: string, reason: string, clicked?: MessageRef): Promise<DecisionResult> {
    return this.decide(id, userId, clicked, (at) => ({ type: 'DENY', by: userId, at, reason }), authorizeDecision, () =>
      this.resumeApproval(id, 'DENIED'),
    );
  }

  /**
   * Cancels: the requester until granted, an approver (with a reason) once approved and before it
   * starts. Tells the requester at once when someone else cancelled (the workflow may be waiting for
   * a scheduled start, and sees the cancel only then), and resumes the approval wait if it is still on.
   */
  cancel(id: string, userId: string, clicked?: MessageRef, reason?: string): Promise<DecisionResult> {
    return this.decide(
      id,
      userId,
      clicked,
      (at) => ({ type: 'CANCEL', by: userId, at, ...(reason !== undefined ? { reason } : {}) }),
      authorizeCancel,
      async (request) => {
        const byOther = request.status === 'CANCELLED' && request.cancelledBy !== request.requester.slackUserId;
        if (byOther) await this.tellRequester(request);
        return this.resumeApproval(id, 'CANCELLED');
      },
    );
  }

  /** Whether this person could cancel the request now, and whether they must say why (an approver does). */
  async mayCancel(id: string, userId: string): Promise<DecisionResult & { readonly needsReason?: boolean }> {
    try {
      const request = await this.deps.store.get(id);
      const policy = this.policy(request);
      const actor = await this.deps.directory.actor(userId, policy.approvers.groups);
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
    return this.decide(id, userId, clicked, (at) => ({ type: 'REVOKE_REQUESTED', by: userId, at }), authorizeRevoke, (request) =>
      // After a failed revoke the workflow has ended: nothing is waiting for this click.
      request.status === 'REVOKE_FAILED' ? Promise.resolve(revokeFailedAnswer(request.window.end)) : this.endNow(id),
    );
  }

  /** Whether this person could deny the request now (checked before asking them for a reason). */
  async mayDeny(id: string, userId: string): Promise<DecisionResult> {
    try {
      const request = await this.deps.store.get(id);
      const policy = this.policy(request);
      const actor = await this.deps.directory.actor(userId, policy.approvers.groups);
      authorizeDecision(policy, request, actor);
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
    event: (at: string) => LifecycleEvent,
    authorize: Authorize,
    signal: (request: AccessRequest) => Promise<ErrorAnswer | undefined>,
  ): Promise<DecisionResult> {
    try {
      const request = await this.deps.store.get(id);
      const policy = this.policy(request);
      const actor = await this.deps.directory.actor(userId, policy.approvers.groups);
      const result = await this.deps.store.apply(id, event(toUtcSecond(this.deps.now())), (current) => authorize(policy, current, actor));
      if (!result.ok) {
        this.deps.logger.info({ msg: 'decision refused', requestId: id, user: userId, code: result.error.code });
        return { ok: false, answer: describeRefusal(result.error, result.lastEvent) };
      }
      this.deps.logger.info({ msg: 'decision recorded', requestId: id, user: userId, type: result.event.type, to: result.to });
      // The message first, the workflow second: the workflow's own later updates must not be overwritten by this one.
      await this.showDecision(result.request, clicked);
      const notice = await signal(result.request);
      return { ok: true, request: result.request, ...(notice ? { notice } : {}) };
    } catch (error) {
      return { ok: false, answer: this.answer(error, id) };
    }
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
        await this.deps.web.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks });
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

  private async resumeApproval(id: string, decision: 'APPROVED' | 'DENIED' | 'CANCELLED'): Promise<ErrorAnswer | undefined> {
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
