import fc from 'fast-check';
import { OntapApiError, OntapTransientError } from '../../lambdas/ontap';
import { backoffDelayMs, withRetry } from '../../lambdas/ontap/retry';

describe('backoff', () => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it('stays within [0, min(cap, base * 2^(n-1))) and honours Retry-After within the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
        const d = backoffDelayMs(policy, n, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.min(1000, 100 * 2 ** (n - 1)));
      }),
    );
    expect(backoffDelayMs(policy, 1, () => 0, 5000)).toBe(1000);
    expect(backoffDelayMs(policy, 1, () => 0, 300)).toBe(300);
  });

  it('retries only transient errors', async () => {
    let calls = 0;
    const sleep = async (): Promise<void> => {};
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new OntapApiError('no');
        },
        policy,
        sleep,
        Math.random,
      ),
    ).rejects.toBeInstanceOf(OntapApiError);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          if (calls < 3) throw new OntapTransientError('blip', 'network');
          return 'ok';
        },
        policy,
        sleep,
        Math.random,
      ),
    ).resolves.toBe('ok');
    expect(calls).toBe(3);
  });
});
