/**
 * Cold start: every function bundle's size, its module initialisation, and its first and second
 * invocation, beside a minimal Bolt-on-Lambda baseline bundled the same way.
 *
 * Each sample is a fresh node process that loads the bundle (module initialisation: what Lambda's
 * init phase runs), then invokes its handler twice with real events against the local stack running
 * in this process (DynamoDB, Step Functions API, Slack stand-in, ONTAP simulator): the first
 * invocation pays for whatever the module left for later, the second is warm. Init + first
 * invocation is what a request landing on a new container waits for. Rounds go through every
 * bundle in turn, so a busy moment of the machine weighs on all of them alike.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { toUtcSecond } from '../lambdas/domain/durations';
import { newRequest } from '../lambdas/domain/request';
import { make as makeGrantAccess } from '../lambdas/handlers/grant-access';
import { nowOf } from '../lambdas/runtime/clock';
import { slashCommandBody } from '../local/sandbox/payloads';
import { DEFAULT_INSTALL } from '../local/sandbox/platform';
import { signSlackRequest } from '../local/sandbox/signature';
import { type Bundle, bundle } from './bundle';
import { type BenchStack, startBenchStack } from './local';
import { median, round } from './stats';
import { APPROVER, BENCH_CONFIG, requester } from './workload';

const ROOT = resolve(__dirname, '..');
const RUNS = 10;
const run = promisify(execFile);

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
  readonly firstInvocationMsMedian: number;
  readonly secondInvocationMsMedian: number;
  /** Init + first invocation: a request that lands on a new container. */
  readonly coldRequestMsMedian: number;
  readonly coldRequestRatioToBaseline: number;
  /** What the first invocation is: the event it handles. */
  readonly event: string;
  /** Invocations that threw or answered an error (should be none). */
  readonly failures: number;
}

/** The figures of one run. */
interface Sample {
  init: number;
  first: number;
  second: number;
  ok: boolean;
  error?: string;
}

/** The child: load, invoke twice, print the timings on the last line. */
const CHILD = `
const events = JSON.parse(process.env.BENCH_EVENTS);
const ms = (a, b) => Number(b - a) / 1e6;
const failed = (r) => r && typeof r === 'object' && typeof r.statusCode === 'number' && r.statusCode >= 400;
const t0 = process.hrtime.bigint();
const m = require(process.env.BENCH_BUNDLE);
const t1 = process.hrtime.bigint();
(async () => {
  const r1 = await m.handler(events[0], {});
  const t2 = process.hrtime.bigint();
  const r2 = await m.handler(events[1], {});
  const t3 = process.hrtime.bigint();
  return { init: ms(t0, t1), first: ms(t1, t2), second: ms(t2, t3), ok: !failed(r1) && !failed(r2) };
})().then(
  (out) => { process.stdout.write('\\n@@bench ' + JSON.stringify(out) + '\\n'); process.exit(0); },
  (e) => { process.stdout.write('\\n@@bench ' + JSON.stringify({ init: 0, first: 0, second: 0, ok: false, error: String(e && e.stack || e) }) + '\\n'); process.exit(0); },
);
`;

/** What the section found. */
export interface ColdStartResult {
  readonly baseline: ColdStartRow;
  readonly functions: ColdStartRow[];
  readonly runs: number;
  /** The baseline and the Slack endpoint again, with `--enable-source-maps` (as the stack ran them before). */
  readonly withSourceMaps: ColdStartRow[];
}

/** Bundles every handler and the baseline, and measures them in one run. */
export async function measureColdStarts(runs = RUNS): Promise<ColdStartResult> {
  const bundles = await productBundles(join(ROOT, 'lambdas/handlers'));
  const base = await baselineBundle();
  const [baseline, ...functions] = await measureBundles([base, ...bundles], runs);
  if (!baseline) throw new Error('no baseline bundle');
  const ingress = bundles.filter((b) => b.name === 'slack-ingress');
  const withSourceMaps = await measureBundles([base, ...ingress], Math.max(3, Math.ceil(runs / 2)), {
    sourceMaps: true,
  });
  return { baseline, functions, runs, withSourceMaps };
}

/** The Bolt baseline, bundled like the product's functions. */
export function baselineBundle(): Promise<Bundle> {
  return bundle('bolt-baseline', join(ROOT, 'bench/baseline/bolt-lambda.ts'));
}

/** Every handler under `handlersDir`, bundled with the configuration as the stack does; names may carry a `label:` prefix. */
export async function productBundles(handlersDir: string, label = ''): Promise<Bundle[]> {
  // task-handler.ts is what the task entries share, not an entry of its own.
  const entries = readdirSync(handlersDir).filter((f) => f.endsWith('.ts') && f !== 'task-handler.ts');
  // The product's functions carry their configuration, as the stack builds them.
  const configText = JSON.stringify(BENCH_CONFIG, null, 2);
  const out: Bundle[] = [];
  for (const entry of entries)
    out.push(await bundle(`${label}${entry.replace(/\.ts$/, '')}`, join(handlersDir, entry), { configText }));
  return out;
}

/**
 * Measures `bundles` (the first is the baseline the ratios are to) in rounds against a local stack of
 * their own; `sourceMaps: true` runs them with `--enable-source-maps` (what the stack set until it was measured).
 */
export async function measureBundles(
  bundles: readonly Bundle[],
  runs: number,
  options: { sourceMaps?: boolean } = {},
): Promise<ColdStartRow[]> {
  // Business time at the wall clock's pace: the child processes read the system clock.
  const b = await startBenchStack({ speed: 1 });
  try {
    const events = new ColdEvents(b);
    const samples = bundles.map(() => [] as Sample[]);
    for (let r = 0; r < runs; r++) {
      for (const [i, bun] of bundles.entries())
        samples[i]?.push(await sampleOf(b, bun, await events.pair(functionOf(bun.name)), options.sourceMaps ?? false));
    }
    const rows = bundles.map((bun, i) => summarise(bun, samples[i] ?? [], events.describe(functionOf(bun.name))));
    const baseline = rows[0];
    if (!baseline) return [];
    return rows.map((row) => ({
      ...row,
      bytesRatio: round(row.bytes / baseline.bytes),
      gzipRatio: round(row.gzipBytes / baseline.gzipBytes),
      ratioToBaseline: round(row.initMsMedian / baseline.initMsMedian),
      coldRequestRatioToBaseline: round(row.coldRequestMsMedian / baseline.coldRequestMsMedian),
    }));
  } finally {
    await b.close();
  }
}

/** The function a bundle name stands for (`before:grant-access` is grant-access). */
function functionOf(name: string): string {
  return name.split(':').at(-1) ?? name;
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
    ratioToBaseline: 1,
    firstInvocationMsMedian: m((s) => s.first),
    secondInvocationMsMedian: m((s) => s.second),
    coldRequestMsMedian: m((s) => s.init + s.first),
    coldRequestRatioToBaseline: 1,
    event,
    failures: samples.length - ok.length,
  };
}

async function sampleOf(b: BenchStack, bun: Bundle, events: [unknown, unknown], sourceMaps: boolean): Promise<Sample> {
  const { stack, simulator } = b;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The stack no longer sets it (lib/constructs/jit-function.ts); the bench can still show what it costs.
    ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    JIT_TABLE_NAME: 'ontap-jit-requests',
    TABLE_NAME: 'ontap-jit-requests',
    JIT_LOG_LEVEL: 'error',
    DYNAMODB_ENDPOINT: stack.urls.dynamodb,
    SFN_ENDPOINT: stack.urls.stepFunctions,
    STATE_MACHINE_ARN: stack.workflow.stateMachineArn,
    SLACK_API_URL: stack.urls.slackApi,
    SLACK_BOT_TOKEN: stack.botToken,
    SLACK_SIGNING_SECRET: stack.signingSecret,
    // The configuration compiled into the bundles has no endpoint for the cluster: this one names the simulator's.
    JIT_CONFIG: b.functionsConfigPath,
    ONTAP_CLUSTER1_USERNAME: simulator.credentials.username,
    ONTAP_CLUSTER1_PASSWORD: simulator.credentials.password,
    BENCH_BUNDLE: bun.file,
    BENCH_EVENTS: JSON.stringify(events),
  };
  const { stdout } = await run(process.execPath, ['-e', CHILD], { env, maxBuffer: 16 * 2 ** 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('@@bench '));
  if (!line) return { init: 0, first: 0, second: 0, ok: false, error: 'no result' };
  const sample = JSON.parse(line.slice('@@bench '.length)) as Sample;
  if (!sample.ok) process.stderr.write(`   ${bun.name}: ${sample.error ?? 'an invocation answered an error'}\n`);
  return sample;
}

/**
 * Two events per function and run, each with the state it needs made fresh in the stack: the
 * ingress gets `/jit` (the request modal opens: users.info, views.open), the baseline `/hello`;
 * each task the input the state machine gives it, for a request in the status it expects.
 */
export class ColdEvents {
  private serial = 0;
  private user = 0;

  constructor(private readonly b: BenchStack) {}

  describe(name: string): string {
    const what: Record<string, string> = {
      'bolt-baseline': '/hello (ack only; Bolt checks its token with auth.test first)',
      'slack-ingress': '/jit (users.info, views.open: the request modal)',
      'validate-request': 'PENDING request: ONTAP checks, update, DM',
      'await-approval': 'PENDING request: keep token, post approval message',
      'check-approval': 'APPROVED request, phase start: read, route',
      'grant-access': 'APPROVED request: lock, ONTAP POST, GRANTED, announce',
      'await-end': 'ACTIVE request: keep token',
      'revoke-access': 'ACTIVE request: ONTAP DELETE, EXPIRED, announce',
      'record-outcome': 'APPROVED request, GRANT_FAILED: record, announce',
      reconcile: 'scheduled: one pass over the needs-attention index',
    };
    return what[name] ?? '';
  }

  async pair(name: string): Promise<[unknown, unknown]> {
    return [await this.event(name), await this.event(name)];
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
      case 'revoke-access':
        return { requestId: await this.request('ACTIVE'), wait: { Error: 'States.Timeout' } };
      case 'record-outcome':
        return {
          requestId: await this.request('APPROVED'),
          outcome: 'GRANT_FAILED',
          error: { Error: 'OntapTransientError', Cause: 'cluster busy' },
        };
      case 'reconcile':
        return { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
      default:
        throw new Error(`no cold-start event for ${name}`);
    }
  }

  private now(): string {
    return toUtcSecond(nowOf(this.b.clock));
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
