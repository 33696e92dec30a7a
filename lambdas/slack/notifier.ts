/**
 * Posts and updates the workflow's Slack messages: the approval message (updated in place), the
 * requester's status DM (updated in place), and events threaded under the approval message.
 * It returns where a new message went; the caller keeps that with the request.
 */
import { ErrorCode, type WebClient } from '@slack/web-api';
import { offersExtension } from '../domain/extension';
import type { Milestone } from '../domain/milestones';
import type { Policy } from '../domain/policy';
import type { AccessRequest, MessageRef } from '../domain/request';
import { approvalMessage, type SlackMessage } from './blocks/approval-message';
import { approverNotice, milestoneDm } from './blocks/milestone-messages';
import { requesterMessage, type ThreadDetails, threadMessage } from './blocks/request-messages';
import { SlackCallError, SlackTransientError } from './errors';

/** Options of the notifier. */
export interface NotifierOptions {
  readonly client: WebClient;
  /** Channel id of the approval channel. */
  readonly approvalChannel: string;
  /** The configured policies, to offer Extend where a grant's policy allows it. @default none */
  readonly policies?: readonly Policy[];
}

/** The workflow's Slack messages. */
export class Notifier {
  constructor(private readonly options: NotifierOptions) {}

  /** Posts the approval message, or updates it in place when the request already has one. */
  async approval(request: AccessRequest): Promise<MessageRef> {
    return this.upsert(
      request.slack.approval,
      () => Promise.resolve(this.options.approvalChannel),
      approvalMessage(request),
    );
  }

  /** Posts the requester's status DM, or updates it in place. */
  async requester(request: AccessRequest): Promise<MessageRef> {
    return this.upsert(
      request.slack.requester,
      () => this.dmChannel(request.requester.slackUserId),
      requesterMessage(request, { extendable: this.extendable(request) }),
    );
  }

  /** Posts a new DM to `userId` (an edit does not notify; a new message does). */
  async notice(userId: string, message: SlackMessage): Promise<MessageRef> {
    return this.upsert(undefined, () => this.dmChannel(userId), message);
  }

  /** Replaces the message at `ref` with `message` (a copy of the approval message shown elsewhere, say). */
  async update(ref: MessageRef, message: SlackMessage): Promise<void> {
    await this.upsert(ref, () => Promise.resolve(ref.channel), message);
  }

  /** Tells the requester of a milestone with a new DM (which Slack notifies, unlike an edit). */
  async milestone(request: AccessRequest, milestone: Milestone): Promise<MessageRef> {
    const extendable = this.extendable(request);
    return this.notice(request.requester.slackUserId, milestoneDm(request, milestone, { extendable }));
  }

  /** Whether the requester is offered Extend on the grant now. */
  private extendable(request: AccessRequest): boolean {
    return offersExtension(
      this.options.policies?.find((p) => p.name === request.policy),
      request,
    );
  }

  /**
   * Threads the request's latest event under its approval message; for a milestone, mentioning those
   * who approved so Slack notifies them. False when there is no message or no event.
   */
  async thread(request: AccessRequest, details: ThreadDetails = {}, milestone?: Milestone): Promise<boolean> {
    const message = milestone ? approverNotice(request, milestone, details) : threadMessage(request, details);
    const parent = request.slack.approval;
    if (!message || !parent) return false;
    await this.reply(parent, message);
    return true;
  }

  /** Posts `message` as a reply in the thread of `parent` (a new message: it notifies whom it mentions). */
  async reply(parent: MessageRef, message: SlackMessage): Promise<MessageRef> {
    const posted = await this.call('chat.postMessage', () =>
      this.options.client.chat.postMessage({ channel: parent.channel, thread_ts: parent.ts, ...message }),
    );
    return { channel: posted.channel ?? parent.channel, ts: posted.ts ?? parent.ts };
  }

  /** Posts `message` to a channel (by id) as a new message. */
  async post(channel: string, message: SlackMessage): Promise<MessageRef> {
    return this.upsert(undefined, () => Promise.resolve(channel), message);
  }

  /** A link to a message, for a message elsewhere that points at it. */
  async permalink(ref: MessageRef): Promise<string> {
    const answer = await this.call('chat.getPermalink', () =>
      this.options.client.chat.getPermalink({ channel: ref.channel, message_ts: ref.ts }),
    );
    if (!answer.permalink) throw new SlackCallError('chat.getPermalink', 'no_permalink_in_answer');
    return answer.permalink;
  }

  private async upsert(
    ref: MessageRef | undefined,
    channel: () => Promise<string>,
    message: SlackMessage,
  ): Promise<MessageRef> {
    if (ref) {
      await this.call('chat.update', () =>
        this.options.client.chat.update({ channel: ref.channel, ts: ref.ts, ...message }),
      );
      return ref;
    }
    const target = await channel();
    const posted = await this.call('chat.postMessage', () =>
      this.options.client.chat.postMessage({ channel: target, ...message }),
    );
    if (!posted.ts || !posted.channel) throw new SlackCallError('chat.postMessage', 'no_ts_in_answer');
    return { channel: posted.channel, ts: posted.ts };
  }

  private async dmChannel(userId: string): Promise<string> {
    const opened = await this.call('conversations.open', () =>
      this.options.client.conversations.open({ users: userId }),
    );
    const id = opened.channel?.id;
    if (!id) throw new SlackCallError('conversations.open', 'no_channel_in_answer');
    return id;
  }

  private async call<T>(method: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw classify(method, error);
    }
  }
}

/** A @slack/web-api error as the workflow's named error: transient (retry) or a refusal. */
export function classify(method: string, error: unknown): Error {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === ErrorCode.RequestError || code === ErrorCode.RateLimitedError)
    return new SlackTransientError(method, { cause: error });
  if (code === ErrorCode.HTTPError) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' && status < 500 && status !== 429
      ? new SlackCallError(method, `http_${status}`, { cause: error })
      : new SlackTransientError(method, { cause: error });
  }
  if (code === ErrorCode.PlatformError) {
    const slackError = (error as { data?: { error?: unknown } }).data?.error;
    return new SlackCallError(method, typeof slackError === 'string' ? slackError : 'unknown_error', { cause: error });
  }
  return error instanceof Error ? error : new SlackCallError(method, String(error));
}
