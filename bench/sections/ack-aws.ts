/**
 * Slack's 3 seconds under the `aws` latency profile: every request kind of the acknowledgement
 * section, warm (the stack's own Slack endpoint, already serving) and cold (a fresh process loading
 * the bundled slack-ingress function: its init, its read of the Slack secret, its first request),
 * with the dependency calls made before Slack got its answer, read from the seams' call logs between
 * the request leaving and the answer arriving. Each request is sent once everything before it has
 * settled (its workflow waiting, no call for a while), and the workflow's tasks are held until the
 * answer arrives (in AWS they run in functions of their own), so the calls in its window are its own.
 */

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileConfig } from '../../lambdas/config/compile';
import { latencyProfile, type SeamCall, type SeamCalls } from '../../local/latency-profile';
import { signSlackRequest } from '../../local/sandbox/signature';
import { LOCAL_SLACK_SECRET_ID } from '../../local/secret-ingress';
import type { StoredView } from '../../local/slack-api/server';
import { type Bundle, bundle } from '../bundle';
import { functionEnv, LOAD_HANDLER, runFunctionProcess } from '../function-process';
import { type BenchStack, startBenchStack } from '../local';
import { type Answer, SignedPoster, SlackDriver } from '../slack-driver';
import { round, type Summary, summarize } from '../stats';
import { APPROVER, requester } from '../workload';
import { ACK_KINDS, type AckKind } from './ack';

const ROOT = resolve(__dirname, '../..');
const JUSTIFICATION = 'Benchmark: restore the snapmirror schedule on vol_data';

/** Targets (reported, not asserted): p99 cold and warm, in milliseconds. */
export const ACK_AWS_TARGETS = { coldP99Ms: 1500, warmP99Ms: 600 } as const;

/** One kind's figures, warm or cold. */
export interface AckAwsRow {
  readonly latencyMs: Summary;
  /** Dependency calls before the answer, per request (median). */
  readonly callsBeforeAnswer: number;
  /** Which ones, as the median request made them (`<seam> <operation>` × count). */
  readonly callsByOperation: Record<string, number>;
  readonly targetP99Ms: number;
  readonly met: boolean;
  readonly failures: number;
}

/** What the section found. */
export interface AckAwsResult {
  readonly profile: Record<string, number>;
  readonly warm: Record<AckKind, AckAwsRow>;
  readonly cold: Record<AckKind, AckAwsRow>;
  readonly warmRounds: number;
  readonly coldRounds: number;
}

/** A poster that signs and keeps a body instead of sending it (the cold function is sent it instead). */
class KeepingPoster extends SignedPoster {
  kept = '';
  override post(body: string): Promise<Answer> {
    this.kept = body;
    this.lastBody = body;
    return Promise.resolve({ status: 200, body: '', ms: 0 });
  }
}

/** Waits until no seam has been called for `quietMs` (work behind an answer, finishing), at most 10 s. */
async function settle(seams: SeamCalls, quietMs = 300): Promise<void> {
  const until = performance.now() + 10_000;
  for (;;) {
    const last = seams.between(0, Number.POSITIVE_INFINITY).at(-1)?.at ?? 0;
    const now = performance.now();
    if (now - last >= quietMs || now > until) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const label = (c: SeamCall): string => `${c.seam} ${c.operation}`;

function tally(calls: readonly SeamCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[label(c)] = (out[label(c)] ?? 0) + 1;
  return out;
}

function row(samples: { ms: number; calls: SeamCall[]; ok: boolean }[], targetP99Ms: number): AckAwsRow {
  const ok = samples.filter((s) => s.ok);
  const latencyMs = summarize(ok.map((s) => s.ms));
  const byCount = [...ok].sort((a, b) => a.calls.length - b.calls.length);
  const median = byCount[Math.floor(byCount.length / 2)];
  return {
    latencyMs,
    callsBeforeAnswer: median?.calls.length ?? 0,
    callsByOperation: tally(median?.calls ?? []),
    targetP99Ms,
    met: ok.length > 0 && latencyMs.p99 <= targetP99Ms,
    failures: samples.length - ok.length,
  };
}

/** The four kinds in a round's order; `send` posts each (warm) or hands its body to a fresh process (cold). */
async function round4(
  b: BenchStack,
  driver: SlackDriver,
  seams: SeamCalls,
  r: number,
  send: (kind: AckKind, post: () => Promise<Answer>) => Promise<void>,
): Promise<void> {
  const alice = requester(2 * r).id;
  const dave = requester(2 * r + 1).id;
  const sfn = b.stack.workflow.sfn;
  await send('slash command: /jit opens the modal', async () => (await driver.command(alice, '')).answer);
  const form: StoredView | undefined = b.slack.topViewOf(alice);
  if (!form) throw new Error(`/jit opened no modal for ${alice}`);
  let requestId = '';
  await send('modal submit', async () => {
    const submitted = await driver.submitForm(alice, form, JUSTIFICATION);
    requestId = submitted.requestId;
    return submitted.answer;
  });
  await sfn.whenWaiting(b.executionOf(requestId), 'AwaitApproval');
  await settle(seams);
  let lineRequestId = '';
  await send('slash command: one-line request (text shortcut)', async () => {
    const line = await driver.command(dave, `svm1 vsadmin 1h ${JUSTIFICATION}`);
    lineRequestId = line.requestId;
    return line.answer;
  });
  // Its workflow validates it and posts its approval message before anything else is sent.
  await sfn.whenWaiting(b.executionOf(lineRequestId), 'AwaitApproval');
  await settle(seams);
  const message = b.driver.approvalMessage(requestId);
  await send('button: Approve', () => driver.approve(APPROVER, message));
  await sfn.whenWaiting(b.executionOf(requestId), 'AwaitEnd');
  await settle(seams);
}

/** The child: load the bundle, invoke it once, print the moments (epoch ms) and the answer's status. */
const CHILD = `${LOAD_HANDLER}
const at = () => performance.timeOrigin + performance.now();
const t0 = at();
let t1;
loadHandler(process.env.BENCH_BUNDLE).then((m) => {
  t1 = at();
  return m.handler(JSON.parse(process.env.BENCH_EVENT), {});
}).then(
  (r) => process.stdout.write('\\n@@bench ' + JSON.stringify({ t0, t1, t2: at(), status: r.statusCode }) + '\\n'),
  (e) => process.stdout.write(
    '\\n@@bench ' + JSON.stringify({ t0, t1, t2: at(), status: 0, error: String(e) }) + '\\n',
  ),
);
`;

/** A signed body as API Gateway (HTTP API, payload 2.0) hands it to the function. */
function lambdaEvent(body: string, signingSecret: string): unknown {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(signingSecret, body) };
  const http = {
    method: 'POST',
    path: '/slack/events',
    protocol: 'HTTP/1.1',
    sourceIp: '127.0.0.1',
    userAgent: 'Slackbot 1.0',
  };
  return {
    version: '2.0',
    routeKey: 'POST /slack/events',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers,
    requestContext: { http },
    body,
    isBase64Encoded: false,
  };
}

async function coldRequest(
  b: BenchStack,
  ingress: Bundle,
  body: string,
): Promise<{ ms: number; calls: SeamCall[]; ok: boolean }> {
  const { stack } = b;
  const env = functionEnv(b, ingress, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stack.urls.secretsManager ?? '',
    SLACK_SECRET_ARN: LOCAL_SLACK_SECRET_ID,
    BENCH_EVENT: JSON.stringify(lambdaEvent(body, stack.signingSecret)),
  });
  const result = await runFunctionProcess(CHILD, env);
  if (result === undefined) return { ms: 0, calls: [], ok: false };
  const out = result as { t0: number; t2: number; status: number; error?: string };
  if (out.status !== 200) process.stderr.write(`   cold slack-ingress: HTTP ${out.status} ${out.error ?? ''}\n`);
  // Seam calls are logged on this process's performance clock: back to it from the child's epoch times.
  const toLocal = (epochMs: number): number => epochMs - performance.timeOrigin;
  const seams = stack.seams;
  return {
    ms: out.t2 - out.t0,
    calls: seams ? seams.between(toLocal(out.t0), toLocal(out.t2)) : [],
    ok: out.status === 200,
  };
}

/** Runs `warmRounds` warm rounds (after one unmeasured) and `coldRounds` cold ones, each kind in each. */
export async function measureAckAws(warmRounds: number, coldRounds: number): Promise<AckAwsResult> {
  const profile = latencyProfile('aws');
  // Business time at the wall clock's pace: no window ends and no reconciler pass runs amid a measurement.
  const b = await startBenchStack({ speed: 1, latency: profile, reconciler: false });
  // What synth does with the configuration file (validate, convert to JSON); this one names the simulator.
  const text = readFileSync(b.functionsConfigPath, 'utf8');
  const { json } = compileConfig(text, b.functionsConfigPath);
  const ingress = await bundle('slack-ingress', join(ROOT, 'lambdas/handlers/slack-ingress.ts'), {
    configJson: json,
    configText: text,
  });
  try {
    const seams = b.stack.seams;
    if (!seams) throw new Error('the stack counts no calls');
    const empty = () => ({ ms: 0, calls: [] as SeamCall[], ok: true });
    const warm = Object.fromEntries(ACK_KINDS.map((k) => [k, [] as ReturnType<typeof empty>[]]));
    const cold = Object.fromEntries(ACK_KINDS.map((k) => [k, [] as ReturnType<typeof empty>[]]));

    for (let r = 0; r < warmRounds + 1; r++) {
      await round4(b, b.driver, seams, r, async (kind, post) => {
        const release = b.holdTasks();
        const from = performance.now();
        const answer = await post().finally(release);
        const to = performance.now();
        if (r > 0) warm[kind]?.push({ ms: answer.ms, calls: seams.between(from, to), ok: answer.status === 200 });
      });
    }
    // Cold: the body of each kind is built and signed here, and sent by a fresh process of the function.
    const keeping = new KeepingPoster(b.stack.urls.slackEvents, b.stack.signingSecret);
    const coldDriver = new SlackDriver(b.slack, keeping, b.stack.config.slack.approvalChannel);
    for (let r = 0; r < coldRounds; r++) {
      await round4(b, coldDriver, seams, 1000 + r, async (kind, build) => {
        await build();
        const release = b.holdTasks();
        const sample = await coldRequest(b, ingress, keeping.kept).finally(release);
        cold[kind]?.push(sample);
      });
    }
    const rows = (samples: typeof warm, target: number) =>
      Object.fromEntries(ACK_KINDS.map((k) => [k, row(samples[k] ?? [], target)])) as Record<AckKind, AckAwsRow>;
    return {
      profile: { ...profile.ms },
      warm: rows(warm, ACK_AWS_TARGETS.warmP99Ms),
      cold: rows(cold, ACK_AWS_TARGETS.coldP99Ms),
      warmRounds,
      coldRounds,
    };
  } finally {
    await b.close();
  }
}

/** One printable line per kind: p50/p99 warm and cold, and the calls before the answer. */
export function ackAwsRows(result: AckAwsResult): Record<string, unknown>[] {
  return ACK_KINDS.flatMap((kind) =>
    (['warm', 'cold'] as const).map((how) => {
      const r = result[how][kind];
      return {
        kind,
        how,
        p50: round(r.latencyMs.p50),
        p99: round(r.latencyMs.p99),
        target: `<= ${r.targetP99Ms}`,
        met: r.met ? 'met' : 'MISSED',
        calls: r.callsBeforeAnswer,
        which: Object.entries(r.callsByOperation)
          .map(([op, n]) => (n > 1 ? `${op} x${n}` : op))
          .join(', '),
      };
    }),
  );
}
