/**
 * The Slack app: Bolt over its AWS Lambda receiver, with explicit dependencies so tests and the
 * local stack build it the same way the Lambda does. One entry, `handle`, takes a raw HTTP request
 * as Slack sends it to `POST /slack/events` (slash commands and interactivity form-encoded, events
 * as JSON), refuses anything unsigned, stale or stamped in the future before parsing it, and answers
 * within Slack's 3 seconds: validate, record, signal the workflow; never a call to a cluster.
 */
// The app and the one receiver it runs on, not the package's index: that one also loads the Express
// and Socket Mode receivers (express, body-parser, iconv-lite, mime-db: ~0.7 MB a cold start parses for nothing).
import App from '@slack/bolt/dist/App';
import type { AwsEventV2 } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import AwsLambdaReceiver from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import { DateTime } from 'luxon';
import type { Config } from '../config/schema';
import type { IngressPorts, WorkflowSignals } from '../lifecycle/ports';
import { createMetrics, type Logger, type Metrics, reportUnresolvedGroup } from '../runtime/logger';
import type { RequestStore } from '../store/requests';
import { boltLogger } from './bolt-logger';
import { SlackDirectory } from './directory';
import { registerListeners } from './listeners';
import { Notifier } from './notifier';
import type { AuditExports, SlackServices } from './services';
import { verifySlackRequest } from './verify';
import { type BotTokenSource, fixedToken, RefreshingWebClient } from './web-client';

/** What the Slack app is built from. */
export interface SlackAppDeps {
  readonly config: Config;
  readonly store: RequestStore;
  readonly workflow: WorkflowSignals;
  /** Verifies Slack's request signatures. Never logged. */
  readonly signingSecret: string;
  /** The bot token (`xoxb-…`), or where to read it (read again when Slack refuses it). Never logged. */
  readonly botToken: string | BotTokenSource;
  /** Where the Web API lives. @default https://slack.com/api/ */
  readonly slackApiUrl?: string;
  /** "Now" in epoch milliseconds, for request times, scheduled starts and the membership cache. @default the system clock */
  readonly clock?: { now(): number };
  /** The product's logger; Bolt and the Web API client write through it too. */
  readonly logger: Logger;
  /** Where the Slack side's metrics go. @default metrics of its own, written to stdout */
  readonly metrics?: Metrics;
  /** How long a user group's members and a person's profile are kept for the form and submission. @default 60 */
  readonly groupCacheSeconds?: number;
  /** Claims and starts `/jit audit` exports. @default none: `/jit audit` says it is not set up */
  readonly auditExports?: AuditExports;
}

/** A raw HTTP request to the Slack endpoint: the body exactly as received (UTF-8) and its headers. */
export interface SlackHttpRequest {
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The HTTP answer to Slack. */
export interface SlackHttpResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The built app. */
export interface SlackApp {
  readonly app: App;
  /** Answers one request to `POST /slack/events`. */
  handle(request: SlackHttpRequest): Promise<SlackHttpResponse>;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
/** Larger than anything Slack sends; refuses a body meant to exhaust memory before it is parsed. */
const MAX_BODY_BYTES = 1_000_000;

/** Builds the Slack app and its single HTTP entry. */
export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const logger = boltLogger(deps.logger);
  const clock = deps.clock ?? { now: () => Date.now() };
  const token = typeof deps.botToken === 'string' ? fixedToken(deps.botToken) : deps.botToken;
  const web = new RefreshingWebClient(token, {
    ...(deps.slackApiUrl !== undefined ? { slackApiUrl: deps.slackApiUrl } : {}),
    logger,
    // Slack waits 3 seconds for the answer: one quick retry at most, never a long back-off.
    retryConfig: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 300 },
    timeout: 2500,
    rejectRateLimitedCalls: true,
  });
  const directory = new SlackDirectory({
    web,
    accounts: deps.config.slack.accounts,
    now: () => clock.now(),
    // Logged and counted, then skipped: /jit keeps working for everyone else.
    onUnresolvedGroup: reportUnresolvedGroup(deps.logger, deps.metrics ?? createMetrics('ontap-jit-slack')),
    ...(deps.groupCacheSeconds !== undefined ? { groupTtlSeconds: deps.groupCacheSeconds } : {}),
  });
  const now = (): DateTime => DateTime.fromMillis(clock.now(), { zone: 'utc' });
  const ports: IngressPorts = {
    config: deps.config,
    store: deps.store,
    workflow: deps.workflow,
    notifier: new Notifier({
      client: web,
      approvalChannel: deps.config.slack.approvalChannel,
      policies: deps.config.policies,
    }),
    directory,
    clock,
  };
  const services: SlackServices = {
    ports,
    config: deps.config,
    store: deps.store,
    web,
    directory,
    now,
    logger,
    ...(deps.auditExports ? { auditExports: deps.auditExports } : {}),
  };

  const receiver = new AwsLambdaReceiver({ signingSecret: deps.signingSecret, logger });
  const app = new App({ receiver, logger, authorize: async () => ({ botToken: await token.current() }) });
  app.error(async (error) => {
    logger.error({ msg: 'unhandled listener error', error: `${error.name}: ${error.message}` });
  });
  registerListeners(app, services);
  const toBolt = receiver.toHandler();

  async function handle(request: SlackHttpRequest): Promise<SlackHttpResponse> {
    const headers = lowerCaseHeaders(request.headers);
    if (Buffer.byteLength(request.body, 'utf8') > MAX_BODY_BYTES) return answer(413, 'request too large');
    // Bolt checks against the system clock too, so this check uses the same one.
    const failure = verifySlackRequest({
      signingSecret: deps.signingSecret,
      rawBody: request.body,
      timestamp: headers['x-slack-request-timestamp'],
      signature: headers['x-slack-signature'],
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (failure) {
      logger.warn({ msg: 'slack request refused', reason: failure });
      return answer(401, '');
    }
    const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (mediaType !== FORM && mediaType !== JSON_TYPE) return answer(415, 'unsupported content type');
    if (!parsable(mediaType, request.body)) return answer(400, 'malformed body');
    const retryNum = headers['x-slack-retry-num'];
    if (retryNum !== undefined)
      logger.info({ msg: 'slack retry', retryNum, retryReason: headers['x-slack-retry-reason'] });
    const event: AwsEventV2 = {
      body: request.body,
      headers: { ...headers, 'content-type': mediaType },
      isBase64Encoded: false,
      rawPath: '/slack/events',
      rawQueryString: '',
      routeKey: 'POST /slack/events',
      version: '2.0',
      requestContext: {},
    };
    const out = await toBolt(event, {});
    const outHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(out.headers ?? {})) outHeaders[name.toLowerCase()] = String(value);
    return { status: out.statusCode, headers: outHeaders, body: out.body };
  }

  return { app, handle };
}

function answer(status: number, body: string): SlackHttpResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

function lowerCaseHeaders(headers: SlackHttpRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Whether Bolt will be able to parse the body (it throws, uncaught, on what it cannot). */
function parsable(mediaType: string, body: string): boolean {
  try {
    if (mediaType === JSON_TYPE) return isObject(JSON.parse(body));
    const payload = new URLSearchParams(body).get('payload');
    return payload === null || isObject(JSON.parse(payload));
  } catch {
    return false;
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
