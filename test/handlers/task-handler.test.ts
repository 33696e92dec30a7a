import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { make as makeGrantAccess } from '../../lambdas/handlers/grant-access';
import { make as makeRecordOutcome } from '../../lambdas/handlers/record-outcome';
import { taskHandler } from '../../lambdas/handlers/task-handler';
import { TaskInputError } from '../../lambdas/lifecycle/errors';
import { reasonFor } from '../../lambdas/lifecycle/record-outcome';
import { errorMessageOf } from '../../lambdas/lifecycle/task-io';
import { systemClock } from '../../lambdas/runtime/clock';
import { countMetric } from '../../lambdas/runtime/logger';
import type { Runtime } from '../../lambdas/runtime/runtime';
import { Notifier } from '../../lambdas/slack/notifier';
import { WorkflowClient } from '../../lambdas/stepfunctions/client';
import { RequestStore } from '../../lambdas/store/requests';
import { sinkLogger, sinkMetrics } from '../../local/local-logger';
import { TEST_CONFIG } from '../support/configs';

/** Ports whose adapters point at closed loopback ports: nothing here is reached, the use cases are fakes. */
function portsWritingTo(lines: string[]): Runtime {
  const nowhere = 'http://127.0.0.1:9';
  return {
    config: TEST_CONFIG,
    store: new RequestStore({
      client: new DynamoDBClient({ region: 'us-east-1', endpoint: nowhere }),
      tableName: 't',
      retentionSeconds: 1,
    }),
    notifier: new Notifier({
      client: new WebClient('xoxb-x', { slackApiUrl: `${nowhere}/api/` }),
      approvalChannel: 'C0X',
    }),
    directory: {
      identity: () => Promise.reject(new Error('not reached')),
      actor: () => Promise.reject(new Error('not reached')),
      requesterNow: () => Promise.reject(new Error('not reached')),
    },
    workflow: new WorkflowClient({
      client: new SFNClient({ region: 'us-east-1', endpoint: nowhere }),
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x',
    }),
    clock: systemClock,
    logger: sinkLogger((line) => lines.push(line), 'test', 'debug'),
    metrics: sinkMetrics((line) => lines.push(line), 'test'),
    ontap: () => Promise.reject(new Error('not reached')),
  };
}

const CONTEXT = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  functionName: 'grant-access',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:grant-access',
  memoryLimitInMB: '256',
} as Context;

const Input = z.object({ requestId: z.string() });
const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('task input', () => {
  it('is refused with a named error when it does not match the schema, before any call', async () => {
    const lines: string[] = [];
    const ports = async () => portsWritingTo(lines);
    await expect(
      makeGrantAccess(ports)({
        requestId: 'REQ-00000001',
        start: '2026-11-22T10:00:00.123Z',
        sessionValiditySeconds: 60,
      }),
    ).rejects.toThrow(TaskInputError);
    await expect(
      makeRecordOutcome(ports)({ requestId: '../etc', outcome: 'GRANT_FAILED', error: { Error: 'x' } }),
    ).rejects.toThrow(TaskInputError);
    expect(lines.join('\n')).toContain('task input rejected');
  });
});

describe('a task', () => {
  it('writes the Lambda request id, the request and the task on every line of the use case', async () => {
    const lines: string[] = [];
    const handler = taskHandler(
      'grant-access',
      Input,
      async (_ports, input, log) => {
        log.info('working', { token: 'xoxb-secret-value' });
        return { granted: input.requestId };
      },
      async () => portsWritingTo(lines),
    );
    expect(await handler({ requestId: 'R1' }, CONTEXT)).toEqual({ granted: 'R1' });
    const logged = parsed(lines);
    expect(logged.map((l) => l.message)).toEqual(['working', 'task done']);
    for (const line of logged) {
      expect(line).toMatchObject({ function_request_id: CONTEXT.awsRequestId, requestId: 'R1', task: 'grant-access' });
    }
    // Secret-looking keys never reach a line.
    expect(lines.join('\n')).not.toContain('xoxb-secret-value');
    expect(logged[0]).toMatchObject({ token: '[redacted]' });
  });

  it('publishes the metrics its use case counted once it ends, also when it fails', async () => {
    const lines: string[] = [];
    const handler = taskHandler(
      'record-outcome',
      Input,
      async (ports) => {
        countMetric(ports.metrics, 'RevokeFailed', 1);
        throw new Error('the store is down');
      },
      async () => portsWritingTo(lines),
    );
    await expect(handler({ requestId: 'R2' })).rejects.toThrow('the store is down');
    const logged = parsed(lines);
    expect(logged.find((l) => l.message === 'task failed')).toMatchObject({
      requestId: 'R2',
      errorMessage: 'the store is down',
    });
    const metric = logged.filter((l) => '_aws' in l);
    expect(metric).toHaveLength(1);
    expect(metric[0]).toMatchObject({
      RevokeFailed: 1,
      _aws: {
        CloudWatchMetrics: [
          { Namespace: 'OntapJitApprovals', Dimensions: [[]], Metrics: [{ Name: 'RevokeFailed', Unit: 'Count' }] },
        ],
      },
    });
    // Published once: a later task does not publish it again.
    await expect(handler({ requestId: 'R3' })).rejects.toThrow();
    expect(parsed(lines).filter((l) => '_aws' in l)).toHaveLength(2);
  });

  it('writes no metric line when its use case counted nothing', async () => {
    const lines: string[] = [];
    const handler = taskHandler(
      'grant-access',
      Input,
      async () => ({}),
      async () => portsWritingTo(lines),
    );
    await handler({ requestId: 'R4' });
    expect(parsed(lines).some((l) => '_aws' in l)).toBe(false);
  });

  it('fails, naming the variable, when its ports cannot be built', async () => {
    const handler = taskHandler(
      'grant-access',
      Input,
      async () => ({}),
      () => Promise.reject(new Error('Environment variable JIT_TABLE_NAME is not set.')),
    );
    await expect(handler({ requestId: 'R5' })).rejects.toThrow(/JIT_TABLE_NAME/);
  });
});

describe('failure reasons', () => {
  it('reads a Lambda error Cause (JSON) and a service error Cause (plain text)', () => {
    expect(
      errorMessageOf({
        Error: 'OntapApiError',
        Cause: JSON.stringify({ errorType: 'OntapApiError', errorMessage: 'ONTAP said no', trace: [] }),
      }),
    ).toBe('ONTAP said no');
    expect(errorMessageOf({ Error: 'States.Timeout', Cause: 'The task timed out.' })).toBe('The task timed out.');
    expect(errorMessageOf({ Error: 'X' })).toBe('X');
  });

  it('keeps messages written for people as they are and prefixes the others with what failed', () => {
    const conflict = {
      Error: 'GrantConflictError',
      Cause: JSON.stringify({ errorType: 'GrantConflictError', errorMessage: 'Request R1 already holds this access' }),
    };
    expect(reasonFor('GRANT_FAILED', conflict)).toBe('Request R1 already holds this access');
    expect(
      reasonFor('REVOKE_FAILED', { Error: 'OntapTransientError', Cause: JSON.stringify({ errorMessage: '503' }) }),
    ).toBe('The cluster did not remove the grant: 503');
    expect(reasonFor('GRANT_FAILED', { Error: 'States.Timeout', Cause: '' })).toBe(
      'The cluster did not accept the grant: the step timed out',
    );
  });
});
