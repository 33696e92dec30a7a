import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  INTERPRETER_TIMEOUT_SECONDS,
  prepareLocalDefinition,
  TASK_TOKEN_PLACEHOLDER,
} from '../../../local/stepfunctions/local-asl';

const definition = {
  StartAt: 'Await',
  States: {
    Await: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:keep',
        Payload: { 'id.$': '$.id', 'token.$': '$$.Task.Token' },
      },
      TimeoutSecondsPath: '$.timeout',
      HeartbeatSeconds: 60,
      Retry: [
        { ErrorEquals: ['Busy'], IntervalSeconds: 2, MaxDelaySeconds: 30 },
        { ErrorEquals: ['RequestNotRecordedError'], IntervalSeconds: 1, MaxDelaySeconds: 30 },
      ],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', TimestampPath: '$.until', Next: 'Work' },
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:work',
      TimeoutSeconds: 30,
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

describe('the local rewrite of a definition', () => {
  const { asl, tasks } = prepareLocalDefinition(definition, 3600);
  const states = asl.States as unknown as Record<string, Record<string, unknown>>;

  it('swaps the task token path for a placeholder and moves the timeout where the runner enforces it', () => {
    expect(states.Await).toMatchObject({
      Parameters: {
        payload: {
          FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:keep',
          Payload: { 'id.$': '$.id', token: TASK_TOKEN_PLACEHOLDER },
        },
        __local: { 'timeoutSeconds.$': '$.timeout' },
      },
      TimeoutSeconds: INTERPRETER_TIMEOUT_SECONDS,
    });
    expect(states.Await).not.toHaveProperty('TimeoutSecondsPath');
    expect(states.Await).not.toHaveProperty('HeartbeatSeconds');
    expect(tasks.get('Await')).toEqual({ kind: 'wait-for-token', functionName: 'keep' });
  });

  it('divides retry pauses by the time scale', () => {
    expect((states.Await!.Retry as unknown[])[0]).toMatchObject({
      IntervalSeconds: 2 / 3600,
      MaxDelaySeconds: 30 / 3600,
    });
  });

  it('shortens a wait for a write in flight (real time) at most 60 times, whatever the scale', () => {
    expect((states.Await!.Retry as unknown[])[1]).toMatchObject({ IntervalSeconds: 1 / 60, MaxDelaySeconds: 30 / 60 });
  });

  it('runs a Wait state as a task on the scaled clock, keeping its input as output', () => {
    expect(states.Pause).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:local-wait',
      Parameters: { payload: {}, __local: { 'timestamp.$': '$.until' } },
      ResultPath: null,
      TimeoutSeconds: INTERPRETER_TIMEOUT_SECONDS,
      Next: 'Work',
    });
    expect(tasks.get('Pause')).toEqual({ kind: 'wait' });
  });

  it('keeps a plain Lambda task and its (real-time) timeout', () => {
    expect(states.Work).toMatchObject({ Parameters: { 'payload.$': '$', __local: { timeoutSeconds: 30 } } });
    expect(tasks.get('Work')).toEqual({ kind: 'lambda', functionName: 'work' });
  });

  it('leaves the original untouched', () => {
    expect((definition.States as Record<string, unknown>).Pause).toEqual({
      Type: 'Wait',
      TimestampPath: '$.until',
      Next: 'Work',
    });
  });
});
