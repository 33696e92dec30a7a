import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WebClient } from '@slack/web-api';
import { handler as grantAccess } from '../../lambdas/handlers/grant-access';
import { handler as recordOutcome } from '../../lambdas/handlers/record-outcome';
import { TaskInputError } from '../../lambdas/lifecycle/errors';
import { reasonFor } from '../../lambdas/lifecycle/record-outcome';
import { errorMessageOf } from '../../lambdas/lifecycle/task-io';
import { systemClock } from '../../lambdas/runtime/clock';
import { Logger } from '../../lambdas/runtime/logger';
import { resetRuntime, setRuntimeForTesting } from '../../lambdas/runtime/runtime';
import { Notifier } from '../../lambdas/slack/notifier';
import { RequestStore } from '../../lambdas/store/requests';
import { TEST_CONFIG } from '../support/workflow-env';

describe('task input', () => {
  const logs: string[] = [];
  beforeAll(() => {
    // Nothing here is reached: input is refused before any call.
    setRuntimeForTesting({
      config: TEST_CONFIG,
      store: new RequestStore({
        client: new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
        tableName: 't',
        retentionSeconds: 1,
      }),
      notifier: new Notifier({
        client: new WebClient('xoxb-x', { slackApiUrl: 'http://127.0.0.1:9/api/' }),
        approvalChannel: 'C0X',
      }),
      clock: systemClock,
      logger: new Logger({}, 'debug', (line) => logs.push(line)),
      ontap: () => Promise.reject(new Error('not reached')),
    });
  });
  afterAll(() => resetRuntime());

  it('is refused with a named error when it does not match the schema', async () => {
    await expect(
      grantAccess({ requestId: 'REQ-00000001', start: '2026-11-22T10:00:00.123Z', sessionValiditySeconds: 60 }),
    ).rejects.toThrow(TaskInputError);
    await expect(
      recordOutcome({ requestId: '../etc', outcome: 'GRANT_FAILED', error: { Error: 'x' } }),
    ).rejects.toThrow(TaskInputError);
    expect(logs.join('\n')).toContain('task input rejected');
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
