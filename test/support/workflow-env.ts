/**
 * The workflow end to end on loopback, for tests: the synthesized state machine on the local
 * runner, dynalite, the ONTAP simulator, the Slack Web API stand-in, all on one scaled clock
 * (one real second = one hour), and the Slack side's clicks done the way the ingress does them
 * (decision written to the store first, then the task token completed).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import type { Config } from '../../lambdas/config/schema';
import { approvalCompletion } from '../../lambdas/domain/approval-route';
import { toUtcSecond } from '../../lambdas/domain/durations';
import { type Actor, authorizeCancel, authorizeDecision, authorizeRevoke } from '../../lambdas/domain/policy';
import type { AccessRequest } from '../../lambdas/domain/request';
import type { LifecycleEvent } from '../../lambdas/domain/transitions';
import { OntapClient } from '../../lambdas/ontap';
import { type Clock, nowOf, scaledClock } from '../../lambdas/runtime/clock';
import { readEnv } from '../../lambdas/runtime/env';
import { reportUnresolvedGroup } from '../../lambdas/runtime/logger';
import { type Runtime, runtimeFromEnvironment } from '../../lambdas/runtime/runtime';
import { createSlackApp } from '../../lambdas/slack/app';
import { SlackDirectory as PeopleLookup } from '../../lambdas/slack/directory';
import { Notifier } from '../../lambdas/slack/notifier';
import { executionArnFor, WorkflowClient } from '../../lambdas/stepfunctions/client';
import type { RequestStore, TransitionResult } from '../../lambdas/store/requests';
import { RequestStore as Store } from '../../lambdas/store/requests';
import { type LocalArchive, startLocalArchive } from '../../local/audit-archive';
import { type EmbeddedDynamo, localDynamoClient, startEmbeddedDynamo } from '../../local/dynamodb';
import { type DynamoFaultProxy, startDynamoFaultProxy } from '../../local/dynamodb-fault-proxy';
import { withSimulator } from '../../local/local-config';
import { sinkLogger, sinkMetrics } from '../../local/local-logger';
import { type OntapSimulator, type SimCall, type SimulatorOptions, startOntapSimulator } from '../../local/ontap-sim';
import type { SlackDirectory } from '../../local/slack-api/directory';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';
import { nodeListenerFor } from '../../local/slack-ingress-server';
import {
  type ExecutionDescription,
  type LocalWorkflow,
  type LocalWorkflowOptions,
  startLocalWorkflow,
} from '../../local/stepfunctions';
import { TEST_CONFIG } from './configs';
import { pendingRequest } from './requests';
import {
  BOT_TOKEN,
  commandBody,
  commandReplies,
  type IngressAnswer,
  interactionBody,
  messageClick,
  SIGNING_SECRET,
  signedHeaders,
  submissionOf,
} from './slack';

/** One real second is an hour of business time. */
export const TIME_SCALE = 3600;

/** The example cluster's SVM uuids (local/ontap-sim/fixtures/example-cluster.json). */
export const SVM_UUID = {
  svm1: '02c9e252-41be-11e9-81d5-00a0986138f7',
  svm2: 'aaef7c38-4bd3-11e9-b238-0050568e2e25',
  /** The admin SVM, owner of cluster-scoped accounts (not listed by /api/svm/svms). */
  cluster1: '2903de6f-4bd2-11e9-b238-0050568e2e25',
} as const;

/** Everything a workflow test talks to. */
export interface WorkflowEnv {
  readonly dynamo: EmbeddedDynamo;
  readonly store: RequestStore;
  readonly sim: OntapSimulator;
  readonly slack: SlackApiStandIn;
  readonly local: LocalWorkflow;
  readonly workflow: WorkflowClient;
  readonly clock: Clock;
  /** Every log line the handlers wrote, metric lines included. */
  readonly logs: string[];
  /** The ports the task handlers run with (the runtime a Lambda would build). */
  readonly runtime: Runtime;
  /**
   * Records a request (as the Slack side does on submit; 4 hours on svm1 unless told) and starts its
   * workflow. The requester is the Slack user mapped to the request's ONTAP account (see `askerOf`).
   */
  submit(
    overrides?: Parameters<typeof pendingRequest>[0],
  ): Promise<{ id: string; executionArn: string; requester: string }>;
  /** Resolves once the execution waits on a token in `state` (AwaitApproval or AwaitEnd). */
  waiting(executionArn: string, state: 'AwaitApproval' | 'AwaitEnd'): Promise<void>;
  /** Resolves once the execution has stopped. */
  finished(executionArn: string): Promise<ExecutionDescription>;
  /** The clicks, as the Slack ingress handles them. */
  approve(id: string, by: string): Promise<TransitionResult>;
  deny(id: string, by: string, reason: string): Promise<TransitionResult>;
  cancel(id: string, by: string): Promise<TransitionResult>;
  revokeNow(id: string, by: string): Promise<TransitionResult>;
  /** ONTAP calls to the JIT entries, by method; with `requestId`, those whose body names it (a POST's comment). */
  jitCalls(method: 'POST' | 'DELETE' | 'GET', requestId?: string): SimCall[];
  /** The real Slack ingress in front of this workflow (only with `ingress: true`). */
  readonly ingress: WorkflowIngress;
  /** The proxy the store talks to dynalite through (only with `dynamoProxy: true`). */
  readonly dynamoProxy: DynamoFaultProxy;
  /** The audit archive the table's writes feed (only with `archive: true`). */
  readonly archive: LocalArchive;
}

/** The Slack ingress wired to the running workflow, driven with Slack-signed requests over loopback. */
export interface WorkflowIngress {
  /** `http://127.0.0.1:<port>/slack/events`. */
  readonly url: string;
  /** Lines the Slack app (Bolt and the Web API client included) logged. */
  readonly logs: string[];
  /** Posts a raw body with these headers. */
  post(body: string, headers: Record<string, string>): Promise<IngressAnswer>;
  /** `/jit <text>` typed by `user`; the answer and what the person was shown (commandReplies). */
  command(
    user: string,
    text: string,
    options?: { retryNum?: number },
  ): Promise<{ answer: IngressAnswer; responses: () => Record<string, unknown>[] }>;
  /** The block_actions payload of a click on the request's approval message (or the requester's DM) button. */
  clickPayload(user: string, actionId: string, requestId: string): Record<string, unknown>;
  /** Sends an interactivity payload as Slack does (form-encoded, signed). */
  interact(
    payload: Record<string, unknown>,
    options?: { retryNum?: number },
  ): Promise<{ answer: IngressAnswer; responses: () => Record<string, unknown>[] }>;
  /** A click on a decision button (`jit_approve`, `jit_cancel`, `jit_revoke`...). */
  click(
    user: string,
    actionId: string,
    requestId: string,
    options?: { retryNum?: number },
  ): Promise<{ answer: IngressAnswer; responses: () => Record<string, unknown>[] }>;
  /** Submits a modal the stand-in holds, with the person's answers (keyed by block kind). */
  submitView(
    user: string,
    viewId: string,
    answers: Record<string, string | null>,
    options?: { retryNum?: number },
  ): Promise<IngressAnswer>;
  /** Clicks Deny and answers the modal it opens with `reason`; the modal's answer. */
  deny(user: string, requestId: string, reason: string): Promise<IngressAnswer>;
  /** `/jit <text>` that should make a request: its id (from the reply) and execution. */
  request(
    user: string,
    text: string,
    options?: { retryNum?: number },
  ): Promise<{ id: string; executionArn: string; reply: string }>;
}

/** Seams for tests of races: task handlers replaced, the ONTAP client wrapped. */
export interface WorkflowEnvOptions {
  readonly handlers?: LocalWorkflowOptions['handlers'];
  readonly ontap?: (client: OntapClient) => OntapClient;
  /** The configuration. @default TEST_CONFIG */
  readonly config?: Config;
  /** The simulated cluster. @default the example cluster */
  readonly fixture?: SimulatorOptions['fixture'];
  /** The Slack workspace the stand-in knows. @default the example workspace */
  readonly directory?: SlackDirectory;
  /** The ONTAP client's per-call deadline and tries. @default 5000 ms, 2 tries */
  readonly ontapClient?: { readonly timeoutMs?: number; readonly attempts?: number };
  /** Also serve the real Slack ingress (createSlackApp) in front of the workflow. @default false */
  readonly ingress?: boolean;
  /** Put a fault-injecting proxy between the store and dynalite (`dynamoProxy`). @default false */
  readonly dynamoProxy?: boolean;
  /** Archive every audit item the store inserts: the change feed, the writer and the local S3 (`archive`). @default false */
  readonly archive?: boolean;
  /**
   * Build the ONTAP clients and the Slack notifier the way Lambda does, from the environment the
   * test sets (credentials, SLACK_BOT_TOKEN, ...), instead of the test's own. @default false
   */
  readonly clientsFromEnvironment?: boolean;
}

/** Starts the whole thing for a test file and stops it afterwards. */
export function useWorkflowEnv(options: WorkflowEnvOptions = {}): () => WorkflowEnv {
  let env: WorkflowEnv | undefined;
  let closers: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    const clock = scaledClock(TIME_SCALE);
    const config = options.config ?? TEST_CONFIG;
    const dynamo = await startEmbeddedDynamo();
    closers.push(() => dynamo.close());
    const sim = await startOntapSimulator({
      clock,
      ...(options.fixture !== undefined ? { fixture: options.fixture } : {}),
    });
    closers.push(() => sim.close());
    const slack = await startSlackApi(options.directory ? { directory: options.directory } : {});
    closers.push(() => slack.close());
    let runtimeNow: (() => Runtime) | undefined;
    const local = await startLocalWorkflow({
      timeScale: TIME_SCALE,
      clock,
      ports: async () => {
        if (!runtimeNow) throw new Error('a task ran before the test environment was ready');
        return runtimeNow();
      },
      ...(options.handlers ? { handlers: options.handlers } : {}),
    });
    closers.push(() => local.close());
    local.counters.countDynamo(dynamo.client);

    const logs: string[] = [];
    const logger = sinkLogger((line) => logs.push(line), 'test', 'debug');
    const metrics = sinkMetrics((line) => logs.push(line), 'test');
    const archive = options.archive
      ? await startLocalArchive({ dynamoEndpoint: dynamo.endpoint, logger, metrics })
      : undefined;
    if (archive) closers.push(() => archive.close());
    const tableEndpoint = archive?.dynamoEndpoint ?? dynamo.endpoint;
    const proxy = options.dynamoProxy ? await startDynamoFaultProxy(tableEndpoint) : undefined;
    if (proxy) closers.push(() => proxy.close());
    const storeClient = proxy || archive ? localDynamoClient(proxy?.url ?? tableEndpoint) : dynamo.client;
    if (proxy || archive) closers.push(() => storeClient.destroy());
    const store = new Store({
      client: storeClient,
      tableName: dynamo.tableName,
      retentionSeconds: config.retention,
      logger,
      metrics,
    });
    const workflow = new WorkflowClient({ client: local.sfnClient(), stateMachineArn: local.stateMachineArn });
    const plain = new OntapClient({
      endpoint: sim.url,
      username: sim.credentials.username,
      password: sim.credentials.password,
      ...(sim.caPem ? { ca: sim.caPem } : {}),
      timeoutMs: options.ontapClient?.timeoutMs ?? 5000,
      retry: { attempts: options.ontapClient?.attempts ?? 2, baseDelayMs: 250, maxDelayMs: 1000 },
      sleep: async () => undefined,
    });
    closers.push(() => plain.close());
    const ontap = options.ontap ? options.ontap(plain) : plain;
    const taskSlack = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    // From the environment: built on first use, so a test can set the variables in its own beforeAll.
    let built: Runtime | undefined;
    const build = (): Runtime =>
      options.clientsFromEnvironment
        ? {
            ...runtimeFromEnvironment(readEnv(), withSimulator(config, sim), { logger, metrics }),
            config,
            store,
            workflow,
            clock,
          }
        : {
            config,
            store,
            notifier: new Notifier({
              client: taskSlack,
              approvalChannel: config.slack.approvalChannel,
              policies: config.policies,
            }),
            directory: new PeopleLookup({
              web: taskSlack,
              accounts: config.slack.accounts,
              now: () => clock.now(),
              groupTtlSeconds: 0,
              onUnresolvedGroup: reportUnresolvedGroup(logger, metrics),
            }),
            workflow,
            clock,
            logger,
            metrics,
            ontap: async () => ontap,
          };
    runtimeNow = () => {
      built ??= build();
      return built;
    };

    /**
     * The Slack user who asks for an account: the one the configuration maps to it. A request for an
     * account that user is not mapped to is recorded for another Slack user who is (made up once per
     * account, mapped in the configuration and known to the Slack stand-in), as the Slack side would.
     */
    const askers = new Map<string, string>();
    const askerOf = (requester: { slackUserId: string; ontapAccount: string }): string => {
      const map = config.slack.accounts.map as Record<string, string>;
      if (map[requester.slackUserId] === requester.ontapAccount) return requester.slackUserId;
      let id = askers.get(requester.ontapAccount);
      if (id === undefined) {
        id = `U0ACCT${askers.size + 1}`;
        askers.set(requester.ontapAccount, id);
        map[id] = requester.ontapAccount;
        slack.setUser({
          id,
          name: id.toLowerCase(),
          realName: `Owner of ${requester.ontapAccount}`,
          email: `${id.toLowerCase()}@accounts.test`,
          tz: 'UTC',
        });
      }
      return id;
    };
    const policyOf = (request: AccessRequest) => {
      const policy = config.policies.find((p) => p.name === request.policy);
      if (!policy) throw new Error(`no policy ${request.policy}`);
      return policy;
    };
    const actor = (userId: string): Actor => ({ userId, groups: new Set() });
    const now = (): string => toUtcSecond(nowOf(clock));
    const decide = async (
      id: string,
      event: LifecycleEvent,
      authorize: (current: AccessRequest) => void,
      resume: (result: Extract<TransitionResult, { ok: true }>) => Promise<void>,
    ): Promise<TransitionResult> => {
      const result = await store.apply(id, event, authorize);
      if (result.ok) await resume(result);
      return result;
    };
    // With the completion the request as written gives, as the ingress sends it (an approval to grant now
    // takes the workflow straight to the grant).
    const resumeApproval = async (request: AccessRequest): Promise<void> => {
      const { tokens } = await store.getStored(request.id);
      const completion = approvalCompletion(request, nowOf(clock), policyOf(request));
      if (tokens.approval) await workflow.resumeApproval(tokens.approval, completion);
    };

    const ingress = options.ingress
      ? await startIngress({ config, store, workflow, clock, slack, stateMachineArn: local.stateMachineArn })
      : undefined;
    if (ingress) closers.push(() => ingress.close());

    env = {
      get ingress(): WorkflowIngress {
        if (!ingress) throw new Error('start the environment with { ingress: true }');
        return ingress.ingress;
      },
      get dynamoProxy(): DynamoFaultProxy {
        if (!proxy) throw new Error('start the environment with { dynamoProxy: true }');
        return proxy;
      },
      get archive(): LocalArchive {
        if (!archive) throw new Error('start the environment with { archive: true }');
        return archive;
      },
      dynamo,
      store,
      sim,
      slack,
      local,
      workflow,
      clock,
      logs,
      get runtime(): Runtime {
        if (!runtimeNow) throw new Error('the test environment is not started');
        return runtimeNow();
      },
      async submit(overrides = {}) {
        const asked = pendingRequest({
          createdAt: now(),
          svm: { name: 'svm1' },
          durationSeconds: 4 * 3600,
          ...overrides,
        });
        const request = { ...asked, requester: { ...asked.requester, slackUserId: askerOf(asked.requester) } };
        await store.create(request, request.requester.slackUserId);
        const { executionArn } = await workflow.start(request.id);
        return { id: request.id, executionArn, requester: request.requester.slackUserId };
      },
      waiting: (executionArn, state) => local.sfn.whenWaiting(executionArn, state),
      finished: (executionArn) => local.sfn.waitForExecution(executionArn),
      approve: (id, by) =>
        decide(
          id,
          { type: 'APPROVE', by, at: now() },
          (r) => authorizeDecision(policyOf(r), r, actor(by)),
          async (result) => {
            if (result.to === 'APPROVED') await resumeApproval(result.request);
          },
        ),
      deny: (id, by, reason) =>
        decide(
          id,
          { type: 'DENY', by, at: now(), reason },
          (r) => authorizeDecision(policyOf(r), r, actor(by)),
          (result) => resumeApproval(result.request),
        ),
      cancel: (id, by) =>
        decide(
          id,
          { type: 'CANCEL', by, at: now() },
          (r) => authorizeCancel(policyOf(r), r, actor(by)),
          (result) => resumeApproval(result.request),
        ),
      revokeNow: (id, by) =>
        decide(
          id,
          { type: 'REVOKE_REQUESTED', by, at: now() },
          (r) => authorizeRevoke(policyOf(r), r, actor(by)),
          async () => {
            const { tokens } = await store.getStored(id);
            if (tokens.end) await workflow.endNow(tokens.end);
          },
        ),
      jitCalls: (method, requestId) =>
        sim
          .calls()
          .filter(
            (c) =>
              c.method === method &&
              c.path.startsWith('/api/security/jit-privilege-users') &&
              (requestId === undefined || JSON.stringify(c.body).includes(requestId)),
          ),
    };
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    closers = [];
  });

  return () => {
    if (!env) throw new Error('the workflow environment is not running');
    return env;
  };
}

/** The Slack app as production builds it, served on loopback, its workflow client on the local runner. */
async function startIngress(deps: {
  config: Config;
  store: RequestStore;
  workflow: WorkflowClient;
  clock: Clock;
  slack: SlackApiStandIn;
  stateMachineArn: string;
}): Promise<{ ingress: WorkflowIngress; close(): Promise<void> }> {
  const { slack } = deps;
  const logs: string[] = [];
  const app = createSlackApp({
    config: deps.config,
    store: deps.store,
    workflow: deps.workflow,
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    slackApiUrl: slack.url,
    clock: deps.clock,
    logger: sinkLogger((line) => logs.push(line), 'ontap-jit-slack', 'debug'),
    metrics: sinkMetrics((line) => logs.push(line), 'ontap-jit-slack'),
  });
  const server: Server = createServer(nodeListenerFor(app));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  const post = async (body: string, headers: Record<string, string>): Promise<IngressAnswer> => {
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text, json: () => JSON.parse(text) as unknown };
  };
  const responsesOf = (responseUrl: string) => () =>
    slack.responses.filter((r) => r.id === responseUrl.split('/').pop()).map((r) => r.body);
  const interact: WorkflowIngress['interact'] = async (payload, opts = {}) => {
    const body = interactionBody(payload);
    const answer = await post(body, signedHeaders(body, 'application/x-www-form-urlencoded', opts));
    return { answer, responses: responsesOf(typeof payload.response_url === 'string' ? payload.response_url : '') };
  };
  const clickPayload: WorkflowIngress['clickPayload'] = (user, actionId, requestId) =>
    messageClick({
      user,
      ref: { channel: deps.config.slack.approvalChannel, ts: '0.000000' },
      actionId,
      value: requestId,
      triggerId: slack.issueTrigger(user),
      responseUrl: slack.issueResponseUrl(),
      nowMs: Date.now(),
    });
  const ingress: WorkflowIngress = {
    url,
    logs,
    post,
    async command(user, text, opts = {}) {
      const responseUrl = slack.issueResponseUrl();
      const body = commandBody({ user, text, trigger: slack.issueTrigger(user), responseUrl });
      const answer = await post(body, signedHeaders(body, 'application/x-www-form-urlencoded', opts));
      return { answer, responses: commandReplies(answer, responsesOf(responseUrl)) };
    },
    clickPayload,
    interact,
    click: (user, actionId, requestId, opts = {}) => interact(clickPayload(user, actionId, requestId), opts),
    async submitView(user, viewId, answers, opts = {}) {
      const payload = submissionOf(slack, user, viewId, answers);
      return (await interact(payload, opts)).answer;
    },
    async deny(user, requestId, reason) {
      const before = new Set(slack.views.keys());
      const { responses } = await ingress.click(user, 'jit_deny', requestId);
      const opened = [...slack.views.keys()].filter((k) => !before.has(k));
      if (opened.length !== 1) throw new Error(`deny opened no modal: ${JSON.stringify(responses())}`);
      return ingress.submitView(user, opened[0] as string, { reason });
    },
    async request(user, text, opts = {}) {
      const { answer, responses } = await ingress.command(user, text, opts);
      if (answer.status !== 200) throw new Error(`/jit answered ${answer.status}`);
      const reply = responses()
        .map((r) => String(r.text))
        .join('\n');
      const id = /`(JIT-[0-9A-Z]{12})`/.exec(reply)?.[1];
      if (!id) throw new Error(`/jit ${text} made no request: ${reply}`);
      return { id, executionArn: executionArnFor(deps.stateMachineArn, id), reply };
    },
  };
  return {
    ingress,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The configuration the workflow tests run with (test/support/configs.ts). */
export { TEST_CONFIG };
