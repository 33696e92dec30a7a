import { Logger, redact } from '../../lambdas/runtime/logger';

const collect = (): { lines: Record<string, unknown>[]; logger: Logger } => {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    logger: new Logger({ service: 'test' }, 'info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
  };
};

describe('the logger', () => {
  it('writes one JSON object per line with the bound request id', () => {
    const { lines, logger } = collect();
    logger.child({ requestId: 'REQ-1' }).info('granted', { window: 'PT1H' });
    logger.debug('not written at info');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'granted',
        requestId: 'REQ-1',
        service: 'test',
        window: 'PT1H',
      }),
    ]);
  });

  it('never writes task tokens or secrets, however deep', () => {
    const { lines, logger } = collect();
    logger.info('x', {
      taskToken: 'AAA',
      nested: { password: 'p', list: [{ botToken: 'xoxb-1' }] },
      Authorization: 'Basic abc',
    });
    const text = JSON.stringify(lines);
    for (const secret of ['AAA', '"p"', 'xoxb-1', 'Basic abc']) expect(text).not.toContain(secret);
    expect(redact({ ok: 1 })).toEqual({ ok: 1 });
  });

  it('publishes a metric in the embedded metric format', () => {
    const { lines, logger } = collect();
    logger.child({ requestId: 'REQ-2' }).metric('RevokeFailed', 1);
    expect(lines[0]).toMatchObject({
      RevokeFailed: 1,
      requestId: 'REQ-2',
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'OntapJitApprovals', Metrics: [{ Name: 'RevokeFailed', Unit: 'Count' }] }],
      },
    });
  });
});
