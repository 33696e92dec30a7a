import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { START_GRACE_SECONDS } from '../../lambdas/domain/attention';
import { Workflow } from '../../lib/constructs/workflow';
import {
  DYNAMODB_THROTTLING_ERRORS,
  LAMBDA_THROTTLED,
  SLACK_TRANSIENT_ERRORS,
  TRANSIENT_ERRORS,
  WORKFLOW_TASKS,
} from '../../lib/workflow-definition';
import { renderLocalWorkflowDefinition } from '../../local/stepfunctions/local-definition';

interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    JitterStrategy?: string;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
  }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Parameters?: Record<string, unknown>;
  Error?: string;
  Next?: string;
}

const { asl } = renderLocalWorkflowDefinition();
const states = (asl as { States: Record<string, AslState> }).States;
const state = (name: string): AslState => {
  const found = states[name];
  if (!found) throw new Error(`no state ${name}`);
  return found;
};

describe('the workflow construct', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  new Workflow(stack, 'Workflow', {
    stateMachineName: 'jit-workflow',
    environment: { SLACK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:s' },
  });
  const template = Template.fromStack(stack);

  it('makes a Standard state machine and one Node.js 22 function per task', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'jit-workflow',
      StateMachineType: 'STANDARD',
    });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Runtime: 'nodejs22.x', Handler: 'index.handler' },
      WORKFLOW_TASKS.length,
    );
  });

  it('tells every function the state machine ARN without referencing the state machine (no dependency cycle)', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ STATE_MACHINE_ARN: Match.anyValue(), SLACK_SECRET_ARN: Match.anyValue() }),
      },
    });
  });

  it('lets the token-keeping tasks complete their own tokens', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:SendTaskSuccess' })]) },
    });
  });
});

describe('the workflow definition', () => {
  it('gives every task a timeout: a fixed one for work, the policy or the window for waits', () => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type !== 'Task') continue;
      expect({ name, timeout: s.TimeoutSeconds ?? s.TimeoutSecondsPath }).toEqual({ name, timeout: expect.anything() });
    }
    expect(state('AwaitApproval')).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.validation.approvalTimeoutSeconds',
      Parameters: { Payload: { 'taskToken.$': '$$.Task.Token' } },
    });
    expect(state('AwaitEnd')).toMatchObject({
      TimeoutSecondsPath: '$.grant.endTimeoutSeconds',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    });
  });

  it('retries the grant and the revoke on transient errors only, with backoff and full jitter', () => {
    // The grant and the checks before it also ask Slack whether the requester still qualifies.
    const transient: Record<string, string[]> = {
      Grant: [...TRANSIENT_ERRORS, ...SLACK_TRANSIENT_ERRORS],
      Revoke: [...TRANSIENT_ERRORS],
      CheckApproval: [...TRANSIENT_ERRORS, ...SLACK_TRANSIENT_ERRORS],
      CheckBeforeGrant: [...TRANSIENT_ERRORS, ...SLACK_TRANSIENT_ERRORS],
    };
    for (const [name, errors] of Object.entries(transient)) {
      const ours = state(name).Retry?.filter((r) => !r.ErrorEquals.some((e) => e.startsWith('Lambda.')));
      expect(ours).toEqual([expect.objectContaining({ ErrorEquals: errors, JitterStrategy: 'FULL', BackoffRate: 2 })]);
    }
  });

  it('takes a timed-out approval wait to the re-read, not to a failure', () => {
    expect(state('AwaitApproval').Catch?.[0]).toEqual(
      expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: 'CheckApproval' }),
    );
  });

  it('routes an approval wait completed with GRANT straight to the grant, anything else to the check', () => {
    expect(state('AwaitApproval')).toMatchObject({ Next: 'RouteDecision', ResultPath: '$.decision' });
    expect(state('AwaitApproval').Catch?.[0]).toMatchObject({ ResultPath: '$.decision' });
    expect(state('CheckApproval')).toMatchObject({ Next: 'RouteDecision', Parameters: { 'wait.$': '$.decision' } });
    const choices = (state('RouteDecision') as unknown as { Choices: Record<string, unknown>[] }).Choices;
    // Every comparison is guarded by its field's IsPresent: a Choice on a missing field fails the execution.
    expect(choices[0]).toEqual({
      And: [
        { Variable: '$.decision.route', IsPresent: true },
        { Variable: '$.decision.route', StringEquals: 'GRANT' },
        { Variable: '$.decision.start', IsPresent: true },
      ],
      Next: 'Grant',
    });
    expect(choices[1]).toEqual({
      Or: [
        { Variable: '$.decision.decision', IsPresent: true },
        { Not: { Variable: '$.decision.route', IsPresent: true } },
      ],
      Next: 'CheckApproval',
    });
    expect(state('Grant').Parameters).toMatchObject({ 'start.$': '$.decision.start' });
  });

  it('gives each failure its own recording step and a distinct end', () => {
    expect(state('Grant').Catch?.at(-1)?.Next).toBe('RecordGrantFailure');
    expect(state('RecordGrantFailure').Next).toBe('GrantFailed');
    expect(state('GrantFailed')).toMatchObject({ Type: 'Fail', Error: 'GrantFailed' });
    expect(state('Revoke').Catch?.at(-1)?.Next).toBe('RecordRevokeFailure');
    expect(state('RecordRevokeFailure').Next).toBe('RevokeFailed');
    expect(state('RevokeFailed')).toMatchObject({ Type: 'Fail', Error: 'RevokeFailed' });
    expect(state('Validate').Catch?.map((c) => c.Next)).toEqual([
      'Closed',
      'NotRecorded',
      'RecordInvalid',
      'RecordValidationError',
    ]);
  });

  it('reads again for a request not recorded yet, longer than the Slack endpoint writes it, then ends quietly', () => {
    const retry = state('Validate').Retry?.find((r) => r.ErrorEquals.includes('RequestNotRecordedError'));
    expect(retry).toMatchObject({ ErrorEquals: ['RequestNotRecordedError'], BackoffRate: 2 });
    // A bound, not a spread: no jitter shortens it.
    expect(retry?.JitterStrategy).toBeUndefined();
    const { IntervalSeconds = 1, MaxAttempts = 3, MaxDelaySeconds = Number.POSITIVE_INFINITY } = retry ?? {};
    let waited = 0;
    for (let i = 0; i < MaxAttempts; i++) waited += Math.min(IntervalSeconds * 2 ** i, MaxDelaySeconds);
    // The Slack endpoint gives up on its write after 10 s; a person sends the form again within minutes.
    expect(waited).toBeGreaterThan(10);
    expect(waited).toBeGreaterThanOrEqual(5 * 60);
    expect(waited).toBeLessThanOrEqual(START_GRACE_SECONDS);
    expect(state('Validate').Catch?.find((c) => c.Next === 'NotRecorded')?.ErrorEquals).toEqual([
      'RequestNotRecordedError',
    ]);
    expect(state('NotRecorded').Type).toBe('Succeed');
  });

  it('invokes one function per task, named after its handler file', () => {
    const invoked = new Set(
      Object.values(states)
        .filter((s) => s.Type === 'Task')
        .map((s) => String(s.Parameters?.FunctionName ?? s.Resource).split(':function:')[1]),
    );
    expect([...invoked].sort()).toEqual([...WORKFLOW_TASKS].sort());
  });
});

describe('the workflow definition’s retries', () => {
  const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');

  it('retries Lambda throttling on every Lambda task, with backoff and full jitter, before any catch applies', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(WORKFLOW_TASKS.length);
    for (const [name, s] of tasks) {
      const throttled = s.Retry?.find((r) => r.ErrorEquals.includes(LAMBDA_THROTTLED));
      expect({ name, throttled }).toEqual({
        name,
        throttled: expect.objectContaining({ ErrorEquals: [LAMBDA_THROTTLED], BackoffRate: 2, JitterStrategy: 'FULL' }),
      });
      expect(throttled?.MaxAttempts).toBeGreaterThanOrEqual(3);
      expect(throttled?.MaxDelaySeconds).toBeDefined();
    }
  });

  it('counts DynamoDB throttling among the transient errors every task retries', () => {
    expect(TRANSIENT_ERRORS).toEqual(expect.arrayContaining(['ContentionError', ...DYNAMODB_THROTTLING_ERRORS]));
  });

  it('retries AwaitEnd on transient errors before falling through to Revoke, and never retries its timeout', () => {
    const awaitEnd = state('AwaitEnd');
    const transient = awaitEnd.Retry?.find((r) => r.ErrorEquals.includes('ContentionError'));
    expect(transient).toEqual(
      expect.objectContaining({ ErrorEquals: [...TRANSIENT_ERRORS], BackoffRate: 2, JitterStrategy: 'FULL' }),
    );
    expect(awaitEnd.Retry?.flatMap((r) => r.ErrorEquals)).not.toContain('States.Timeout');
    expect(awaitEnd.Retry?.flatMap((r) => r.ErrorEquals)).not.toContain('States.ALL');
    expect(awaitEnd.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Revoke' })]);
  });
});
