/**
 * The local stack as the benchmarks run it (`startLocalStack`, time-scaled), with what they read
 * besides the product: a business clock fine enough to turn the ONTAP simulator's call times back
 * into real milliseconds, every task handler timed, DynamoDB request units metered, and the Slack
 * driver pointed at the app.
 */
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../lambdas/runtime/clock';
import { executionArnFor } from '../lambdas/stepfunctions/client';
import { RequestStore } from '../lambdas/store/requests';
import { WORKFLOW_TASKS, type WorkflowTask } from '../lib/workflow-definition';
import { localDynamoClient } from '../local/dynamodb';
import type { LatencyProfile } from '../local/latency-profile';
import type { OntapSimulator } from '../local/ontap-sim';
import type { SlackApiStandIn } from '../local/slack-api/server';
import { type LocalStack, startLocalStack } from '../local/stack';
import type { TaskHandler } from '../local/stepfunctions';
import { CapacityMeter } from './capacity';
import { SignedPoster, SlackDriver } from './slack-driver';
import { BENCH_DIRECTORY, benchFixture, SPEED, TASK_TOKEN_CHARS, writeBenchConfig } from './workload';

/** A business clock `speed` times faster than real time, read from the monotonic high-resolution timer. */
export function fineClock(speed: number): Clock & { realMs(businessMs: number): number } {
  const startMs = Date.now();
  const origin = performance.now();
  return {
    now: () => startMs + Math.floor((performance.now() - origin) * speed),
    /** The `performance.now()` at which the clock read `businessMs`. */
    realMs: (businessMs) => origin + (businessMs - startMs) / speed,
  };
}

/** A running benchmark stack. */
export interface BenchStack {
  readonly stack: LocalStack;
  readonly slack: SlackApiStandIn;
  readonly simulator: OntapSimulator;
  readonly driver: SlackDriver;
  readonly clock: ReturnType<typeof fineClock>;
  /** Request units of every call through the product's DynamoDB client. */
  readonly capacity: CapacityMeter;
  /** Real milliseconds of each task handler invocation, by task. */
  readonly taskMs: Record<WorkflowTask, number[]>;
  /** A store on a client of its own: what the benchmark reads is neither counted nor metered. */
  readonly observer: RequestStore;
  /** The configuration file the stack runs with. */
  readonly configPath: string;
  /** The configuration the bundled functions read (JIT_CONFIG): the cluster's endpoint is the simulator's. */
  readonly functionsConfigPath: string;
  /** The execution ARN of a request's workflow. */
  executionOf(requestId: string): string;
  /**
   * Holds every workflow task until the returned function is called: the calls in a window are then
   * the Slack endpoint's alone (in AWS the tasks run in functions of their own).
   */
  holdTasks(): () => void;
  close(): Promise<void>;
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Settings that would point the local stack at real services; the benchmarks always run embedded. */
const REAL_PARTS = [
  'DYNAMODB_ENDPOINT',
  'SLACK_API_URL',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'JIT_PORT',
  'SFN_PORT',
  'ONTAP_SIM_PORT',
  'SLACK_STANDIN_PORT',
];

/**
 * Starts the stack on free ports with the benchmark's world (business time `speed` times faster),
 * every dependency as slow as `latency` says when given, the reconciler off when `reconciler: false`.
 */
export async function startBenchStack(
  options: { speed?: number; latency?: LatencyProfile; reconciler?: boolean } = {},
): Promise<BenchStack> {
  const speed = options.speed ?? SPEED;
  for (const name of REAL_PARTS) delete process.env[name];
  const clock = fineClock(speed);
  const taskMs = Object.fromEntries(WORKFLOW_TASKS.map((t) => [t, [] as number[]])) as Record<WorkflowTask, number[]>;
  let held: Promise<void> | undefined;
  const wrapTask = (task: WorkflowTask, handler: TaskHandler): TaskHandler =>
    (async (event: never) => {
      while (held) await held;
      const started = performance.now();
      try {
        return await handler(event);
      } finally {
        taskMs[task].push(performance.now() - started);
      }
    }) as TaskHandler;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const configPath = writeBenchConfig();
  const stack = await startLocalStack({
    port: await freePort(),
    speed,
    clock,
    configPath,
    slackDirectory: BENCH_DIRECTORY,
    ontapFixture: benchFixture(),
    wrapTask,
    // AWS's task tokens are long (the API takes up to 2,048 characters) and the request item carries two.
    taskTokenChars: TASK_TOKEN_CHARS,
    logLevel: 'warn',
    ...(options.latency ? { latency: options.latency } : {}),
    ...(options.reconciler !== undefined ? { reconciler: options.reconciler } : {}),
  });
  const { slack, simulator } = stack;
  if (!slack || !simulator) throw new Error('the benchmark needs the embedded Slack stand-in and ONTAP simulator');
  const functionsConfigPath = writeBenchConfig(simulator);
  const poster = new SignedPoster(stack.urls.slackEvents, stack.signingSecret);
  const observerClient = localDynamoClient(stack.urls.dynamodb);
  const capacity = new CapacityMeter(stack.dynamoClient);
  return {
    stack,
    slack,
    simulator,
    driver: new SlackDriver(slack, poster, stack.config.slack.approvalChannel),
    clock,
    capacity,
    taskMs,
    configPath,
    functionsConfigPath,
    observer: new RequestStore({
      client: observerClient,
      tableName: 'ontap-jit-requests',
      retentionSeconds: stack.config.retention,
    }),
    executionOf: (requestId) => executionArnFor(stack.workflow.stateMachineArn, requestId),
    holdTasks() {
      let release = (): void => undefined;
      const hold = new Promise<void>((resolve) => {
        release = resolve;
      });
      held = hold;
      return () => {
        if (held === hold) held = undefined;
        release();
      };
    },
    async close() {
      poster.close();
      capacity.stop();
      observerClient.destroy();
      await stack.close();
    },
  };
}
