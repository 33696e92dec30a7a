/**
 * Slack's side of the benchmark: each request built field for field as Slack builds it (the
 * sandbox's payload builders), signed with the app's secret, and posted to `POST /slack/events` over
 * loopback HTTP on a keep-alive connection. Only the HTTP exchange is timed: from the first byte
 * sent to the last byte of the answer, the time Slack waits for its acknowledgement.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { requestIdFor } from '../lambdas/lifecycle/submit';
import { ACTION } from '../lambdas/slack/ids';
import {
  type AppInstall,
  blockActionsOnMessage,
  interactionBody,
  slashCommandBody,
  viewSubmission,
} from '../local/sandbox/payloads';
import { DEFAULT_INSTALL, messageSurface, payloadView, viewSurface } from '../local/sandbox/platform';
import { signSlackRequest } from '../local/sandbox/signature';
import { type Entries, findElement, stateValues } from '../local/sandbox/state-values';
import type { SlackApiStandIn, StoredMessage, StoredView } from '../local/slack-api/server';

/** One answered request and how long Slack waited for it. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

/** Posts signed bodies to one Slack endpoint. */
export class SignedPoster {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  private readonly url: URL;
  /** The last body posted (the floor endpoint is sent the same bytes). */
  lastBody = '';

  constructor(
    url: string,
    private readonly signingSecret: string,
  ) {
    this.url = new URL(url);
  }

  /** Posts a form-encoded body as Slack does and times the exchange. */
  post(body: string): Promise<Answer> {
    this.lastBody = body;
    return this.send(body, true);
  }

  private send(body: string, mayRetry: boolean): Promise<Answer> {
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signSlackRequest(this.signingSecret, body),
    };
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: 'POST',
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - started,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed as it was reused: the request never reached the app; send it on a new one.
        if (mayRetry && req.reusedSocket && error.code === 'ECONNRESET') resolve(this.send(body, false));
        else reject(error);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** What people do in Slack, as requests to the app. */
export class SlackDriver {
  readonly install: AppInstall = DEFAULT_INSTALL;

  constructor(
    private readonly slack: SlackApiStandIn,
    readonly poster: SignedPoster,
    private readonly approvalChannel: string,
  ) {}

  private user(id: string): { id: string; name: string } {
    const found = this.slack.directory.users.find((u) => u.id === id);
    if (!found) throw new Error(`unknown Slack user ${id}`);
    return { id, name: found.name };
  }

  /** `/jit <text>` typed in #general; the trigger id names the request a one-line request makes. */
  async command(userId: string, text: string): Promise<{ answer: Answer; requestId: string }> {
    const user = this.user(userId);
    const channel = { id: 'C0GENERAL', name: 'general' };
    const triggerId = this.slack.issueTrigger(userId);
    const body = slashCommandBody(this.install, {
      user,
      channel,
      command: '/jit',
      text,
      responseUrl: this.slack.issueResponseUrl({ user: userId, channel: channel.id }),
      triggerId,
    });
    const answer = await this.poster.post(body);
    return { answer, requestId: requestIdFor(`${this.install.teamId}:command:${triggerId}`) };
  }

  /** `/jit` alone: the request modal opens. */
  async openForm(userId: string): Promise<{ answer: Answer; view: StoredView }> {
    const { answer } = await this.command(userId, '');
    const view = this.slack.topViewOf(userId);
    if (answer.status !== 200 || !view)
      throw new Error(`/jit did not open the form for ${userId} (HTTP ${answer.status} ${answer.body})`);
    return { answer, view };
  }

  /** Submits the modal with the form's defaults and a justification; the modal closes on an empty answer. */
  async submitForm(
    userId: string,
    view: StoredView,
    justification: string,
  ): Promise<{ answer: Answer; requestId: string }> {
    const surface = viewSurface(view);
    const entries: Record<string, Record<string, string>> = {};
    for (const block of surface.blocks) {
      if (block.type === 'input' && block.block_id.split('@')[0] === 'justification' && 'action_id' in block.element) {
        entries[block.block_id] = { [String(block.element.action_id)]: justification };
      }
    }
    const payload = viewSubmission(this.install, {
      user: this.user(userId),
      view: payloadView(view, surface),
      state: stateValues(surface.blocks, entries as Entries),
      triggerId: this.slack.issueTrigger(userId),
    });
    const answer = await this.poster.post(interactionBody(payload));
    if (answer.status !== 200 || answer.body.trim() !== '')
      throw new Error(`the form was not accepted: HTTP ${answer.status} ${answer.body}`);
    this.slack.closeView(view.id);
    return { answer, requestId: requestIdFor(`${this.install.teamId}:view:${view.id}`) };
  }

  /** The approval message of a request (the newest top-level message in the approval channel naming it). */
  approvalMessage(requestId: string): StoredMessage {
    const messages = this.slack.messages;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (m && m.channel === this.approvalChannel && !m.threadTs && m.text.includes(requestId)) return m;
    }
    throw new Error(`no approval message for ${requestId}`);
  }

  /** A click on the Approve button of `message`. */
  async approve(userId: string, message: StoredMessage): Promise<Answer> {
    const surface = messageSurface(message);
    const blockId = surface.blocks.find(
      (b) => b.type === 'actions' && b.elements.some((e) => 'action_id' in e && e.action_id === ACTION.approve),
    )?.block_id;
    const element = blockId === undefined ? undefined : findElement(surface.blocks, blockId, ACTION.approve);
    if (blockId === undefined || !element) throw new Error(`no Approve button on ${message.ts}`);
    const payload = blockActionsOnMessage(this.install, {
      user: this.user(userId),
      channel: { id: message.channel, name: 'jit-approvals' },
      message: { ts: message.ts, text: message.text, rawBlocks: surface.raw, ephemeral: false },
      action: { blockId, element, entry: null, actionTs: `${Math.floor(Date.now() / 1000)}.000100` },
      state: stateValues(surface.blocks, {}),
      responseUrl: this.slack.issueResponseUrl({ user: userId, channel: message.channel, messageTs: message.ts }),
      triggerId: this.slack.issueTrigger(userId),
    });
    const answer = await this.poster.post(interactionBody(payload));
    if (answer.status !== 200) throw new Error(`the click was refused: HTTP ${answer.status}`);
    return answer;
  }
}
