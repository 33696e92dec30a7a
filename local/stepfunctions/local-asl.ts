/**
 * Turns a state machine definition into the one aws-local-stepfunctions 3.0.0 runs, closing the
 * gaps between that interpreter and Step Functions without changing what the workflow does:
 *
 * - Task tokens: the interpreter has none. `$$.Task.Token` in a `.waitForTaskToken` task's
 *   Parameters becomes a placeholder the runner swaps for a fresh token per attempt; the runner
 *   then waits for SendTaskSuccess/SendTaskFailure on it.
 * - Timeouts: the interpreter reads `TimeoutSecondsPath` from the task's *processed* input and
 *   times out every task after 60 s unless told otherwise. Each task's `TimeoutSeconds[Path]` is
 *   moved into a hidden `__local` parameter (evaluated against the state's input, as Step
 *   Functions does) and the runner enforces it; the interpreter's own timeout is set out of reach.
 * - Time scale: Wait states become tasks the runner runs on the scaled clock, token-wait timeouts
 *   are divided by the scale, and retry pauses too (Lambda task timeouts are work time and stay real;
 *   a retry that waits for a write in flight is shortened at most 60 times).
 *
 * Every task's Parameters are wrapped as `{ payload: <original>, __local: {...} }`; the runner
 * unwraps them before calling the handler.
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { ERROR_NAMES } from '../../lambdas/domain/error-names';
import { LocalDefinitionError } from './errors';

/** The value the runner replaces with the task token of the current attempt. */
export const TASK_TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';

/**
 * The timeout set on every task for the interpreter itself, in seconds: as long as Node's timers
 * allow (2^31 - 1 ms), so the runner's own timeouts always fire first. A single wait in a local run
 * is therefore limited to about 24 days of real time.
 */
export const INTERPRETER_TIMEOUT_SECONDS = 2_147_483;

/** How the runner runs one Task state of the rewritten definition. */
export type LocalTask =
  | { readonly kind: 'lambda'; readonly functionName: string }
  | { readonly kind: 'lambda-invoke'; readonly functionName?: string }
  | { readonly kind: 'wait-for-token'; readonly functionName?: string }
  | { readonly kind: 'wait' };

/** The rewritten definition and how to run each of its tasks, by state name. */
export interface LocalDefinition {
  readonly asl: StateMachineDefinition;
  readonly tasks: ReadonlyMap<string, LocalTask>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(:.+)?$/;
const WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:local-wait';

/** The function name in a Lambda ARN, or the name itself. */
export function functionNameOf(nameOrArn: string): string {
  return LAMBDA_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
}

/** Rewrites `definition` for the local runner (see the module comment); `timeScale` >= 1 divides business time. */
export function prepareLocalDefinition(definition: StateMachineDefinition, timeScale = 1): LocalDefinition {
  const asl = structuredClone(definition) as unknown as { States: Record<string, JsonObject> } & JsonObject;
  const tasks = new Map<string, LocalTask>();
  for (const [name, state] of Object.entries(asl.States)) {
    switch (state.Type) {
      case 'Task':
        tasks.set(name, rewriteTask(name, state, timeScale));
        break;
      case 'Wait':
        asl.States[name] = rewriteWait(name, state);
        tasks.set(name, { kind: 'wait' });
        break;
      case 'Parallel':
      case 'Map':
        throw new LocalDefinitionError(
          `State "${name}": ${String(state.Type)} states are not supported by the local runner.`,
        );
      default:
        break;
    }
  }
  return { asl: asl as unknown as StateMachineDefinition, tasks };
}

function rewriteTask(name: string, state: JsonObject, timeScale: number): LocalTask {
  const resource = String(state.Resource ?? '');
  let task: LocalTask;
  if (resource.endsWith(':lambda:invoke.waitForTaskToken')) {
    task = { kind: 'wait-for-token', ...functionParameter(state) };
  } else if (resource.endsWith(':lambda:invoke')) {
    task = { kind: 'lambda-invoke', ...functionParameter(state) };
  } else if (LAMBDA_ARN.test(resource)) {
    task = { kind: 'lambda', functionName: functionNameOf(resource) };
  } else {
    throw new LocalDefinitionError(
      `State "${name}": resource ${resource} is not a Lambda function or lambda:invoke integration.`,
    );
  }
  const local: JsonObject = {};
  if (typeof state.TimeoutSeconds === 'number') local.timeoutSeconds = state.TimeoutSeconds;
  if (typeof state.TimeoutSecondsPath === 'string') local['timeoutSeconds.$'] = state.TimeoutSecondsPath;
  const parameters = state.Parameters === undefined ? undefined : replaceTokenPaths(state.Parameters);
  state.Parameters = { ...(parameters === undefined ? { 'payload.$': '$' } : { payload: parameters }), __local: local };
  delete state.TimeoutSecondsPath;
  delete state.HeartbeatSeconds;
  delete state.HeartbeatSecondsPath;
  state.TimeoutSeconds = INTERPRETER_TIMEOUT_SECONDS;
  if (Array.isArray(state.Retry)) state.Retry = state.Retry.map((r) => scaleRetrier(r, timeScale));
  return task;
}

function functionParameter(state: JsonObject): { functionName?: string } {
  const parameters = state.Parameters;
  if (
    parameters &&
    typeof parameters === 'object' &&
    !Array.isArray(parameters) &&
    typeof parameters.FunctionName === 'string'
  ) {
    return { functionName: functionNameOf(parameters.FunctionName) };
  }
  return {};
}

function rewriteWait(name: string, state: JsonObject): JsonObject {
  if (state.InputPath !== undefined && state.InputPath !== '$') {
    throw new LocalDefinitionError(`Wait state "${name}": InputPath is not supported by the local runner.`);
  }
  const local: JsonObject = {};
  for (const field of ['Seconds', 'Timestamp'] as const) {
    if (state[field] !== undefined) local[field.toLowerCase()] = state[field] as Json;
    if (state[`${field}Path`] !== undefined) local[`${field.toLowerCase()}.$`] = state[`${field}Path`] as Json;
  }
  const task: JsonObject = {
    Type: 'Task',
    Resource: WAIT_RESOURCE,
    Parameters: { payload: {}, __local: local },
    ResultPath: null,
    TimeoutSeconds: INTERPRETER_TIMEOUT_SECONDS,
  };
  for (const keep of ['Comment', 'Next', 'End', 'OutputPath'] as const) {
    if (state[keep] !== undefined) task[keep] = state[keep] as Json;
  }
  return task;
}

/** `"x.$": "$$.Task.Token"` becomes `"x": <placeholder>`, at any depth. */
function replaceTokenPaths(value: Json): Json {
  if (Array.isArray(value)) return value.map(replaceTokenPaths);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key.endsWith('.$') && v === '$$.Task.Token') out[key.slice(0, -2)] = TASK_TOKEN_PLACEHOLDER;
    else out[key] = replaceTokenPaths(v);
  }
  return out;
}

/**
 * Retries that wait on something in real time, not business time: Validate's wait for a request not recorded
 * yet waits for the Slack endpoint's write, in flight beside the start, which no business clock speeds up.
 * Their pauses are shortened at most this much, so the wait stays about eight real seconds at any scale.
 */
const REAL_TIME_RETRY_MAX_SCALE = 60;
const REAL_TIME_ERRORS: ReadonlySet<string> = new Set([ERROR_NAMES.requestNotRecorded]);

function scaleRetrier(retrier: Json, timeScale: number): Json {
  if (timeScale === 1 || retrier === null || typeof retrier !== 'object' || Array.isArray(retrier)) return retrier;
  const errors = Array.isArray(retrier.ErrorEquals) ? retrier.ErrorEquals : [];
  const realTime = errors.some((e) => typeof e === 'string' && REAL_TIME_ERRORS.has(e));
  const scale = realTime ? Math.min(timeScale, REAL_TIME_RETRY_MAX_SCALE) : timeScale;
  const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
  return {
    ...retrier,
    IntervalSeconds: interval / scale,
    ...(typeof retrier.MaxDelaySeconds === 'number' ? { MaxDelaySeconds: retrier.MaxDelaySeconds / scale } : {}),
  };
}
