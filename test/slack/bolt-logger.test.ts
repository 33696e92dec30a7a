import { LogLevel } from '@slack/web-api';
import { boltLogger } from '../../lambdas/slack/bolt-logger';
import { sinkLogger } from '../../local/local-logger';

const collect = () => {
  const lines: Record<string, unknown>[] = [];
  const log = sinkLogger((line) => lines.push(JSON.parse(line) as Record<string, unknown>), 'test', 'debug');
  return { lines, log };
};

describe("Bolt's logger over the product's", () => {
  it('writes object arguments as fields, the rest as the message, with the Slack logger name', () => {
    const { lines, log } = collect();
    const slack = boltLogger(log);
    slack.setName('web-api:WebClient:0');
    slack.warn({ msg: 'http request failed', status: 503 }, 'retrying', new Error('socket hang up'));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'http request failed retrying Error: socket hang up',
        logger: 'web-api:WebClient:0',
        status: 503,
        service: 'test',
      }),
    ]);
  });

  it("filters by the level Slack's clients set, without changing the product logger's", () => {
    const { lines, log } = collect();
    const slack = boltLogger(log);
    slack.setLevel(LogLevel.INFO);
    expect(slack.getLevel()).toBe(LogLevel.INFO);
    slack.debug('chatty');
    log.debug('still written');
    expect(lines.map((l) => l.message)).toEqual(['still written']);
  });

  it('never writes a token or secret passed in an object argument', () => {
    const { lines, log } = collect();
    boltLogger(log).error({ msg: 'call failed', token: 'xoxb-123', headers: { Authorization: 'Bearer xoxb-123' } });
    expect(JSON.stringify(lines)).not.toContain('xoxb-123');
  });
});
