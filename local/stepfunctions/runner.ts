/**
 * Runs a state machine definition locally with aws-local-stepfunctions 3.0.0, each Lambda task
 * calling its handler in process, and adds what that interpreter lacks: task tokens
 * (`.waitForTaskToken`), per-task timeouts, a time scale, executions by name, and counters.
 *
 * Time scale: with `timeScale: 3600` one real second is one hour of business time. The clock
 * handlers read (`clock`, default `scaledClock(timeScale)`) runs that much faster, Wait states
 * wait until their timestamp on that clock, token-wait timeouts and retry pauses are divided by
 * the scale. Lambda task timeouts are not: they bound real work. Give the ONTAP simulator the
 * same clock so its windows agree with the product's.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { type Clock, scaledClock } from '../../lambdas/runtime/clock';
import { invocationContext, RunCounters } from './counters';
import { SfnApiError, TaskFailedError } from './errors';
import { type LocalTask, prepareLocalDefinition, TASK_TOKEN_PLACEHOLDER } from './local-asl';
import './polyfill';

/** A task function: what a Lambda handler is, minus the Lambda context. */
export type TaskHandler = (event: never) => unknown;

/** Checks a definition as the interpreter does (its schema, paths and ARNs); throws what it finds. */
export function validateDefinition(definition: StateMachineDefinition): void {
  new StateMachine(definition);
}

/** Options of the local runner. */
export interface LocalStepFunctionsOptions {
  /** The definition was validated already (a cached one is validated before it is stored). @default false */
  readonly prevalidated?: boolean;
  /** The state machine definition (plain ASL; see local/stepfunctions/local-definition.ts for the workflow's). */
  readonly definition: StateMachineDefinition;
  /** Task handlers by Lambda function name. */
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  /** Business time runs this many times faster than real time. @default 1 */
  readonly timeScale?: number;
  /** The clock Wait timestamps are read on. @default scaledClock(timeScale) */
  readonly clock?: Clock;
  /** @default arn:aws:states:us-east-1:000000000000:stateMachine:ontap-jit-workflow */
  readonly stateMachineArn?: string;
  /** Where the counts go. @default a new RunCounters */
  readonly counters?: RunCounters;
  /** Called with one JSON-able record per execution event worth logging. @default nothing */
  readonly log?: (record: Record<string, unknown>) => void;
  /** Characters of each task token (AWS's are far longer than the default; their size shows in what stores them). @default 64 */
  readonly taskTokenChars?: number;
}

/** An execution's status, as DescribeExecution reports it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What DescribeExecution returns (dates on the runner's clock). */
export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

interface Execution {
  readonly arn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  readonly controller: AbortController;
  abortRun?: () => void;
  done: Promise<void>;
}

interface PendingToken {
  readonly executionArn: string;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  cancelTimer: () => void;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The local Step Functions service for one state machine. */
export class LocalStepFunctions {
  /** The state machine's ARN. */
  readonly stateMachineArn: string;
  /** Transitions, invocations and DynamoDB calls of every execution. */
  readonly counters: RunCounters;
  /** Business time per real time. */
  readonly timeScale: number;
  /** The clock of this run. */
  readonly clock: Clock;

  private readonly machine: StateMachine;
  private readonly tasks: ReadonlyMap<string, LocalTask>;
  private readonly handlers: Readonly<Record<string, TaskHandler>>;
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, PendingToken>();
  private readonly closedTokens = new Map<string, 'TaskTimedOut' | 'TaskDoesNotExist'>();
  private readonly log: (record: Record<string, unknown>) => void;
  /** `entered` and `waiting` (executionArn, state: a state entered / a token task's function returned); `stopped` (executionArn). */
  private readonly events = new EventEmitter().setMaxListeners(0);
  private readonly waiting = new Map<string, string>();
  private readonly taskTokenChars: number;

  constructor(options: LocalStepFunctionsOptions) {
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale >= 1)) throw new RangeError(`timeScale must be 1 or more, not ${this.timeScale}`);
    this.clock = options.clock ?? scaledClock(this.timeScale);
    this.stateMachineArn =
      options.stateMachineArn ?? 'arn:aws:states:us-east-1:000000000000:stateMachine:ontap-jit-workflow';
    this.counters = options.counters ?? new RunCounters();
    this.handlers = options.handlers;
    this.log = options.log ?? (() => undefined);
    this.taskTokenChars = options.taskTokenChars ?? 64;
    // Validate the definition as given, then run the rewritten one (which uses fractional retry pauses).
    if (!options.prevalidated) validateDefinition(options.definition);
    const local = prepareLocalDefinition(options.definition, this.timeScale);
    for (const [state, task] of local.tasks) {
      if (task.kind !== 'wait' && task.functionName !== undefined && !this.handlers[task.functionName]) {
        throw new RangeError(`State "${state}" invokes ${task.functionName}, which has no local handler.`);
      }
    }
    this.tasks = local.tasks;
    this.machine = new StateMachine(local.asl, { validationOptions: { noValidate: true } });
  }

  /** StartExecution: the same name with the same input while running returns the running one, as in AWS. */
  startExecution(params: { name?: string; input?: string; stateMachineArn?: string }): {
    executionArn: string;
    startDate: Date;
  } {
    if (params.stateMachineArn !== undefined && params.stateMachineArn !== this.stateMachineArn) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${params.stateMachineArn}'`);
    }
    const name = params.name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = params.input ?? '{}';
    let input: Json;
    try {
      input = JSON.parse(inputText) as Json;
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const arn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === inputText)
        return { executionArn: arn, startDate: existing.startDate };
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution: Execution = {
      arn,
      name,
      input: inputText,
      startDate: new Date(this.clock.now()),
      status: 'RUNNING',
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    this.executions.set(arn, execution);
    this.counters.execution(arn);
    execution.done = this.run(execution, input);
    return { executionArn: arn, startDate: execution.startDate };
  }

  /** SendTaskSuccess: completes the task waiting on `token` with `output` (a JSON document). */
  sendTaskSuccess(params: { taskToken: string; output: string }): void {
    const pending = this.takeToken(params.taskToken);
    let output: unknown;
    try {
      output = JSON.parse(params.output);
    } catch {
      throw new SfnApiError('InvalidOutput', 'Invalid Output: not JSON');
    }
    pending.resolve(output);
  }

  /** SendTaskFailure: fails the task waiting on `token` with `error` and `cause`. */
  sendTaskFailure(params: { taskToken: string; error?: string; cause?: string }): void {
    this.takeToken(params.taskToken).reject(new TaskFailedError(params.error ?? '', params.cause ?? ''));
  }

  /** StopExecution: aborts a running execution. */
  stopExecution(params: { executionArn: string; error?: string; cause?: string }): { stopDate: Date } {
    const execution = this.find(params.executionArn);
    if (execution.status === 'RUNNING') {
      execution.status = 'ABORTED';
      execution.stopDate = new Date(this.clock.now());
      if (params.error !== undefined) execution.error = params.error;
      if (params.cause !== undefined) execution.cause = params.cause;
      execution.controller.abort();
      execution.abortRun?.();
      for (const [token, pending] of this.tokens) {
        if (pending.executionArn !== execution.arn) continue;
        this.tokens.delete(token);
        this.closedTokens.set(token, 'TaskDoesNotExist');
        pending.cancelTimer();
        pending.reject(new ExecutionAbortedError());
      }
    }
    return { stopDate: execution.stopDate ?? new Date(this.clock.now()) };
  }

  /** DescribeExecution. */
  describeExecution(params: { executionArn: string }): ExecutionDescription {
    const e = this.find(params.executionArn);
    return {
      executionArn: e.arn,
      stateMachineArn: this.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      input: e.input,
      ...(e.stopDate ? { stopDate: e.stopDate } : {}),
      ...(e.output !== undefined ? { output: e.output } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    };
  }

  /** Every execution, oldest first. */
  listExecutions(): ExecutionDescription[] {
    return [...this.executions.keys()].map((executionArn) => this.describeExecution({ executionArn }));
  }

  /** Resolves once the execution has stopped (for tests and benchmarks), with its description. */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    await this.find(executionArn).done;
    return this.describeExecution({ executionArn });
  }

  /**
   * Resolves once `executionArn` is waiting on a task token in `state` (its function has returned,
   * so whatever it keeps is kept); rejects if the execution stops first. For tests and benchmarks.
   */
  whenWaiting(executionArn: string, state: string): Promise<void> {
    return this.when(executionArn, 'waiting', state, this.waiting.get(executionArn) === state);
  }

  /** Resolves once `executionArn` has entered `state` (at least once); rejects if it stops first. */
  whenEntered(executionArn: string, state: string): Promise<void> {
    return this.when(
      executionArn,
      'entered',
      state,
      (this.counters.execution(executionArn).statesEntered[state] ?? 0) > 0,
    );
  }

  private when(executionArn: string, event: 'waiting' | 'entered', state: string, already: boolean): Promise<void> {
    const execution = this.find(executionArn);
    if (already) return Promise.resolve();
    if (execution.status !== 'RUNNING')
      return Promise.reject(new Error(`Execution ${execution.name} is ${execution.status}, not ${event} ${state}.`));
    return new Promise((resolve, reject) => {
      const onEvent = (arn: string, name: string): void => {
        if (arn !== executionArn || name !== state) return;
        done();
        resolve();
      };
      const onStopped = (arn: string): void => {
        if (arn !== executionArn) return;
        done();
        reject(
          new Error(
            `Execution ${execution.name} stopped (${this.describeExecution({ executionArn }).status}) before ${event} ${state}.`,
          ),
        );
      };
      const done = (): void => {
        this.events.off(event, onEvent);
        this.events.off('stopped', onStopped);
      };
      this.events.on(event, onEvent);
      this.events.on('stopped', onStopped);
    });
  }

  /** Stops every running execution. */
  close(): void {
    for (const e of this.executions.values()) {
      if (e.status === 'RUNNING')
        this.stopExecution({ executionArn: e.arn, error: 'RunnerClosed', cause: 'The local runner was closed.' });
    }
  }

  private find(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  private takeToken(token: string): PendingToken {
    const pending = this.tokens.get(token);
    if (pending) {
      this.tokens.delete(token);
      this.closedTokens.set(token, 'TaskDoesNotExist');
      pending.cancelTimer();
      return pending;
    }
    const closed = this.closedTokens.get(token);
    if (closed === 'TaskTimedOut') throw new SfnApiError('TaskTimedOut', 'Task Timed Out');
    if (closed) throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist');
    throw new SfnApiError('InvalidToken', 'Invalid Token');
  }

  private async run(execution: Execution, input: Json): Promise<void> {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [state, task] of this.tasks)
      handlers[state] = (taskInput) => this.runTask(execution, state, task, taskInput);
    const [smName] = this.stateMachineArn.split(':').slice(-1);
    const run = this.machine.run(input, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: {
        Execution: { Id: execution.arn, Name: execution.name, StartTime: execution.startDate.toISOString() },
        StateMachine: { Id: this.stateMachineArn, Name: smName ?? '' },
      },
    });
    execution.abortRun = run.abort;
    const events = (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === 'StateEntered') {
          this.counters.stateEntered(execution.arn, event.state.name);
          this.events.emit('entered', execution.arn, event.state.name);
          this.log({ event: 'StateEntered', executionArn: execution.arn, state: event.state.name });
        } else if (event.type === 'StateRetried') {
          this.counters.stateRetried(execution.arn);
          this.log({
            event: 'StateRetried',
            executionArn: execution.arn,
            state: event.state.name,
            attempt: event.retry.attempt,
          });
        } else if (event.type === 'StateFailed' || event.type === 'ExecutionFailed') {
          this.log({ event: event.type, executionArn: execution.arn, error: event.Error });
        }
      }
    })();
    try {
      const output = await run.result;
      if (execution.status === 'RUNNING') {
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output);
      }
    } catch (error) {
      if (execution.status === 'RUNNING') {
        if (error instanceof ExecutionAbortedError) execution.status = 'ABORTED';
        else if (error instanceof ExecutionTimeoutError) execution.status = 'TIMED_OUT';
        else {
          execution.status = 'FAILED';
          const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
          execution.error = cause instanceof Error ? cause.name : 'Error';
          execution.cause = cause instanceof Error ? cause.message : String(cause);
        }
      }
    }
    execution.stopDate ??= new Date(this.clock.now());
    this.waiting.delete(execution.arn);
    await events;
    this.events.emit('stopped', execution.arn);
    this.log({
      event: 'ExecutionStopped',
      executionArn: execution.arn,
      status: execution.status,
      error: execution.error,
    });
  }

  private async runTask(execution: Execution, state: string, task: LocalTask, input: Json): Promise<Json> {
    const { payload, local } = unwrap(input);
    if (task.kind === 'wait') {
      await this.sleep(waitMillis(local, this.clock, this.timeScale), execution.controller.signal);
      return {};
    }
    if (task.kind === 'lambda') return this.invoke(execution, state, task.functionName, payload, realTimeout(local, 1));
    const params = asObject(payload);
    const functionName = task.functionName ?? String(params.FunctionName ?? '');
    if (task.kind === 'lambda-invoke') {
      const result = await this.invoke(execution, state, functionName, params.Payload ?? null, realTimeout(local, 1));
      return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
    }
    return this.invokeAndWait(
      execution,
      state,
      functionName,
      params.Payload ?? null,
      realTimeout(local, this.timeScale),
    );
  }

  /** Invokes the function with a fresh task token, then waits for SendTaskSuccess/Failure or the (scaled) timeout. */
  private async invokeAndWait(
    execution: Execution,
    state: string,
    functionName: string,
    payload: Json,
    timeoutMs: number | undefined,
  ): Promise<Json> {
    const token = randomBytes(Math.ceil((this.taskTokenChars * 3) / 4))
      .toString('base64url')
      .slice(0, this.taskTokenChars);
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    // The timeout may fire while the function still runs, before anyone awaits the promise: mark
    // it handled now (it is awaited below), or Node reports an unhandled rejection and ends the process.
    promise.catch(() => undefined);
    const pending: PendingToken = { executionArn: execution.arn, resolve, reject, cancelTimer: () => undefined };
    // Registered before the function runs: it may complete its own token.
    this.tokens.set(token, pending);
    if (timeoutMs !== undefined) {
      pending.cancelTimer = longTimeout(() => {
        if (this.tokens.get(token) !== pending) return;
        this.tokens.delete(token);
        this.closedTokens.set(token, 'TaskTimedOut');
        reject(new TaskFailedError('States.Timeout', 'The task timed out.'));
      }, timeoutMs);
    }
    try {
      await this.invoke(execution, state, functionName, replaceToken(payload, token), undefined);
    } catch (error) {
      if (this.tokens.get(token) === pending) {
        this.tokens.delete(token);
        this.closedTokens.set(token, 'TaskDoesNotExist');
        pending.cancelTimer();
      }
      throw error;
    }
    if (this.tokens.get(token) === pending) {
      this.waiting.set(execution.arn, state);
      this.events.emit('waiting', execution.arn, state);
    }
    try {
      return JSON.parse(JSON.stringify((await promise) ?? null)) as Json;
    } finally {
      if (this.waiting.get(execution.arn) === state) this.waiting.delete(execution.arn);
    }
  }

  private async invoke(
    execution: Execution,
    state: string,
    functionName: string,
    payload: Json,
    timeoutMs: number | undefined,
  ): Promise<Json> {
    const handler = this.handlers[functionName];
    if (!handler) throw new TaskFailedError('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
    this.counters.taskInvoked(execution.arn, functionName);
    const call = invocationContext.run({ executionArn: execution.arn, stateName: state, functionName }, async () =>
      (handler as (event: unknown) => unknown)(JSON.parse(JSON.stringify(payload))),
    );
    let cancel = (): void => undefined;
    const timeout =
      timeoutMs === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            cancel = longTimeout(() => reject(new TaskFailedError('States.Timeout', 'The task timed out.')), timeoutMs);
          });
    try {
      const result = await (timeout ? Promise.race([call, timeout]) : call);
      return JSON.parse(JSON.stringify(result ?? null)) as Json;
    } catch (error) {
      if (error instanceof TaskFailedError) throw error;
      // As the Lambda service reports a function error: the error's name, and a JSON Cause.
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      throw new TaskFailedError(name, JSON.stringify({ errorType: name, errorMessage: message }));
    } finally {
      cancel();
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const cancel = longTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        cancel();
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function unwrap(input: Json): { payload: Json; local: Record<string, Json> } {
  const object = asObject(input);
  return { payload: object.payload ?? null, local: asObject(object.__local ?? {}) };
}

function asObject(value: Json): Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

/** A task's timeout in real milliseconds: its TimeoutSeconds divided by `scale`; none when it has none. */
function realTimeout(local: Record<string, Json>, scale: number): number | undefined {
  const seconds = local.timeoutSeconds;
  if (seconds === undefined) return undefined;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1) {
    throw new TaskFailedError(
      'States.Runtime',
      `TimeoutSeconds must be a positive integer, not ${JSON.stringify(seconds)}`,
    );
  }
  return (seconds * 1000) / scale;
}

/** How long a Wait state waits, in real milliseconds, on a clock running `scale` times faster. */
function waitMillis(local: Record<string, Json>, clock: Clock, scale: number): number {
  if (typeof local.seconds === 'number') return (local.seconds * 1000) / scale;
  if (typeof local.timestamp === 'string') {
    const at = Date.parse(local.timestamp);
    if (Number.isNaN(at)) throw new TaskFailedError('States.Runtime', `Invalid timestamp ${local.timestamp}`);
    return Math.max(0, (at - clock.now()) / scale);
  }
  throw new TaskFailedError('States.Runtime', 'A Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath.');
}

function replaceToken(value: Json, token: string): Json {
  if (value === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((v) => replaceToken(v, token));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceToken(v, token)]));
}

/** setTimeout past Node's 2^31 - 1 ms limit; returns a cancel function. */
function longTimeout(fn: () => void, ms: number): () => void {
  const MAX = 2_147_483_647;
  let timer: NodeJS.Timeout;
  const arm = (remaining: number): void => {
    timer = setTimeout(() => (remaining > MAX ? arm(remaining - MAX) : fn()), Math.min(Math.max(remaining, 0), MAX));
  };
  arm(ms);
  return () => clearTimeout(timer);
}
