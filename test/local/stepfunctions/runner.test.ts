import { SFNClient } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { WorkflowClient } from '../../../lambdas/stepfunctions/client';
import { RequestStore } from '../../../lambdas/store/requests';
import { startEmbeddedDynamo } from '../../../local/dynamodb';
import { type StepFunctionsApi, startStepFunctionsApi } from '../../../local/stepfunctions/api-server';
import { LocalStepFunctions } from '../../../local/stepfunctions/runner';
import { pendingRequest } from '../../support/requests';

const fn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** A small machine using everything the workflow uses: a token wait with a path timeout, a Wait, Retry, Catch, Choice. */
const DEFINITION = {
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Task',
      Resource: fn('prepare'),
      Parameters: { 'id.$': '$.requestId' },
      ResultPath: '$.prep',
      TimeoutSeconds: 30,
      Next: 'AwaitDecision',
    },
    AwaitDecision: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: fn('keep-token'), Payload: { 'id.$': '$.requestId', 'token.$': '$$.Task.Token' } },
      TimeoutSecondsPath: '$.prep.timeoutSeconds',
      ResultPath: '$.decision',
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.decision', Next: 'TimedOut' }],
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [{ Variable: '$.decision.go', BooleanEquals: true, Next: 'Pause' }],
      Default: 'Refused',
    },
    Pause: { Type: 'Wait', TimestampPath: '$.prep.until', Next: 'Flaky' },
    Flaky: {
      Type: 'Task',
      Resource: fn('flaky'),
      TimeoutSeconds: 30,
      Retry: [
        { ErrorEquals: ['BusyError'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Broken' }],
      ResultPath: '$.flaky',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Refused: { Type: 'Succeed' },
    TimedOut: { Type: 'Succeed' },
    Broken: { Type: 'Fail', Error: 'Broken', Cause: 'flaky never worked' },
  },
} as unknown as StateMachineDefinition;

const TIME_SCALE = 36_000; // an hour of business time is 100 ms

/** A promise with its resolver, to hear about a handler call without polling. */
function signal<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let sfn: LocalStepFunctions;
let api: StepFunctionsApi;
let workflow: WorkflowClient;
let tokens: { id: string; token: string }[];
let tokenIssued: ReturnType<typeof signal<string>>;
let flakyFailures: number;
let flakyCalls: number;
let pauseSeenAt: number[];

beforeEach(async () => {
  tokens = [];
  tokenIssued = signal<string>();
  flakyFailures = 0;
  flakyCalls = 0;
  pauseSeenAt = [];
  sfn = new LocalStepFunctions({
    definition: DEFINITION,
    timeScale: TIME_SCALE,
    handlers: {
      prepare: (event: { id: string }) => ({
        timeoutSeconds: event.id.includes('slow') ? 3600 : 36_000,
        // Two business hours from now on the scaled clock.
        until: new Date(sfn.clock.now() + 2 * 3600_000).toISOString(),
      }),
      'keep-token': async (event: { id: string; token: string }) => {
        // A function slower than its own wait's timeout (a short window on a busy machine).
        if (event.id.includes('sluggish')) await new Promise((r) => setTimeout(r, 300));
        tokens.push(event);
        tokenIssued.resolve(event.token);
        return { kept: true };
      },
      flaky: () => {
        flakyCalls += 1;
        pauseSeenAt.push(sfn.clock.now());
        if (flakyCalls <= flakyFailures) throw Object.assign(new Error('cluster busy'), { name: 'BusyError' });
        return { ok: true };
      },
    },
  });
  api = await startStepFunctionsApi(sfn);
  workflow = new WorkflowClient({
    stateMachineArn: sfn.stateMachineArn,
    client: new SFNClient({
      endpoint: api.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      maxAttempts: 1,
    }),
  });
});

afterEach(async () => {
  sfn.close();
  await api.close();
});

const start = async (id: string): Promise<string> => (await workflow.start(id)).executionArn;

/** The token the execution is waiting on; fails fast if the execution ends first. */
const tokenOf = (arn: string): Promise<string> =>
  Promise.race([
    tokenIssued.promise,
    sfn.waitForExecution(arn).then((d) => {
      throw new Error(`execution ended without waiting: ${JSON.stringify(d)}`);
    }),
  ]);

describe('local Step Functions runner', () => {
  it('hands the task a token, waits for SendTaskSuccess through the SDK, waits on the scaled clock, then finishes', async () => {
    const arn = await start('REQ-00000001');
    const token = await tokenOf(arn);
    expect(tokens).toEqual([{ id: 'REQ-00000001', token }]);
    const resumedAt = sfn.clock.now();
    expect(await workflow.resumeApproval(token, { decision: 'APPROVED', go: true } as never)).toBe(true);
    const done = await sfn.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({
      requestId: 'REQ-00000001',
      decision: { go: true },
      flaky: { ok: true },
    });
    // The Wait waited for its timestamp on the business clock, not on the wall clock.
    expect(pauseSeenAt[0]).toBeGreaterThanOrEqual(resumedAt);
    // The token is spent: completing it again is a stale token.
    expect(await workflow.resumeApproval(token, { decision: 'APPROVED' })).toBe(false);
  });

  it('times a token wait out after its TimeoutSecondsPath divided by the time scale, and the token is then stale', async () => {
    const arn = await start('REQ-slow-0001');
    const token = await tokenOf(arn);
    const done = await sfn.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').decision).toMatchObject({ Error: 'States.Timeout' });
    expect(sfn.counters.execution(arn).statesEntered).toMatchObject({ TimedOut: 1 });
    expect(await workflow.resumeApproval(token, { decision: 'APPROVED' })).toBe(false);
  });

  it('times a token wait out while its function is still running, and goes on to the Catch', async () => {
    const arn = await start('REQ-slow-sluggish');
    const done = await sfn.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').decision).toMatchObject({ Error: 'States.Timeout' });
    expect(sfn.counters.execution(arn).statesEntered).toMatchObject({ TimedOut: 1 });
  });

  it('answers an unknown token as invalid', async () => {
    expect(await workflow.resumeApproval('not-a-token', { decision: 'DENIED' })).toBe(false);
  });

  it('retries on the named error with scaled pauses, and counts transitions and invocations', async () => {
    flakyFailures = 2;
    const arn = await start('REQ-00000002');
    expect(await workflow.resumeApproval(await tokenOf(arn), { go: true } as never)).toBe(true);
    const done = await sfn.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    const counts = sfn.counters.execution(arn);
    expect(counts.taskInvocations).toEqual({ prepare: 1, 'keep-token': 1, flaky: 3 });
    expect(counts.retries).toBe(2);
    // Prepare, AwaitDecision, Route, Pause, Flaky, Done + 2 retries.
    expect(counts.stateTransitions).toBe(8);
  });

  it('reports a Fail state with its error and cause, as DescribeExecution does', async () => {
    flakyFailures = 10;
    const arn = await start('REQ-00000003');
    await workflow.resumeApproval(await tokenOf(arn), { go: true } as never);
    expect(await sfn.waitForExecution(arn)).toMatchObject({
      status: 'FAILED',
      error: 'Broken',
      cause: 'flaky never worked',
    });
  });

  it('starts one execution per name: the same input while running is the same execution, anything else is refused', async () => {
    const first = await workflow.start('REQ-00000004');
    expect(first.alreadyStarted).toBe(false);
    expect(await workflow.start('REQ-00000004')).toEqual({ executionArn: first.executionArn, alreadyStarted: false });
    expect(() => sfn.startExecution({ name: 'REQ-00000004', input: '{"requestId":"other"}' })).toThrow(
      /Already Exists/,
    );
    sfn.stopExecution({ executionArn: first.executionArn });
    expect(await workflow.start('REQ-00000004')).toEqual({ executionArn: first.executionArn, alreadyStarted: true });
  });

  it('stops an execution, and its waiting token goes stale', async () => {
    const arn = await start('REQ-00000005');
    const token = await tokenOf(arn);
    sfn.stopExecution({ executionArn: arn, error: 'Stopped', cause: 'test' });
    expect(await sfn.waitForExecution(arn)).toMatchObject({ status: 'ABORTED', error: 'Stopped' });
    expect(await workflow.resumeApproval(token, { decision: 'CANCELLED' })).toBe(false);
  });
});

describe('DynamoDB call counting', () => {
  it('counts reads and writes, in total and for the execution whose task made them', async () => {
    const dynamo = await startEmbeddedDynamo();
    try {
      const store = new RequestStore({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 86_400 });
      const counted = new LocalStepFunctions({
        definition: {
          StartAt: 'Read',
          States: { Read: { Type: 'Task', Resource: fn('read'), TimeoutSeconds: 30, End: true } },
        } as never,
        handlers: { read: async (event: { id: string }) => (await store.get(event.id)).status },
      });
      const stop = counted.counters.countDynamo(dynamo.client);
      const request = pendingRequest();
      await store.create(request);
      expect(counted.counters.dynamo).toMatchObject({ reads: 0, writes: 2 });
      const { executionArn } = counted.startExecution({ name: 'count', input: JSON.stringify({ id: request.id }) });
      expect(await counted.waitForExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '"PENDING"' });
      expect(counted.counters.execution(executionArn).dynamo).toMatchObject({
        reads: 1,
        writes: 0,
        byOperation: { GetItem: 1 },
      });
      expect(counted.counters.dynamo).toMatchObject({ reads: 1, writes: 2 });
      stop();
    } finally {
      await dynamo.close();
    }
  });
});
