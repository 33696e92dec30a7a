/**
 * The product's logger and metrics as a deployed function writes them: Powertools' JSON lines on
 * stdout (stderr for warnings and errors), read back here from the process streams.
 */
import type { Context } from 'aws-lambda';
import {
  countMetric,
  createLogger,
  createMetrics,
  parseLogLevel,
  publishMetrics,
  redactSecrets,
  reportUnresolvedGroup,
} from '../../lambdas/runtime/logger';

/** Every line written to stdout and stderr while `run` runs, parsed. */
function written(run: () => void): Record<string, unknown>[] {
  const chunks: string[] = [];
  const capture = (chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const CONTEXT = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  functionName: 'grant-access',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:grant-access',
  memoryLimitInMB: '256',
} as Context;

describe('the logger', () => {
  it('writes one JSON object per line, with the Lambda request id and a child’s keys, at its level', () => {
    const logger = createLogger('test', 'info');
    logger.addContext(CONTEXT);
    const lines = written(() => {
      logger.createChild({ persistentKeys: { requestId: 'REQ-1' } }).info('granted', { window: 'PT1H' });
      logger.debug('not written at info');
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'granted',
        requestId: 'REQ-1',
        service: 'test',
        window: 'PT1H',
        function_request_id: CONTEXT.awsRequestId,
      }),
    ]);
  });

  it('never writes task tokens or secrets, however deep, in a child too', () => {
    const logger = createLogger('test', 'info');
    const lines = written(() =>
      logger.createChild({ persistentKeys: { signingSecret: 'sign-me' } }).warn('x', {
        taskToken: 'AAA',
        nested: { password: 'p', list: [{ botToken: 'xoxb-1' }] },
        Authorization: 'Basic abc',
        credentials: { username: 'u', password: 'q' },
      }),
    );
    const text = JSON.stringify(lines);
    for (const secret of ['AAA', '"p"', 'xoxb-1', 'Basic abc', 'sign-me', '"q"']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ taskToken: '[redacted]', nested: { password: '[redacted]' } });
    expect(redactSecrets('ok', 1)).toBe(1);
  });

  it('takes its level from JIT_LOG_LEVEL (any case); an unknown name leaves the default', () => {
    const saved = process.env.JIT_LOG_LEVEL;
    try {
      process.env.JIT_LOG_LEVEL = 'WARN';
      const logger = createLogger('test');
      expect(written(() => logger.info('quiet'))).toEqual([]);
      expect(parseLogLevel('Debug')).toBe('debug');
      expect(parseLogLevel('loud')).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.JIT_LOG_LEVEL;
      else process.env.JIT_LOG_LEVEL = saved;
    }
  });
});

describe('the metrics', () => {
  it('are published as one EMF line in the product namespace, by name alone (what the alarms watch)', () => {
    const metrics = createMetrics('test');
    countMetric(metrics, 'RevokeFailed', 1);
    countMetric(metrics, 'OverdueGrants', 2);
    const lines = written(() => publishMetrics(metrics));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ RevokeFailed: 1, OverdueGrants: 2 });
    expect(lines[0]).not.toHaveProperty('service');
    expect((lines[0] as { _aws: { CloudWatchMetrics: unknown[] } })._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'OntapJitApprovals',
        Dimensions: [[]],
        Metrics: [
          { Name: 'RevokeFailed', Unit: 'Count' },
          { Name: 'OverdueGrants', Unit: 'Count' },
        ],
      },
    ]);
    // Cleared once published: nothing is written twice, and nothing at all with none stored.
    expect(written(() => publishMetrics(metrics))).toEqual([]);
  });

  it('count a user group Slack cannot resolve at once, beside the warning', () => {
    const logger = createLogger('test', 'info');
    const report = reportUnresolvedGroup(logger, createMetrics('test'));
    const lines = written(() => report('S0GONE', 'no_such_subteam'));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'WARN', group: 'S0GONE', problem: 'no_such_subteam' }),
      expect.objectContaining({ UnresolvedUserGroup: 1 }),
    ]);
  });
});
