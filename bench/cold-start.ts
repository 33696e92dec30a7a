/**
 * Cold start: every function bundle's size, its module initialisation, and its first and second
 * invocation, beside a minimal Bolt-on-Lambda baseline bundled the same way.
 *
 * Each sample is a fresh node process that loads the bundle (module initialisation: what Lambda's
 * init phase runs), then invokes its handler twice with real events against the local stack running
 * in this process (DynamoDB, Step Functions API, Slack stand-in, ONTAP simulator): the first
 * invocation pays for whatever the module left for later, the second is warm. Init + first
 * invocation is what a request landing on a new container waits for. The configuration is compiled
 * into the bundles as the stack does (no file to read); a bundle that leaves the AWS SDK out loads
 * it from node_modules through NODE_PATH, as Lambda's runtime does. Each invocation's effect is
 * checked (the modal opened, the request's new status), and any failure stops the section. Rounds go
 * through every bundle in turn, so a busy moment of the machine weighs on all of them alike.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileConfig } from '../lambdas/config/compile';
import { toUtcSecond } from '../lambdas/domain/durations';
import { newRequest } from '../lambdas/domain/request';
import { make as makeGrantAccess } from '../lambdas/handlers/grant-access';
import { nowOf } from '../lambdas/runtime/clock';
import { storeContext } from '../lambdas/store/context';
import { ExportClaims } from '../lambdas/store/export-claims';
import { localDynamoClient } from '../local/dynamodb';
import { LOCAL_S3_CREDENTIALS } from '../local/s3-server';
import { slashCommandBody } from '../local/sandbox/payloads';
import { DEFAULT_INSTALL } from '../local/sandbox/platform';
import { signSlackRequest } from '../local/sandbox/signature';
import { type Bundle, type BundleOptions, bundle } from './bundle';
import { functionEnv, LOAD_HANDLER, runFunctionProcess } from './function-process';
import { type BenchStack, startBenchStack } from './local';
import { median, round } from './stats';
import { APPROVER, requester } from './workload';

const ROOT = resolve(__dirname, '..');
const RUNS = 10;
/** The keys the local S3 API accepts, as the archive writer's process reads them. */
const LOCAL_S3_KEYS = {
  AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
};

/** One function's cold-start figures (medians over the runs). */
export interface ColdStartRow {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Bundle size relative to the Bolt baseline's (raw, gzip). */
  readonly bytesRatio: number;
  readonly gzipRatio: number;
  /** Loading the bundle in a fresh process (Lambda's init phase). */
  readonly initMsMedian: number;
  /** Init time relative to the Bolt baseline's. */
  readonly ratioToBaseline: number;
  /** CPU time of loading the bundle. */
  readonly initCpuMsMedian: number;
  readonly firstInvocationMsMedian: number;
  /** The function's own CPU time in its first invocation: what it costs apart from the calls it waits on. */
  readonly firstInvocationCpuMsMedian: number;
  readonly secondInvocationMsMedian: number;
  /** Init + first invocation: a request that lands on a new container. */
  readonly coldRequestMsMedian: number;
  readonly coldRequestRatioToBaseline: number;
  /** CPU time of init + first invocation: the cold request's own work, apart from waiting on the stand-ins and a busy machine. */
  readonly coldCpuMsMedian: number;
  /** Its ratio to the baseline's. */
  readonly coldCpuRatioToBaseline: number;
  /** What the first invocation is: the event it handles. */
  readonly event: string;
  /** Runs whose process loaded node's own fetch (its bundled undici, some 30 ms to compile). */
  readonly nodeFetchLoads: number;
  /** Invocations that threw or answered an error (should be none). */
  readonly failures: number;
  /** The largest packages in the bundle, by bytes of output. */
  readonly packages: ReadonlyArray<readonly [string, number]>;
}

/** What to bundle: a name (`label:function`), its entry, and how, when not as the stack does. */
export interface BundleSpec {
  readonly name: string;
  readonly entry: string;
  /** Bundled without the product's configuration (the Bolt baseline). */
  readonly noConfig?: boolean;
  readonly options?: Omit<BundleOptions, 'configJson'>;
}

/** The figures of one run. */
interface Sample {
  init: number;
  /** CPU time of loading the bundle: what init costs apart from waiting on a busy machine. */
  initCpu: number;
  first: number;
  /** CPU time of the function's own process during the first invocation (the rest is waiting on the stand-ins). */
  firstCpu: number;
  second: number;
  /** Whether node's own fetch (its bundled undici) was loaded by the two invocations. */
  nodeFetch?: boolean;
  ok: boolean;
  error?: string;
}

/** The child: load, invoke twice, print the timings on the last line. */
const CHILD = `${LOAD_HANDLER}
const events = JSON.parse(process.env.BENCH_EVENTS);
const ms = (a, b) => Number(b - a) / 1e6;
const failed = (r) => r && typeof r === 'object' && typeof r.statusCode === 'number' && r.statusCode !== 200;
(async () => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const m = await loadHandler(process.env.BENCH_BUNDLE);
  const t1 = process.hrtime.bigint();
  const ci = process.cpuUsage(c0);
  const c1 = process.cpuUsage();
  // As on AWS, where a function's first HTTPS call (Slack's, DynamoDB's) builds node's root certificate store.
  if (process.env.BENCH_ROOT_STORE) require('node:tls').createSecureContext();
  const r1 = await m.handler(events[0], {});
  const t2 = process.hrtime.bigint();
  const c2 = process.cpuUsage(c1);
  const r2 = await m.handler(events[1], {});
  const t3 = process.hrtime.bigint();
  const ok = !failed(r1) && !failed(r2);
  const error = ok ? undefined : 'answered ' + JSON.stringify([r1, r2]).slice(0, 400);
  const firstCpu = (c2.user + c2.system) / 1000;
  const initCpu = (ci.user + ci.system) / 1000;
  const nodeFetch = process.moduleLoadList.some((m) => m.includes('internal/deps/undici'));
  return { init: ms(t0, t1), initCpu, first: ms(t1, t2), firstCpu, second: ms(t2, t3), nodeFetch, ok, error };
})().then(
  (out) => { process.stdout.write('\\n@@bench ' + JSON.stringify(out) + '\\n'); process.exit(0); },
  (e) => { process.stdout.write('\\n@@bench ' + JSON.stringify({ init: 0, initCpu: 0, first: 0, firstCpu: 0, second: 0, ok: false, error: String(e && e.stack || e) }) + '\\n'); process.exit(0); },
);
`;

/** What the section found. */
export interface ColdStartResult {
  readonly baseline: ColdStartRow;
  readonly functions: ColdStartRow[];
  readonly runs: number;
  /** The baseline and the Slack endpoint again, with `--enable-source-maps` (as the stack ran them before). */
  readonly withSourceMaps: ColdStartRow[];
  /**
   * The baseline, the Slack endpoint and the ONTAP tasks again, each building node's root certificate store
   * in its first invocation as on AWS (every call there is HTTPS; here only ONTAP's is, so only the tasks
   * that call a cluster pay it).
   */
  readonly withRootStore: ColdStartRow[];
}

/** Bundles every handler and the baseline, and measures them in one run. */
export async function measureColdStarts(runs = RUNS): Promise<ColdStartResult> {
  const specs = productBundles(join(ROOT, 'lambdas/handlers'));
  const [baseline, ...functions] = await measureBundles([BASELINE, ...specs], runs);
  if (!baseline) throw new Error('no baseline bundle');
  const ingress = specs.filter((b) => b.name === 'slack-ingress');
  const fewer = Math.max(3, Math.ceil(runs / 2));
  const withSourceMaps = await measureBundles([BASELINE, ...ingress], fewer, { sourceMaps: true });
  const https = specs.filter((b) => ['slack-ingress', 'grant-access', 'validate-request'].includes(b.name));
  const withRootStore = await measureBundles([BASELINE, ...https], fewer, { rootStoreFirst: true });
  return { baseline, functions, runs, withSourceMaps, withRootStore };
}

/** The Bolt baseline, bundled like the product's functions (nothing of the product's left out, no configuration). */
export const BASELINE: BundleSpec = {
  name: 'bolt-baseline',
  entry: join(ROOT, 'bench/baseline/bolt-lambda.ts'),
  noConfig: true,
  options: { external: [] },
};

/** Every handler under `handlersDir`, bundled as the stack does unless `options` say otherwise; names may carry a `label:` prefix. */
export function productBundles(handlersDir: string, label = '', options?: BundleSpec['options']): BundleSpec[] {
  // task-handler.ts is what the task entries share, not an entry of its own.
  const entries = readdirSync(handlersDir).filter((f) => f.endsWith('.ts') && f !== 'task-handler.ts');
  return entries.map((entry) => ({
    name: `${label}${entry.replace(/\.ts$/, '')}`,
    entry: join(handlersDir, entry),
    ...(options ? { options } : {}),
  }));
}

/** How to run the measured processes. */
export interface RunOptions {
  /** With `--enable-source-maps` (what the stack set until it was measured). */
  readonly sourceMaps?: boolean;
  /** Each builds node's root certificate store at the start of its first invocation, as its first HTTPS call on AWS would. */
  readonly rootStoreFirst?: boolean;
}

/**
 * Bundles and measures `specs` (the first is the baseline the ratios are to) in rounds against a local
 * stack of their own, the stack's configuration compiled in, run as `options` say. Throws if any
 * invocation failed.
 */
export async function measureBundles(
  specs: readonly BundleSpec[],
  runs: number,
  options: RunOptions = {},
): Promise<ColdStartRow[]> {
  // Business time at the wall clock's pace: the child processes read the system clock.
  const b = await startBenchStack({ speed: 1 });
  try {
    // What synth does with the configuration file (validate, convert to JSON); this one names the simulator.
    const text = readFileSync(b.functionsConfigPath, 'utf8');
    const { json } = compileConfig(text, b.functionsConfigPath);
    const bundles: Bundle[] = [];
    for (const spec of specs) {
      const config = spec.noConfig ? {} : { configJson: json, configText: text };
      bundles.push(await bundle(spec.name, spec.entry, { ...spec.options, ...config }));
    }
    const events = new ColdEvents(b);
    const samples = bundles.map(() => [] as Sample[]);
    const errors: string[] = [];
    for (let r = 0; r < runs; r++) {
      for (const [i, bun] of bundles.entries()) {
        const name = functionOf(bun.name);
        const pair = await events.pair(name);
        const sample = await sampleOf(b, bun, pair.events, options);
        const missed = sample.ok ? await pair.check() : undefined;
        if (missed) Object.assign(sample, { ok: false, error: missed });
        if (!sample.ok) errors.push(`${bun.name}: ${sample.error ?? 'an invocation answered an error'}`);
        samples[i]?.push(sample);
      }
    }
    // A cold start that failed measured a shorter path than a person waits for: no figure is better than that one.
    if (errors.length > 0) throw new Error(`cold-start invocations failed:\n${[...new Set(errors)].join('\n')}`);
    const rows = bundles.map((bun, i) => summarise(bun, samples[i] ?? [], events.describe(functionOf(bun.name))));
    return againstFirst(rows);
  } finally {
    await b.close();
  }
}

/** The function a bundle name stands for (`before:grant-access` is grant-access). */
function functionOf(name: string): string {
  return name.split(':').at(-1) ?? name;
}

/** `rows` with their ratios (size, init, init + first invocation, CPU) to the first of them, the baseline. */
export function againstFirst(rows: ColdStartRow[]): ColdStartRow[] {
  const [baseline] = rows;
  if (!baseline) return rows;
  return rows.map((row) => ({
    ...row,
    bytesRatio: round(row.bytes / baseline.bytes),
    gzipRatio: round(row.gzipBytes / baseline.gzipBytes),
    ratioToBaseline: round(row.initMsMedian / baseline.initMsMedian),
    coldRequestRatioToBaseline: round(row.coldRequestMsMedian / baseline.coldRequestMsMedian),
    coldCpuRatioToBaseline: round(row.coldCpuMsMedian / baseline.coldCpuMsMedian),
  }));
}

function summarise(bun: Bundle, samples: Sample[], event: string): ColdStartRow {
  const ok = samples.filter((s) => s.ok);
  const m = (pick: (s: Sample) => number): number => round(median(ok.map(pick)));
  return {
    name: bun.name,
    bytes: bun.bytes,
    gzipBytes: bun.gzipBytes,
    bytesRatio: 1,
    gzipRatio: 1,
    initMsMedian: m((s) => s.init),
    initCpuMsMedian: m((s) => s.initCpu),
    ratioToBaseline: 1,
    firstInvocationMsMedian: m((s) => s.first),
    firstInvocationCpuMsMedian: m((s) => s.firstCpu),
    secondInvocationMsMedian: m((s) => s.second),
    coldRequestMsMedian: m((s) => s.init + s.first),
    coldRequestRatioToBaseline: 1,
    coldCpuMsMedian: m((s) => s.initCpu + s.firstCpu),
    coldCpuRatioToBaseline: 1,
    event,
    nodeFetchLoads: ok.filter((s) => s.nodeFetch).length,
    failures: samples.length - ok.length,
    packages: bun.packages.slice(0, 8),
  };
}

async function sampleOf(b: BenchStack, bun: Bundle, events: [unknown, unknown], options: RunOptions): Promise<Sample> {
  const env = functionEnv(b, bun, {
    // The stack no longer sets it (lib/constructs/jit-function.ts); the bench can still show what it costs.
    ...(options.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    ...(options.rootStoreFirst ? { BENCH_ROOT_STORE: '1' } : {}),
    TABLE_NAME: 'ontap-jit-requests',
    // The archive writer's bucket on the local S3 API, which accepts only its own keys.
    AUDIT_ARCHIVE_BUCKET: b.stack.urls.archiveBucket,
    S3_ENDPOINT: b.stack.urls.s3,
    ...(bun.name.endsWith('archive-writer') ? LOCAL_S3_KEYS : {}),
    SLACK_BOT_TOKEN: b.stack.botToken,
    SLACK_SIGNING_SECRET: b.stack.signingSecret,
    BENCH_EVENTS: JSON.stringify(events),
  });
  const result = await runFunctionProcess(CHILD, env);
  if (result === undefined)
    return { init: 0, initCpu: 0, first: 0, firstCpu: 0, second: 0, ok: false, error: 'no result' };
  return result as Sample;
}

/**
 * Two events per function and run, each with the state it needs made fresh in the stack: the
 * ingress gets `/jit` (the request modal opens: users.info, views.open), the baseline `/hello`;
 * each task the input the state machine gives it, for a request in the status it expects.
 */
export class ColdEvents {
  private serial = 0;
  private user = 0;

  private readonly claims: ExportClaims;

  constructor(private readonly b: BenchStack) {
    const client = localDynamoClient(b.stack.urls.dynamodb);
    this.claims = new ExportClaims(storeContext({ client, tableName: 'ontap-jit-requests', retentionSeconds: 86_400 }));
  }

  describe(name: string): string {
    const what: Record<string, string> = {
      'bolt-baseline': '/hello (ack only; Bolt checks its token with auth.test first)',
      'slack-ingress': '/jit (users.info, views.open: the request modal)',
      'validate-request': 'PENDING request: ONTAP checks, update, DM',
      'await-approval': 'PENDING request: keep token, post approval message',
      'check-approval': 'APPROVED request, phase start: read, route',
      'grant-access': 'APPROVED request: lock, ONTAP POST, GRANTED, announce',
      'await-end': 'ACTIVE request: keep token',
      'revoke-access': 'ACTIVE request, Revoke now: ONTAP DELETE, REVOKED, announce',
      'record-outcome': 'APPROVED request, GRANT_FAILED: record, announce',
      reconcile: 'scheduled: one pass over the needs-attention index',
      'archive-writer': 'stream batch of one audit INSERT: conditional PUT to the archive',
      'audit-export': '/jit audit job: claim, table scan, CSV upload to the DM',
    };
    return what[name] ?? '';
  }

  /** Two fresh events for `name`, and a check, after both ran, that each did its work (a reason when not). */
  async pair(name: string): Promise<{ events: [unknown, unknown]; check: () => Promise<string | undefined> }> {
    const opened = this.viewsOpened();
    const shared = this.filesShared();
    const events: [unknown, unknown] = [await this.event(name), await this.event(name)];
    const ids = events.map((e) => (e as { requestId?: string }).requestId);
    const after: Record<string, string> = {
      'grant-access': 'ACTIVE',
      'revoke-access': 'REVOKED',
      'record-outcome': 'FAILED',
    };
    const check = async (): Promise<string | undefined> => {
      if (name === 'slack-ingress' && this.viewsOpened() !== opened + 2) return 'the request modal was not opened';
      if (name === 'audit-export' && this.filesShared() !== shared + 2) return 'the audit export was not shared';
      const status = after[name];
      if (!status) return undefined;
      for (const id of ids) {
        const found = id === undefined ? undefined : (await this.b.observer.get(id)).status;
        if (found !== status) return `request ${id} is ${found}, not ${status}`;
      }
      return undefined;
    };
    return { events, check };
  }

  private filesShared(): number {
    return [...this.b.slack.files.values()].filter((f) => f.completed).length;
  }

  private viewsOpened(): number {
    return this.b.slack.calls.filter((c) => c.method === 'views.open').length;
  }

  private async event(name: string): Promise<unknown> {
    switch (name) {
      case 'bolt-baseline':
        return this.slashCommand('/hello', '');
      case 'slack-ingress':
        return this.slashCommand('/jit', '');
      case 'validate-request':
        return { requestId: await this.request('PENDING') };
      case 'await-approval':
        return { requestId: await this.request('PENDING'), taskToken: `cold-start-${this.serial}` };
      case 'check-approval':
        return { requestId: await this.request('APPROVED'), phase: 'start' };
      case 'grant-access':
        return { requestId: await this.request('APPROVED'), start: this.now(), sessionValiditySeconds: 3600 };
      case 'await-end':
        return { requestId: await this.request('ACTIVE'), taskToken: `cold-start-${this.serial}` };
      case 'revoke-access': {
        // "Revoke now": a grant woken by its wait's clock before its end (an hour away at this speed) is not revoked.
        const requestId = await this.request('ACTIVE');
        await this.b.observer.apply(requestId, { type: 'REVOKE_REQUESTED', by: APPROVER, at: this.now() });
        return { requestId, wait: { reason: 'REVOKE_NOW' } };
      }
      case 'record-outcome':
        return {
          requestId: await this.request('APPROVED'),
          outcome: 'GRANT_FAILED',
          error: { Error: 'OntapTransientError', Cause: 'cluster busy' },
        };
      case 'reconcile':
        return { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
      case 'archive-writer':
        return this.auditInsert();
      case 'audit-export':
        return this.exportJob();
      default:
        throw new Error(`no cold-start event for ${name}`);
    }
  }

  private now(): string {
    return toUtcSecond(nowOf(this.b.clock));
  }

  /** A stream batch of one new audit item, of a request id never archived (so the PUT is a first write). */
  private auditInsert(): unknown {
    this.serial += 1;
    const requestId = `cold-${Date.now()}-${this.serial}`;
    const keys = { pk: { S: `REQ#${requestId}` }, sk: { S: 'AUDIT#000000' } };
    const image = { ...keys, requestId: { S: requestId }, seq: { N: '0' }, at: { S: this.now() } };
    const event = { ...image, type: { S: 'REQUESTED' }, to: { S: 'PENDING' }, actor: { S: APPROVER } };
    const record = { eventID: `cold-${this.serial}`, eventName: 'INSERT', dynamodb: { Keys: keys, NewImage: event } };
    return { Records: [{ ...record, dynamodb: { ...record.dynamodb, SequenceNumber: String(this.serial) } }] };
  }

  /** An export job of `/jit audit`, its command claimed as the Slack endpoint claims it before answering. */
  private async exportJob(): Promise<unknown> {
    this.serial += 1;
    const key = `T0LOCAL:audit:cold-${Date.now()}-${this.serial}`;
    const at = this.now();
    await this.claims.claim(key, at);
    const since = toUtcSecond(nowOf(this.b.clock).minus({ days: 30 }));
    return { key, user: APPROVER, at, filter: { since, until: at }, policies: ['svm1-operators'] };
  }

  /** A signed slash command as API Gateway (HTTP API, payload 2.0) hands it to the function. */
  private slashCommand(command: string, text: string): unknown {
    const user = requester(this.user++);
    const body = slashCommandBody(DEFAULT_INSTALL, {
      user: { id: user.id, name: user.name },
      channel: { id: 'C0GENERAL', name: 'general' },
      command,
      text,
      responseUrl: this.b.slack.issueResponseUrl({ user: user.id, channel: 'C0GENERAL' }),
      triggerId: this.b.slack.issueTrigger(user.id),
    });
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(this.b.stack.signingSecret, body),
    };
    return {
      version: '2.0',
      routeKey: 'POST /slack/events',
      rawPath: '/slack/events',
      rawQueryString: '',
      headers,
      requestContext: {
        http: {
          method: 'POST',
          path: '/slack/events',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'Slackbot 1.0',
        },
      },
      body,
      isBase64Encoded: false,
    };
  }

  /** A fresh request of a requester of its own, brought to `status` the way the product does. */
  private async request(status: 'PENDING' | 'APPROVED' | 'ACTIVE'): Promise<string> {
    const store = this.b.observer;
    this.serial += 1;
    const id = `JIT-COLD${String(this.serial).padStart(8, '0')}`;
    const who = requester(this.user++);
    await store.create(
      newRequest({
        id,
        createdAt: this.now(),
        requester: { slackUserId: who.id, ontapAccount: who.name },
        cluster: 'cluster1',
        svm: { name: 'svm1', uuid: '02c9e252-41be-11e9-81d5-00a0986138f7' },
        role: 'vsadmin',
        application: 'ssh',
        policy: 'svm1-operators',
        approvalsRequired: 1,
        durationSeconds: 3600,
        justification: 'Benchmark: cold start of the functions',
      }),
      who.id,
    );
    if (status === 'PENDING') return id;
    await store.apply(id, { type: 'APPROVE', by: APPROVER, at: this.now() });
    if (status === 'APPROVED') return id;
    // Granted by the product's own task, run here: the lock is taken and the JIT entry exists.
    await makeGrantAccess(async () => this.b.stack.runtime)({
      requestId: id,
      start: this.now(),
      sessionValiditySeconds: 3600,
    });
    return id;
  }
}
