/**
 * The Slack ingress under test, wired as in production but on loopback: the app served by a node
 * http server, the Web API on the Slack stand-in, the store on dynalite, the workflow client on a
 * Step Functions recorder. Requests are built and signed exactly as Slack builds and signs them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { loadConfig } from '../../lambdas/config/load';
import type { Config } from '../../lambdas/config/schema';
import type { AccessRequest } from '../../lambdas/domain/request';
import { createSlackApp, type SlackApp } from '../../lambdas/slack/app';
import { approvalMessage } from '../../lambdas/slack/blocks/approval-message';
import { slackSignature } from '../../lambdas/slack/verify';
import type { RequestStore } from '../../lambdas/store/requests';
import { type LocalAuditExports, localAuditExports } from '../../local/audit-exports';
import type { EmbeddedDynamo } from '../../local/dynamodb';
import { sinkLogger, sinkMetrics } from '../../local/local-logger';
import type { Block } from '../../local/sandbox/block-kit';
import {
  type AppInstall,
  actionTs,
  blockActionsOnMessage,
  interactionBody,
  type PayloadUser,
  slashCommandBody,
  viewSubmission,
} from '../../local/sandbox/payloads';
import { type Entry, type StateValues, statefulElements, stateValues } from '../../local/sandbox/state-values';
import type { SlackDirectory } from '../../local/slack-api/directory';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';
import { nodeListenerFor } from '../../local/slack-ingress-server';
import { useDynamo } from './dynamo';
import { T0 } from './requests';
import { type StepFunctionsRecorder, startStepFunctionsRecorder } from './step-functions';

/** The signing secret the app under test verifies with (and tests sign with). */
export const SIGNING_SECRET = 'test-signing-secret-8f14e45fceea167a5a36dedd4bea2543';
/** The bot token the stand-in accepts. */
export const BOT_TOKEN = 'xoxb-test-0000-bot-token';
/** The workspace id. */
export const TEAM = 'T0LOCAL';
/** The approval channel of the example configuration. */
export const APPROVALS = 'C0APPROVALS';

/** Headers Slack sends with a body: its signature over `v0:<timestamp>:<body>`. */
export function signedHeaders(
  body: string,
  contentType: string,
  options: { timestamp?: number; secret?: string; retryNum?: number } = {},
): Record<string, string> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': slackSignature(options.secret ?? SIGNING_SECRET, timestamp, body),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...(options.retryNum !== undefined
      ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
      : {}),
  };
}

/** The app's installation as every payload names it (the sandbox's builders fill in the rest). */
export const INSTALL: AppInstall = {
  teamId: TEAM,
  teamDomain: 'local',
  apiAppId: 'A0JIT',
  botId: 'B0JITBOT',
  botUserId: 'U0JITBOT',
  verificationToken: 'legacy-verification-token',
};

/** The person a payload names, with Slack's lower-case handle. */
const userOf = (id: string): PayloadUser => ({ id, name: id.toLowerCase() });

/** A `/jit` slash command body, form-encoded and escaped as Slack sends it. */
export function commandBody(fields: {
  user: string;
  text: string;
  trigger: string;
  responseUrl: string;
  channel?: string;
}): string {
  return slashCommandBody(INSTALL, {
    user: userOf(fields.user),
    channel: { id: fields.channel ?? 'C0GENERAL', name: 'general' },
    command: '/jit',
    text: fields.text,
    responseUrl: fields.responseUrl,
    triggerId: fields.trigger,
  });
}

/** An interactivity body: the payload JSON in a `payload` form field. */
export { interactionBody };

/**
 * `view.state.values` as Slack would send it for a view after a person typed `answers` (keyed by the
 * block's kind, the part of its id before `@`); untouched inputs keep their initial values.
 */
export function viewState(view: { readonly blocks?: unknown }, answers: Record<string, string | null>): StateValues {
  // The view as the app opened it and the stand-in kept it: Block Kit, read as the sandbox reads it.
  const blocks = (view.blocks ?? []) as readonly Block[];
  const entries: Record<string, Record<string, Entry>> = {};
  const forged: { blockId: string; actionId: string; value: string }[] = [];
  for (const { blockId, element } of statefulElements(blocks)) {
    const kind = blockId.split('@')[0] ?? '';
    const given = answers[kind];
    if (!(kind in answers) || given === undefined) continue;
    entries[blockId] = { [element.action_id]: given };
    const offered = 'options' in element && Array.isArray(element.options) ? element.options : undefined;
    if (offered && given !== null && !offered.some((o: { value?: string }) => o.value === given)) {
      forged.push({ blockId, actionId: element.action_id, value: given });
    }
  }
  const values = stateValues(blocks, entries);
  // A value the view never offered, as a forged or stale payload carries it: the app must refuse it itself.
  for (const { blockId, actionId, value } of forged) {
    const row = values[blockId];
    const state = row?.[actionId];
    if (row && state) row[actionId] = { ...state, selected_option: { text: plain(value), value } };
  }
  return values;
}

/** A click on a button of a message in a channel, as Slack sends it. */
export function messageClick(args: {
  user: string;
  ref: { channel: string; ts: string };
  actionId: string;
  value: string;
  triggerId: string;
  responseUrl: string;
  nowMs: number;
}): Record<string, unknown> {
  const element = { type: 'button', action_id: args.actionId, value: args.value, text: plain('x') } as const;
  return blockActionsOnMessage(INSTALL, {
    user: userOf(args.user),
    channel: { id: args.ref.channel, name: 'approvals' },
    message: { ts: args.ref.ts, text: 'JIT request', rawBlocks: [], ephemeral: false },
    action: { blockId: 'jit_decision', element, actionTs: actionTs(args.nowMs) },
    state: {},
    responseUrl: args.responseUrl,
    triggerId: args.triggerId,
  });
}

/** The view_submission of the view `viewId` the stand-in keeps, with `answers` by block kind, as Slack sends it. */
export function submissionOf(
  slack: SlackApiStandIn,
  user: string,
  viewId: string,
  answers: Record<string, string | null>,
): Record<string, unknown> {
  const stored = slack.views.get(viewId);
  if (!stored) throw new Error(`no view ${viewId}`);
  const blocks = (stored.view.blocks ?? []) as readonly Record<string, unknown>[];
  const view = { id: viewId, hash: stored.hash, rootViewId: viewId, view: stored.view, rawBlocks: blocks };
  return viewSubmission(INSTALL, {
    user: userOf(user),
    view,
    state: viewState(stored.view, answers),
    triggerId: slack.issueTrigger(user),
  });
}

const plain = (text: string) => ({ type: 'plain_text', text }) as const;

/**
 * What a command's person was shown, in order: the message the answer itself carried (a slash
 * command's acknowledgement can hold one), then what was posted to the command's response_url.
 */
export function commandReplies(
  answer: IngressAnswer,
  posted: () => Record<string, unknown>[],
): () => Record<string, unknown>[] {
  const inAnswer = answer.body.trim().startsWith('{') ? [answer.json() as Record<string, unknown>] : [];
  return () => [...inAnswer, ...posted()];
}

/** What an HTTP answer of the ingress was. */
export interface IngressAnswer {
  readonly status: number;
  readonly body: string;
  readonly json: () => unknown;
}

/** Everything a test of the ingress works with. */
export interface IngressHarness {
  readonly store: RequestStore;
  readonly slack: SlackApiStandIn;
  readonly sfn: StepFunctionsRecorder;
  readonly slackApp: SlackApp;
  readonly config: Config;
  /** The log lines the app wrote. */
  readonly logs: string[];
  /** The fake clock (ms since the epoch) the app reads. */
  readonly clock: { now: number };
  /** A Web API client on the stand-in, for setting scenes as the workflow would. */
  readonly web: WebClient;
  /** Where the app is served: `http://127.0.0.1:<port>/slack/events`. */
  readonly url: string;
  /** Posts a raw body with the given headers to `POST /slack/events` over loopback HTTP. */
  post(body: string, headers: Record<string, string>): Promise<IngressAnswer>;
  /** Runs `/jit <text>` as `user`; returns the HTTP answer and what the person was shown (commandReplies). */
  command(
    user: string,
    text: string,
    options?: { retryNum?: number },
  ): Promise<{ answer: IngressAnswer; responses: () => Record<string, unknown>[] }>;
  /** Sends an interactivity payload; returns the HTTP answer and what was posted to `response_url` (when the payload has one). */
  interact(
    payload: Record<string, unknown>,
    options?: { retryNum?: number },
  ): Promise<{ answer: IngressAnswer; responses: () => Record<string, unknown>[] }>;
  /** The block_actions payload of a click on one of the approval message's buttons (a fresh trigger and response_url). */
  clickPayload(user: string, actionId: string, request: AccessRequest): Record<string, unknown>;
  /** A click on one of the approval message's buttons. */
  click(
    user: string,
    actionId: string,
    request: AccessRequest,
    options?: { retryNum?: number },
  ): Promise<{ answer: IngressAnswer; responses: () => Record<string, unknown>[] }>;
  /** Submits a modal the stand-in holds, with the person's answers. */
  submitView(
    user: string,
    viewId: string,
    answers: Record<string, string | null>,
    options?: { retryNum?: number },
  ): Promise<IngressAnswer>;
  /** Does what the workflow does once it waits for approval: posts the approval message and keeps the token. */
  awaitApproval(request: AccessRequest, token: string): Promise<AccessRequest>;
  /** `/jit audit` exports, run in-process after the answer (with `auditExports: true`). */
  readonly exports?: LocalAuditExports;
  /** The DynamoDB API the store writes to. */
  readonly dynamo: EmbeddedDynamo;
}

/** Starts the whole ingress for a test file; the getter returns it inside tests. */
export function useSlackIngress(
  options: { config?: Config; directory?: SlackDirectory; auditExports?: boolean } = {},
): () => IngressHarness {
  const db = useDynamo();
  let harness: IngressHarness | undefined;
  let server: Server | undefined;
  let closeAll: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const { store } = db();
    const config = options.config ?? loadConfig();
    const slack = await startSlackApi({
      botToken: BOT_TOKEN,
      ...(options.directory ? { directory: options.directory } : {}),
    });
    const sfn = await startStepFunctionsRecorder();
    const logs: string[] = [];
    const clock = { now: Date.parse(T0) };
    const { dynamo } = db();
    const auditExports = options.auditExports
      ? localAuditExports({
          client: dynamo.client,
          tableName: dynamo.tableName,
          web: new WebClient(BOT_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } }),
          logger: sinkLogger((line) => logs.push(line), 'ontap-jit-audit-export', 'debug'),
        })
      : undefined;
    const slackApp = createSlackApp({
      ...(auditExports ? { auditExports } : {}),
      config,
      store,
      workflow: sfn.workflow,
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      slackApiUrl: slack.url,
      clock: { now: () => clock.now },
      logger: sinkLogger((line) => logs.push(line), 'ontap-jit-slack', 'debug'),
      metrics: sinkMetrics((line) => logs.push(line), 'ontap-jit-slack'),
    });
    server = createServer(nodeListenerFor(slackApp));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    const web = new WebClient(BOT_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });

    const post = async (body: string, headers: Record<string, string>): Promise<IngressAnswer> => {
      const res = await fetch(url, { method: 'POST', headers, body });
      const text = await res.text();
      return { status: res.status, body: text, json: () => JSON.parse(text) as unknown };
    };
    const responsesOf = (responseUrl: string) => () =>
      slack.responses.filter((r) => r.id === responseUrl.split('/').pop()).map((r) => r.body);
    const interact: IngressHarness['interact'] = async (payload, opts = {}) => {
      const body = interactionBody(payload);
      const answer = await post(body, signedHeaders(body, 'application/x-www-form-urlencoded', opts));
      const responseUrl = typeof payload.response_url === 'string' ? payload.response_url : '';
      return { answer, responses: responsesOf(responseUrl) };
    };

    const clickPayload: IngressHarness['clickPayload'] = (user, actionId, request) =>
      messageClick({
        user,
        ref: request.slack.approval ?? { channel: APPROVALS, ts: '0.000000' },
        actionId,
        value: request.id,
        triggerId: slack.issueTrigger(user),
        responseUrl: slack.issueResponseUrl(),
        nowMs: clock.now,
      });

    harness = {
      ...(auditExports ? { exports: auditExports } : {}),
      dynamo,
      store,
      slack,
      sfn,
      slackApp,
      config,
      logs,
      clock,
      web,
      url,
      post,
      async command(user, text, opts = {}) {
        const responseUrl = slack.issueResponseUrl();
        const body = commandBody({ user, text, trigger: slack.issueTrigger(user), responseUrl });
        const answer = await post(body, signedHeaders(body, 'application/x-www-form-urlencoded', opts));
        return { answer, responses: commandReplies(answer, responsesOf(responseUrl)) };
      },
      interact,
      clickPayload,
      async click(user, actionId, request, opts = {}) {
        return interact(clickPayload(user, actionId, request), opts);
      },
      async submitView(user, viewId, answers, opts = {}) {
        const payload = submissionOf(slack, user, viewId, answers);
        return (await interact(payload, opts)).answer;
      },
      async awaitApproval(request, token) {
        const message = approvalMessage(request);
        const posted = await web.chat.postMessage({ channel: APPROVALS, text: message.text, blocks: message.blocks });
        const ref = { channel: String(posted.channel), ts: String(posted.ts) };
        await store.setToken(request.id, 'approval', token, ['PENDING']);
        const { stored } = await store.update(request.id, ['PENDING'], (s) => ({
          ...s,
          request: { ...s.request, slack: { ...s.request.slack, approval: ref } },
        }));
        sfn.waitWith(token);
        return stored.request;
      },
    };
    closeAll = async () => {
      await new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
      });
      await slack.close();
      await sfn.close();
    };
  });
  afterAll(async () => {
    await closeAll?.();
  });
  beforeEach(() => {
    if (!harness) return;
    harness.slack.reset();
    harness.sfn.reset();
    harness.logs.length = 0;
    harness.clock.now = Date.parse(T0);
  });
  return () => {
    if (!harness) throw new Error('the Slack ingress is not running');
    return harness;
  };
}
