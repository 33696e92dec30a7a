/**
 * The one wrapper that turns a listener's failure into an answer: the person is always answered,
 * and the failure is logged once, at error level only when nobody planned for it.
 */
import { type Logger, LogLevel } from '@slack/bolt';
import { type Answer, answering } from '../../../lambdas/slack/listeners/respond';
import { RequestNotFoundError } from '../../../lambdas/store/errors';
import { pendingRequest } from '../../support/requests';
import { useSlackIngress } from '../../support/slack';

/** A Bolt logger that keeps what it is told, by level. */
function recordingLogger(): Logger & { readonly lines: { level: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]): void => {
      lines.push({ level, fields: args[0] as Record<string, unknown> });
    };
  const ignore = (): void => undefined;
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: ignore,
    setName: ignore,
    getLevel: () => LogLevel.DEBUG,
  };
}

/** Runs `answering` around a body that throws `failure` (or goes through); what was logged and told. */
async function run(what: string, failure: Error | undefined, options: { answered?: boolean } = {}) {
  const logger = recordingLogger();
  const told: string[] = [];
  const answer: Answer = async (a) => void told.push(a.plain);
  await answering({ what, logger, ...(options.answered === false ? {} : { answer }) }, async () => {
    if (failure) throw failure;
  });
  return { lines: logger.lines, told };
}

describe('answering', () => {
  it('does nothing more when the body goes through', async () => {
    expect(await run('button click', undefined)).toEqual({ lines: [], told: [] });
  });

  it('answers an unplanned failure with a generic apology and logs it once, at error level', async () => {
    const { lines, told } = await run('button click', new TypeError('cannot read properties of undefined'));
    expect(told).toEqual(['Something went wrong on our side; nothing was changed. Please try again.']);
    expect(lines).toEqual([
      { level: 'error', fields: expect.objectContaining({ msg: 'button click failed', error: expect.any(String) }) },
    ]);
  });

  it('answers a planned refusal in its own words and logs it once, below error level', async () => {
    const { lines, told } = await run('deny submission', new RequestNotFoundError('JIT-GONE'));
    expect(told).toEqual(['That request does not exist (any more).']);
    expect(lines).toEqual([{ level: 'info', fields: expect.objectContaining({ msg: 'deny submission refused' }) }]);
  });

  it('only logs, at warn level, when nobody waits for an answer', async () => {
    const { lines } = await run('request form redraw', new Error('hash_conflict'), { answered: false });
    expect(lines).toEqual([{ level: 'warn', fields: expect.objectContaining({ msg: 'request form redraw failed' }) }]);
  });

  it('still logs the failure when the answer itself cannot be sent, and lets that error through', async () => {
    const logger = recordingLogger();
    const answer: Answer = async () => {
      throw new Error('response_url expired');
    };
    const failing = answering({ what: '/jit', logger, answer }, async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('response_url expired');
    expect(logger.lines.map((l) => l.level)).toEqual(['error']);
  });
});

describe('a listener through the real ingress', () => {
  const ingress = useSlackIngress();

  it('answers a click on a request that is not there, changing nothing and logging no error', async () => {
    const { store, sfn } = ingress();
    const missing = pendingRequest({ id: 'JIT-NOTSTORED01' });
    const { answer, responses } = await ingress().click('U0BOB', 'jit_approve', missing);
    expect(answer.status).toBe(200);
    expect(responses()).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', text: expect.stringContaining('does not exist') }),
    ]);
    await expect(store.get(missing.id)).rejects.toBeInstanceOf(RequestNotFoundError);
    expect(sfn.calls).toEqual([]);
    const levels = ingress().logs.map((line) => (JSON.parse(line) as { level: string }).level);
    expect(levels).not.toContain('error');
  });
});
