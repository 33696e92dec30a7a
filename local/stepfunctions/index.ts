/**
 * The workflow on this machine: the state machine synthesized from the same CDK construct AWS gets
 * (local/stepfunctions/local-definition.ts), run by the local runner with each task calling its handler in
 * process, and the Step Functions API served on loopback for the product's own SFN client.
 *
 *   const local = await startLocalWorkflow({ timeScale: 3600 });
 *   // point the product at it: SFN_ENDPOINT=local.url, STATE_MACHINE_ARN=local.stateMachineArn
 *
 * Each task runs its handler's `make(ports)` over the ports given (local/local-runtime.ts builds
 * them from the stand-ins): give them the same clock as `local.clock` so windows, waits and the
 * ONTAP simulator agree.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { make as awaitApproval } from '../../lambdas/handlers/await-approval';
import { make as awaitEnd } from '../../lambdas/handlers/await-end';
import { make as checkApproval } from '../../lambdas/handlers/check-approval';
import { make as grantAccess } from '../../lambdas/handlers/grant-access';
import { make as recordOutcome } from '../../lambdas/handlers/record-outcome';
import { make as revokeAccess } from '../../lambdas/handlers/revoke-access';
import { make as validateRequest } from '../../lambdas/handlers/validate-request';
import type { Clock } from '../../lambdas/runtime/clock';
import { getRuntime, type Runtime } from '../../lambdas/runtime/runtime';
import type { WorkflowTask } from '../../lib/workflow-definition';
import { type SfnFaults, startStepFunctionsApi } from './api-server';
import { RunCounters } from './counters';
import { type DefinitionCacheOptions, loadLocalWorkflowDefinition } from './definition-cache';
import { LocalStepFunctions, type TaskHandler, validateDefinition } from './runner';

export { SfnFaults, type StepFunctionsApi, startStepFunctionsApi } from './api-server';
export { type DynamoCounts, type ExecutionCounts, RunCounters } from './counters';
export {
  type ExecutionDescription,
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
  type TaskHandler,
} from './runner';

/** The workflow's task handlers, by function name (= task name), each over the ports `ports()` gives. */
export function workflowHandlers(ports: () => Promise<Runtime>): Readonly<Record<WorkflowTask, TaskHandler>> {
  return {
    'validate-request': validateRequest(ports),
    'await-approval': awaitApproval(ports),
    'check-approval': checkApproval(ports),
    'grant-access': grantAccess(ports),
    'await-end': awaitEnd(ports),
    'revoke-access': revokeAccess(ports),
    'record-outcome': recordOutcome(ports),
  };
}

function productHandlers(options: LocalWorkflowOptions): Record<string, TaskHandler> {
  const handlers = Object.entries(workflowHandlers(options.ports ?? getRuntime));
  const { wrapTask } = options;
  return Object.fromEntries(
    wrapTask ? handlers.map(([task, handler]) => [task, wrapTask(task as WorkflowTask, handler)]) : handlers,
  );
}

/** Options of the local workflow. */
export interface LocalWorkflowOptions {
  /** Business time runs this many times faster than real time (see runner.ts). @default 1 */
  readonly timeScale?: number;
  /** The clock Wait states read; share it with the runtime and the ONTAP simulator. @default scaledClock(timeScale) */
  readonly clock?: Clock;
  /** Port of the Step Functions API. @default any free port */
  readonly port?: number;
  /** Where counts go (pass one to count DynamoDB calls with `counters.countDynamo(client)`). @default new */
  readonly counters?: RunCounters;
  /** Execution events, one record each. @default none */
  readonly log?: (record: Record<string, unknown>) => void;
  /** The ports the task handlers run with. @default the runtime from the environment, as in a Lambda */
  readonly ports?: () => Promise<Runtime>;
  /** Wraps each of the product's task handlers (benchmarks time them). @default none */
  readonly wrapTask?: (task: WorkflowTask, handler: TaskHandler) => TaskHandler;
  /** Replaces task handlers (by task name). @default the product's, over `ports` */
  readonly handlers?: Partial<Record<WorkflowTask, TaskHandler>>;
  /** Characters of each task token. @default 64 */
  readonly taskTokenChars?: number;
  /** Where the synthesized definition is cached by the hash of its sources. @default see definition-cache.ts */
  readonly definitionCache?: DefinitionCacheOptions;
  /** Runs as each Step Functions API call arrives, before it is served (a latency profile's delay). @default none */
  readonly beforeApiCall?: (operation: string) => Promise<void> | void;
}

/** A running local workflow. */
export interface LocalWorkflow {
  /** The runner: executions, counters, `whenWaiting`. */
  readonly sfn: LocalStepFunctions;
  /** The Step Functions API endpoint (`SFN_ENDPOINT`). */
  readonly url: string;
  /** `STATE_MACHINE_ARN`. */
  readonly stateMachineArn: string;
  readonly counters: RunCounters;
  readonly clock: Clock;
  /** Faults of the Step Functions API (a signal that never arrives). */
  readonly faults: SfnFaults;
  /** An SFN client for `url` (any credentials are accepted). */
  sfnClient(): SFNClient;
  /** Stops every execution and the API. */
  close(): Promise<void>;
}

/** Starts the workflow locally. */
export async function startLocalWorkflow(options: LocalWorkflowOptions = {}): Promise<LocalWorkflow> {
  const { asl } = await loadLocalWorkflowDefinition({
    ...options.definitionCache,
    validate: (d) => validateDefinition(d.asl as unknown as StateMachineDefinition),
  });
  const counters = options.counters ?? new RunCounters();
  const sfn = new LocalStepFunctions({
    definition: asl as unknown as StateMachineDefinition,
    prevalidated: true,
    handlers: { ...productHandlers(options), ...options.handlers },
    counters,
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.taskTokenChars !== undefined ? { taskTokenChars: options.taskTokenChars } : {}),
  });
  const api = await startStepFunctionsApi(sfn, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.beforeApiCall ? { beforeCall: options.beforeApiCall } : {}),
  });
  return {
    sfn,
    url: api.url,
    stateMachineArn: sfn.stateMachineArn,
    counters,
    clock: sfn.clock,
    faults: api.faults,
    sfnClient: () =>
      new SFNClient({
        endpoint: api.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 2,
      }),
    async close() {
      sfn.close();
      await api.close();
    },
  };
}
