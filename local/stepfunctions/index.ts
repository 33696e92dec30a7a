/**
 * The workflow on this machine: the state machine synthesized from the same CDK construct AWS gets
 * (local/stepfunctions/local-definition.ts), run by the local runner with each task calling its handler in
 * process, and the Step Functions API served on loopback for the product's own SFN client.
 *
 *   const local = await startLocalWorkflow({ timeScale: 3600 });
 *   // point the product at it: SFN_ENDPOINT=local.url, STATE_MACHINE_ARN=local.stateMachineArn
 *   // (or setRuntimeForTesting({ workflow: new WorkflowClient({ client: sfnClient(local.url), ... }) }))
 *
 * The handlers read their runtime (lambdas/runtime/runtime.ts): give it the same clock as
 * `local.clock` so windows, waits and the ONTAP simulator agree.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { handler as awaitApproval } from '../../lambdas/handlers/await-approval';
import { handler as awaitEnd } from '../../lambdas/handlers/await-end';
import { handler as checkApproval } from '../../lambdas/handlers/check-approval';
import { handler as grantAccess } from '../../lambdas/handlers/grant-access';
import { handler as recordOutcome } from '../../lambdas/handlers/record-outcome';
import { handler as revokeAccess } from '../../lambdas/handlers/revoke-access';
import { handler as validateRequest } from '../../lambdas/handlers/validate-request';
import type { Clock } from '../../lambdas/runtime/clock';
import type { WorkflowTask } from '../../lib/workflow-definition';
import { type SfnFaults, startStepFunctionsApi } from './api-server';
import { RunCounters } from './counters';
import { renderLocalWorkflowDefinition } from './local-definition';
import { LocalStepFunctions, type TaskHandler } from './runner';

export { SfnFaults, type StepFunctionsApi, startStepFunctionsApi } from './api-server';
export { type DynamoCounts, type ExecutionCounts, RunCounters } from './counters';
export { type ExecutionDescription, LocalStepFunctions, type LocalStepFunctionsOptions } from './runner';

/** The workflow's task handlers, by function name (= task name). */
export const WORKFLOW_HANDLERS: Readonly<Record<WorkflowTask, TaskHandler>> = {
  'validate-request': validateRequest,
  'await-approval': awaitApproval,
  'check-approval': checkApproval,
  'grant-access': grantAccess,
  'await-end': awaitEnd,
  'revoke-access': revokeAccess,
  'record-outcome': recordOutcome,
};

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
  /** Replaces task handlers (by task name). @default WORKFLOW_HANDLERS */
  readonly handlers?: Partial<Record<WorkflowTask, TaskHandler>>;
  /** Characters of each task token. @default 64 */
  readonly taskTokenChars?: number;
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
  const { asl } = renderLocalWorkflowDefinition();
  const counters = options.counters ?? new RunCounters();
  const sfn = new LocalStepFunctions({
    definition: asl as unknown as StateMachineDefinition,
    handlers: { ...WORKFLOW_HANDLERS, ...options.handlers },
    counters,
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.taskTokenChars !== undefined ? { taskTokenChars: options.taskTokenChars } : {}),
  });
  const api = await startStepFunctionsApi(sfn, options.port !== undefined ? { port: options.port } : {});
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
