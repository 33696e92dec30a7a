/**
 * The Slack side of the decisions for unit tests: a Web API client that records the messages it was
 * asked to post or update (and fails when told), a Bolt logger that keeps its lines, and the
 * dependencies of `Decisions` built over the other fakes.
 */
import type { Logger as BoltLogger } from '@slack/bolt';
import { LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import type { DecisionDeps } from '../../lambdas/lifecycle/decide';
import type { SlackDirectory } from '../../lambdas/slack/directory';
import type { RequestStore } from '../../lambdas/store/requests';
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

/** The decisions' dependencies over fakes: the clock, store, directory and workflow of `f`, and a fake Web API. */
export function fakeDecisionDeps(f: FakePorts): { deps: DecisionDeps; web: FakeSlackWeb } {
  const web = new FakeSlackWeb();
  const deps: DecisionDeps = {
    config: f.config,
    // The real store and directory are classes over their services; the fakes answer the same calls.
    store: f.store as unknown as RequestStore,
    workflow: f.workflow,
    directory: f.directory as unknown as SlackDirectory,
    web: web as unknown as WebClient,
    now: () => DateTime.fromMillis(f.clock.now(), { zone: 'utc' }),
    logger: quietBoltLogger(),
  };
  return { deps, web };
}
