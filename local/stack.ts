/**
 * The whole product on one machine: the embedded DynamoDB, the ONTAP simulator, the Slack Web API
 * stand-in with its sandbox page, the synthesized state machine on the local Step Functions runner,
 * the reconciler on the same scaled clock, and the Slack ingress at `POST /slack/events` — the same handlers the Lambdas run. Any part can
 * be the real thing instead: `DYNAMODB_ENDPOINT` for another DynamoDB API, `SLACK_API_URL` with
 * `SLACK_BOT_TOKEN` and `SLACK_SIGNING_SECRET` for a real workspace, and a cluster's `endpoint` in
 * the configuration for a real cluster (credentials from its `usernameEnv`/`passwordEnv`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../lambdas/config/schema';
import { RECONCILE_PERIOD_SECONDS } from '../lambdas/domain/attention';
import type { AccessRequest } from '../lambdas/domain/request';
import { type ReconcileOptions, type ReconcileResult, reconcile } from '../lambdas/lifecycle/reconcile';
import { type Clock, scaledClock } from '../lambdas/runtime/clock';
import type { LogLevel } from '../lambdas/runtime/logger';
import type { Runtime } from '../lambdas/runtime/runtime';
import { createSlackApp } from '../lambdas/slack/app';
import { WorkflowClient } from '../lambdas/stepfunctions/client';
import { RequestStore } from '../lambdas/store/requests';
import { AnswersInFlight } from './answers-first';
import { LOCAL_ARCHIVE_BUCKET, type LocalArchive, startLocalArchive } from './audit-archive';
import { localAuditExports } from './audit-exports';
import { auditLogRows, clusterShell } from './cluster-shell';
import { createTableInput, localDynamoClient, startEmbeddedDynamo } from './dynamodb';
import { startDynamoFaultProxy } from './dynamodb-fault-proxy';
import { type LatencyProfile, SeamCalls, seamHook } from './latency-profile';
import { loadLocalConfig, simulatedClusters, withSimulator } from './local-config';
import { sinkLogger, sinkMetrics } from './local-logger';
import { localRuntime } from './local-runtime';
import { type FixtureInput, type OntapSimulator, startOntapSimulator } from './ontap-sim';
import { createSandboxHandler, type SandboxHandler } from './sandbox/handler';
import { startSecretIngress } from './secret-ingress';
import type { SlackDirectory } from './slack-api/directory';
import { type SlackApiStandIn, startSlackApi } from './slack-api/server';
import { nodeListenerFor } from './slack-ingress-server';
import { type LocalWorkflow, type LocalWorkflowOptions, startLocalWorkflow, type TaskHandler } from './stepfunctions';

/** How the local stack is started. */
export interface LocalStackOptions {
  /** Port of the app (Slack endpoint and sandbox page). @default 3000 */
  readonly port?: number;
  /** Interface to listen on. @default 127.0.0.1 */
  readonly host?: string;
  /** Business time runs this many times faster than the wall clock (60: a one-hour grant ends in a minute). @default 1 */
  readonly speed?: number;
  /** Configuration file. @default JIT_CONFIG, else config/example.yaml */
  readonly configPath?: string;
  /** The environment to read real-part settings from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the handlers' JSON log lines go. @default discarded */
  readonly log?: (line: string) => void;
  /** Log level of the handlers. @default info */
  readonly logLevel?: LogLevel;
  /** The business clock every part reads (benchmarks pass a finer one). @default scaledClock(speed) */
  readonly clock?: Clock;
  /** The people and user groups of the Slack stand-in. @default its example workspace */
  readonly slackDirectory?: SlackDirectory;
  /** The cluster the ONTAP simulator plays. @default its example cluster */
  readonly ontapFixture?: FixtureInput;
  /** Wraps each workflow task handler (benchmarks time them). @default none */
  readonly wrapTask?: LocalWorkflowOptions['wrapTask'];
  /** Characters of each task token (benchmarks use AWS-sized ones). @default 64 */
  readonly taskTokenChars?: number;
  /**
   * Run the reconciler on the scaled clock, every RECONCILE_PERIOD_SECONDS of business time (at least
   * every 100 real ms); false leaves it to the caller (`LocalStack.reconcile`). @default true
   */
  readonly reconciler?: boolean;
  /**
   * Makes every dependency answer as slowly as the profile says (local/latency-profile.ts), counts
   * each seam's calls (`LocalStack.seams`), and has the Slack endpoint read its credentials from a
   * Secrets Manager stand-in as it does in AWS. @default none: loopback speed, credentials in memory
   */
  readonly latency?: LatencyProfile;
}

/** What the local stack serves. */
export interface LocalStackUrls {
  readonly app: string;
  readonly slackEvents: string;
  readonly sandbox?: string;
  readonly slackApi: string;
  readonly stepFunctions: string;
  readonly dynamodb: string;
  /** The local S3 API holding the audit archive (S3_ENDPOINT for its readers). */
  readonly s3: string;
  /** The audit archive's bucket there (AUDIT_ARCHIVE_BUCKET). */
  readonly archiveBucket: string;
  readonly ontap: Readonly<Record<string, string>>;
  /** The Secrets Manager stand-in the Slack endpoint reads (with a latency profile only). */
  readonly secretsManager?: string;
}

/** A running local stack. */
export interface LocalStack {
  readonly urls: LocalStackUrls;
  readonly config: Config;
  readonly store: RequestStore;
  /** The embedded ONTAP simulator, when a cluster uses it. */
  readonly simulator?: OntapSimulator;
  /** The Slack stand-in, unless a real workspace is used. */
  readonly slack?: SlackApiStandIn;
  /** The signing secret the ingress checks (generated for the stand-in). Never logged. */
  readonly signingSecret: string;
  /** The bot token the Slack stand-in accepts (generated for it). Never logged. */
  readonly botToken: string;
  readonly speed: number;
  /** The workflow on the local runner: executions, waits, and its counters (transitions, invocations, DynamoDB calls). */
  readonly workflow: LocalWorkflow;
  /** The ports the workflow's task handlers run with. */
  readonly runtime: Runtime;
  /** The DynamoDB client the store and the handlers share (its calls are counted). */
  readonly dynamoClient: DynamoDBClient;
  /** The calls each seam received, when started with a latency profile. */
  readonly seams?: SeamCalls;
  /** The latency profile in use, if any. */
  readonly latency?: LatencyProfile;
  /** The audit archive: the local S3, the table's change feed and the writer on it. */
  readonly archive: LocalArchive;
  /** Runs one reconciler pass now (the scheduled ones run by themselves unless `reconciler: false`). */
  reconcile(options?: ReconcileOptions): Promise<ReconcileResult>;
  /** Stops everything, in reverse order of start. */
  close(): Promise<void>;
}

/** A port the stack cannot use, named with what wanted it. */
export class PortInUseError extends Error {
  constructor(what: string, port: number, options?: { cause?: unknown }) {
    super(
      `Port ${port} (${what}) is already in use. Stop whatever uses it or choose another port (--port or JIT_PORT).`,
      options,
    );
    this.name = 'PortInUseError';
  }
}

/** Starts every part and returns once the Slack endpoint accepts requests. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const speed = options.speed ?? 1;
  if (!(speed >= 1) || !Number.isFinite(speed)) throw new RangeError('speed must be a number, 1 or more');
  let config = loadLocalConfig(options.configPath ?? env.JIT_CONFIG);
  const closers: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await Promise.resolve(closer()).catch(() => undefined);
  };
  try {
    const clock = options.clock ?? scaledClock(speed);
    const sink = options.log ?? (() => undefined);
    const logLevel = options.logLevel ?? 'info';
    const logger = sinkLogger(sink, 'ontap-jit-local', logLevel);
    const metrics = sinkMetrics(sink, 'ontap-jit-local');

    const profile = options.latency;
    const seams = profile ? new SeamCalls() : undefined;
    const hook = (seam: Parameters<typeof seamHook>[0]) =>
      profile && seams ? { beforeCall: seamHook(seam, profile, seams) } : {};

    // The parts start side by side; each registers its closer as soon as it is up, so a part that
    // fails to start stops the ones that did.
    const started = <T>(part: Promise<T>, closer: (value: T) => Promise<void> | void): Promise<T> =>
      part.then((value) => {
        closers.push(() => closer(value));
        return value;
      });

    // DynamoDB: embedded unless an endpoint is given, behind the change feed that archives its audit
    // items (the table's stream in AWS); with a profile, also behind a proxy that delays each call.
    let archive: LocalArchive | undefined;
    const startDynamo = async (): Promise<{ endpoint: string; client: DynamoDBClient; tableName: string }> => {
      let endpoint = env.DYNAMODB_ENDPOINT;
      let tableName = env.JIT_TABLE_NAME ?? 'ontap-jit-requests';
      let client: DynamoDBClient;
      if (endpoint) {
        const given = localDynamoClient(endpoint);
        closers.push(() => given.destroy());
        await given.send(new CreateTableCommand(createTableInput(tableName))).catch((error: unknown) => {
          if (!(error instanceof ResourceInUseException)) throw error;
        });
        client = given;
      } else {
        const dynamo = await started(startEmbeddedDynamo({ tableName }), (d) => d.close());
        ({ endpoint, client, tableName } = dynamo);
      }
      archive = await started(
        startLocalArchive({
          dynamoEndpoint: endpoint,
          logger,
          metrics,
          bucket: env.AUDIT_ARCHIVE_BUCKET ?? LOCAL_ARCHIVE_BUCKET,
        }),
        (a) => a.close(),
      );
      endpoint = archive.dynamoEndpoint;
      const archived = localDynamoClient(endpoint);
      closers.push(() => archived.destroy());
      client = archived;
      if (!profile) return { endpoint, client, tableName };
      const proxy = await started(startDynamoFaultProxy(endpoint, hook('dynamodb')), (p) => p.close());
      const delayed = localDynamoClient(proxy.url);
      closers.push(() => delayed.destroy());
      return { endpoint: proxy.url, client: delayed, tableName };
    };

    // ONTAP: one simulator serves every cluster configured without an endpoint.
    const simulated = simulatedClusters(config);
    const startSimulator = async (): Promise<OntapSimulator | undefined> =>
      simulated.length === 0
        ? undefined
        : started(
            startOntapSimulator({
              clock,
              ...(options.ontapFixture ? { fixture: options.ontapFixture } : {}),
              ...(env.ONTAP_SIM_PORT ? { port: Number(env.ONTAP_SIM_PORT) } : {}),
              ...hook('ontap'),
            }),
            (sim) => sim.close(),
          );

    // Slack: the stand-in unless a real Web API is named.
    let slackApiUrl = env.SLACK_API_URL;
    let botToken = env.SLACK_BOT_TOKEN;
    let signingSecret = env.SLACK_SIGNING_SECRET;
    if (!slackApiUrl) {
      botToken = `xoxb-local-${randomBytes(12).toString('hex')}`;
      // A given secret lets a test outside this process sign requests the way Slack would.
      signingSecret = signingSecret ?? randomBytes(16).toString('hex');
    } else if (!botToken || !signingSecret) {
      throw new Error('With SLACK_API_URL set, SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET must be set too.');
    }
    const token = botToken;
    const startSlack = async (): Promise<SlackApiStandIn | undefined> =>
      slackApiUrl
        ? undefined
        : started(
            startSlackApi({
              botToken: token,
              ...(options.slackDirectory ? { directory: options.slackDirectory } : {}),
              ...(env.SLACK_STANDIN_PORT ? { port: Number(env.SLACK_STANDIN_PORT) } : {}),
              ...hook('slack'),
            }),
            (standIn) => standIn.close(),
          );

    // The state machine, as synthesized for AWS, on the local runner; its tasks run with the ports below.
    // Each task (in AWS a function of its own) starts once the Slack answers being written are out.
    const answers = new AnswersInFlight();
    const wrapTask = (task: Parameters<NonNullable<LocalWorkflowOptions['wrapTask']>>[0], handler: TaskHandler) => {
      const inner = options.wrapTask ? options.wrapTask(task, handler) : handler;
      return answers.after(async (event: never) => inner(event)) as TaskHandler;
    };
    let ports: Runtime | undefined;
    const startWorkflow = (): Promise<LocalWorkflow> =>
      started(
        startLocalWorkflow({
          timeScale: speed,
          clock,
          ports: async () => {
            if (!ports) throw new Error('the local workflow ran a task before the stack was started');
            return ports;
          },
          ...(env.SFN_PORT ? { port: Number(env.SFN_PORT) } : {}),
          wrapTask,
          ...(options.taskTokenChars !== undefined ? { taskTokenChars: options.taskTokenChars } : {}),
          ...(profile ? { beforeApiCall: hook('stepFunctions').beforeCall } : {}),
          log: (record) => sink(JSON.stringify({ service: 'step-functions', ...record })),
        }),
        (workflow) => workflow.close(),
      );

    const parts = await Promise.allSettled([startDynamo(), startSimulator(), startSlack(), startWorkflow()]);
    for (const part of parts) if (part.status === 'rejected') throw part.reason;
    const [dynamo, simulator, slack, local] = parts.map((p) => (p.status === 'fulfilled' ? p.value : undefined)) as [
      Awaited<ReturnType<typeof startDynamo>>,
      OntapSimulator | undefined,
      SlackApiStandIn | undefined,
      LocalWorkflow,
    ];
    const { endpoint: dynamoEndpoint, client: dynamoClient, tableName } = dynamo;
    if (!archive) throw new Error('the audit archive did not start');
    const localArchive = archive;
    if (slack) slackApiUrl = slack.url;
    if (!slackApiUrl || !botToken || !signingSecret) throw new Error('Slack is not configured');

    const store = new RequestStore({
      client: dynamoClient,
      tableName,
      retentionSeconds: config.retention,
      logger,
      metrics,
    });

    const ontapUrls: Record<string, string> = {};
    if (simulator) {
      // The product reaches the simulator the way it reaches a real cluster: its endpoint and CA in the configuration.
      config = withSimulator(config, simulator);
      for (const cluster of config.clusters.filter((c) => simulated.includes(c.name))) {
        const { usernameEnv, passwordEnv } = cluster.credentials;
        if (usernameEnv && !env[usernameEnv]) env[usernameEnv] = simulator.credentials.username;
        if (passwordEnv && !env[passwordEnv]) env[passwordEnv] = simulator.credentials.password;
      }
    }
    for (const cluster of config.clusters) if (cluster.endpoint) ontapUrls[cluster.name] = cluster.endpoint;

    local.counters.countDynamo(dynamoClient);
    const workflow = new WorkflowClient({ client: local.sfnClient(), stateMachineArn: local.stateMachineArn });

    // The task handlers' ports: the same parts, so the workflow and the ingress see one world.
    const runtime = localRuntime({
      config,
      store,
      workflow,
      clock,
      logger,
      metrics,
      slack: new WebClient(botToken, { slackApiUrl }),
      timeScale: speed,
      // The simulator's credentials were put here above; a real cluster's come from the same place.
      variables: env,
    });
    ports = runtime;

    // The reconciler, on the same scaled clock as everything else (AWS runs it on a schedule).
    const reconcileNow = (opts?: ReconcileOptions): Promise<ReconcileResult> =>
      reconcile(runtime, logger.createChild({ persistentKeys: { task: 'reconcile' } }), opts);
    // A scheduled pass (in AWS a function of its own) starts once the Slack answers being written are out.
    if (options.reconciler !== false) closers.push(scheduleReconciler(answers.after(reconcileNow), speed));

    const slackLogger = sinkLogger(sink, 'ontap-jit-slack', logLevel);
    // `/jit audit` exports run in this process after the command's answer, on the same table and Slack.
    const auditExports = localAuditExports({
      client: dynamoClient,
      tableName,
      web: new WebClient(botToken, { slackApiUrl }),
      logger: sinkLogger(sink, 'ontap-jit-audit-export', logLevel),
    });
    const own = { config, store, workflow, clock, logger: slackLogger, metrics, auditExports };
    // With a profile the endpoint reads its credentials from Secrets Manager, as in AWS; else from memory.
    const secretIngress = profile
      ? await started(
          startSecretIngress({
            config,
            signingSecret,
            botToken,
            tableName,
            stateMachineArn: local.stateMachineArn,
            slackApiUrl,
            ...hook('secretsManager'),
            build: (deps) => createSlackApp({ ...deps, ...own }),
          }),
          (i) => i.close(),
        )
      : undefined;
    const ingress = nodeListenerFor(
      secretIngress?.app ?? createSlackApp({ ...own, signingSecret, botToken, slackApiUrl }),
    );

    const port = options.port ?? Number(env.JIT_PORT ?? 3000);
    const host = options.host ?? '127.0.0.1';
    let sandbox: SandboxHandler | undefined;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/slack/events') answers.track(res);
      if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (path === '/' && sandbox) return void res.writeHead(302, { location: '/sandbox/' }).end();
      if (sandbox) return sandbox(req, res, () => ingress(req, res));
      ingress(req, res);
    });
    await listen(server, port, host);
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    // The port the app really listens on (`--port 0` asks for any free one): the URLs and the sandbox use it.
    const base = `http://${host}:${(server.address() as AddressInfo).port}`;
    if (slack) {
      sandbox = createSandboxHandler({
        slack,
        ingressUrl: `${base}/slack/events`,
        signingSecret,
        channels: [{ id: config.slack.approvalChannel, name: 'jit-approvals' }],
        timeScale: speed,
        ...(simulator ? { clusterShell: clusterShell(simulator, store) } : {}),
        panels: [
          ...(simulator ? [{ title: 'ONTAP: JIT privilege users', fetch: async () => jitEntryRows(simulator) }] : []),
          { title: 'Requests', fetch: async () => requestRows(await recentRequests(store, slack)) },
          {
            title: 'Audit trail (selected message)',
            fetch: async ({ selected }) =>
              auditRows(store, selectedContent(slack, selected), await recentRequests(store, slack)),
          },
          ...(simulator ? [{ title: 'ONTAP: audit log (latest)', fetch: async () => auditLogRows(simulator) }] : []),
          {
            title: 'Audit archive, S3 (selected message)',
            fetch: async ({ selected }) =>
              archiveRows(localArchive, selectedContent(slack, selected), await recentRequests(store, slack)),
          },
        ],
      });
      const handler = sandbox;
      closers.push(() => handler.close());
    }

    return {
      urls: {
        app: base,
        slackEvents: `${base}/slack/events`,
        ...(sandbox ? { sandbox: `${base}/sandbox/` } : {}),
        slackApi: slackApiUrl,
        stepFunctions: local.url,
        dynamodb: dynamoEndpoint,
        s3: localArchive.s3.url,
        archiveBucket: localArchive.bucket,
        ontap: ontapUrls,
        ...(secretIngress ? { secretsManager: secretIngress.secretsManager.url } : {}),
      },
      config,
      store,
      runtime,
      ...(simulator ? { simulator } : {}),
      ...(slack ? { slack } : {}),
      signingSecret,
      botToken,
      speed,
      workflow: local,
      dynamoClient,
      archive: localArchive,
      reconcile: reconcileNow,
      ...(seams && profile ? { seams, latency: profile } : {}),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs a pass every period of business time, one at a time; returns what stops it (waiting for a pass under way). */
function scheduleReconciler(pass: () => Promise<unknown>, speed: number): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(
    () => {
      // A pass still going when the next is due: the next simply waits for the following tick.
      if (running) return;
      running = pass()
        .catch(() => undefined)
        .finally(() => {
          running = undefined;
        });
    },
    Math.max(100, (RECONCILE_PERIOD_SECONDS * 1000) / speed),
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError('the app', port, { cause: error }) : error),
    );
    server.listen(port, host, () => resolve());
  });
}

const SimEntrySchema = z.object({
  owner: z.object({ name: z.string().optional(), uuid: z.string() }),
  account: z.object({ name: z.string() }),
  role: z.object({ name: z.string() }).optional(),
  jit_state: z.string().optional(),
  start_time: z.string().optional(),
  end_time: z.string().optional(),
  comment: z.string().optional(),
});

/** The simulator's JIT entries as the cluster would list them, one flat row each. */
export function jitEntryRows(simulator: OntapSimulator): Record<string, string>[] {
  return simulator.jitEntries().map((record) => {
    const e = SimEntrySchema.parse(record);
    return {
      svm: e.owner.name ?? e.owner.uuid,
      account: e.account.name,
      role: e.role?.name ?? '',
      state: e.jit_state ?? '',
      start: e.start_time ?? '',
      end: e.end_time ?? '',
      comment: e.comment ?? '',
    };
  });
}

/** Everyone's requests, newest first (the local directory is small, so one query per person). */
async function recentRequests(store: RequestStore, slack: SlackApiStandIn): Promise<AccessRequest[]> {
  const lists = await Promise.all(slack.directory.users.map((u) => store.listByRequester(u.id, 20)));
  return lists.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function requestRows(requests: readonly AccessRequest[]): Record<string, unknown>[] {
  return requests.map((r) => ({
    id: r.id,
    status: r.status,
    requester: r.requester.ontapAccount,
    target: `${r.cluster}/${r.svm.name}`,
    role: r.role,
    until: 'window' in r && r.window ? r.window.end : '',
  }));
}

/** The selected message's text and blocks, where a request id shows (in button values, for one). */
function selectedContent(
  slack: SlackApiStandIn,
  selected: { channel: string; ts: string; text: string } | undefined,
): string | undefined {
  if (!selected) return undefined;
  const message = slack.messages.find((m) => m.channel === selected.channel && m.ts === selected.ts);
  return message ? `${message.text} ${JSON.stringify(message.blocks)}` : selected.text;
}

async function auditRows(
  store: RequestStore,
  selectedText: string | undefined,
  recent: readonly AccessRequest[],
): Promise<unknown> {
  const mentioned = recent.find((r) => selectedText?.includes(r.id));
  const request = mentioned ?? recent[0];
  if (!request) return 'No requests yet.';
  const trail = await store.auditTrail(request.id);
  return trail.map((e) => ({
    request: request.id,
    at: e.at,
    event: e.type,
    by: e.actor ?? '',
    to: e.to,
    detail: e.detail ?? '',
  }));
}

/** The archived objects (key and body) of the selected message's request, or of the newest request. */
async function archiveRows(
  archive: LocalArchive,
  selectedText: string | undefined,
  recent: readonly AccessRequest[],
): Promise<unknown> {
  const request = recent.find((r) => selectedText?.includes(r.id)) ?? recent[0];
  if (!request) return 'No requests yet.';
  const objects = await archive.objects(request.id);
  if (objects.length === 0) return `Nothing archived yet for ${request.id}.`;
  return objects.map((o) => ({ key: o.key, body: o.body.trim() }));
}
