/**
 * The Slack side of the decisions for unit tests: a Web API client that records the messages it was
 * asked to post or update (and fails when told), a Bolt logger that keeps its lines, and the
 * decisions' use cases over the other fakes, called as the Slack listeners call them.
 */
import type { Logger as BoltLogger } from '@slack/bolt';
import { LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { MessageRef } from '../../lambdas/domain/request';
import { approveRequest, cancelRequest, denyRequest, revokeNow } from '../../lambdas/lifecycle/decide';
import { mayCancel, mayDeny } from '../../lambdas/lifecycle/decide-checks';
import type { IngressPorts } from '../../lambdas/lifecycle/ports';
import type { SlackDirectory } from '../../lambdas/slack/directory';
import { Notifier } from '../../lambdas/slack/notifier';
import type { FakePorts } from './fakes';

/** One Web API call the fake took. */
export interface WebCall {
  readonly method: 'chat.update' | 'chat.postMessage' | 'conversations.open';
  readonly args: Record<string, unknown>;
}

/** The Web API methods the decisions use, in memory. */
export class FakeSlackWeb {
  readonly calls: WebCall[] = [];
  /** Methods that fail from now on. */
  readonly failing = new Set<WebCall['method']>();
  private ts = 0;

  readonly chat = {
    update: async (args: Record<string, unknown>) => this.take('chat.update', args, { ok: true }),
    postMessage: async (args: Record<string, unknown>) => {
      this.ts += 1;
      return this.take('chat.postMessage', args, { ok: true, channel: args.channel, ts: `1700000001.${this.ts}` });
    },
  };

  readonly conversations = {
    open: async (args: { users: string }) =>
      this.take('conversations.open', args, { channel: { id: `D${args.users}` } }),
  };

  /** The calls of one method. */
  of(method: WebCall['method']): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private take<T>(method: WebCall['method'], args: Record<string, unknown>, answer: T): T {
    if (this.failing.has(method)) {
      throw Object.assign(new Error('An API error occurred: ratelimited'), {
        code: 'slack_webapi_platform_error',
        data: { ok: false, error: 'ratelimited' },
      });
    }
    this.calls.push({ method, args });
    return answer;
  }
}

/** A Bolt logger that keeps what it was given. */
export function quietBoltLogger(): BoltLogger & { readonly lines: { level: string; args: unknown[] }[] } {
  const lines: { level: string; args: unknown[] }[] = [];
  const keep =
    (level: string) =>
    (...args: unknown[]): void => {
      lines.push({ level, args });
    };
  return {
    lines,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/**
 * The decisions over fakes: the clock, store, directory and workflow of `f`, the real notifier over a
 * fake Web API, and a Bolt logger that keeps its lines; each call is what a click or a submission runs.
 */
export function fakeDecisions(f: FakePorts) {
  const web = new FakeSlackWeb();
  const log = quietBoltLogger();
  const ports: IngressPorts = {
    config: f.config,
    store: f.store as unknown as IngressPorts['store'],
    workflow: f.workflow,
    // The real directory is a class over Slack's Web API; the fake answers the same calls.
    directory: f.directory as unknown as SlackDirectory,
    notifier: new Notifier({ client: web as unknown as WebClient, approvalChannel: f.config.slack.approvalChannel }),
    clock: f.clock,
  };
  const decisions = {
    approve: (requestId: string, userId: string, clicked?: MessageRef) =>
      approveRequest(ports, { requestId, userId, ...(clicked ? { clicked } : {}) }, log),
    deny: (requestId: string, userId: string, reason: string) => denyRequest(ports, { requestId, userId, reason }, log),
    cancel: (requestId: string, userId: string, clicked?: MessageRef, reason?: string) =>
      cancelRequest(
        ports,
        { requestId, userId, ...(clicked ? { clicked } : {}), ...(reason !== undefined ? { reason } : {}) },
        log,
      ),
    revoke: (requestId: string, userId: string) => revokeNow(ports, { requestId, userId }, log),
    mayDeny: (requestId: string, userId: string) => mayDeny(ports, { requestId, userId }),
    mayCancel: (requestId: string, userId: string) => mayCancel(ports, { requestId, userId }),
  };
  return { decisions, web, log, ports };
}
