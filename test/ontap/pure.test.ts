import fc from 'fast-check';
import {
  OntapApiError,
  OntapConflictError,
  OntapDuplicateError,
  OntapNotFoundError,
  OntapPermissionError,
  OntapTransientError,
} from '../../lambdas/ontap';
import { errorFromAnswer } from '../../lambdas/ontap/answers';
import { pathSegment, queryString, unsafeNameReason } from '../../lambdas/ontap/names';
import { backoffDelayMs, withRetry } from '../../lambdas/ontap/retry';

describe('names in URLs', () => {
  it('refuses query operators and control characters, accepts the odd names ONTAP allows', () => {
    for (const ok of ['alice', 'joe.smith', 'o.brien-2', 'ops@svm1', 'CORP\\kim', 'a/b', 'x?y', 'a&b', '%2F'])
      expect(unsafeNameReason(ok)).toBeNull();
    for (const bad of ['*', 'a|b', '!a', '<a', 'a>', 'a..b', '..', '', 'a\u0000'])
      expect(unsafeNameReason(bad)).not.toBeNull();
  });

  it('encodes any path segment so it decodes back to itself and holds no separator', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (s) => {
        const seg = pathSegment(s);
        expect(seg).not.toMatch(/[/?#&\\]/);
        expect(seg === '.' || seg === '..').toBe(false);
        expect(decodeURIComponent(seg)).toBe(s);
      }),
    );
  });

  it('encodes query values so they decode back unchanged', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const q = queryString({ name: a, 'owner.name': b, skipped: undefined });
        const parsed = new URLSearchParams(q.slice(1));
        expect([...parsed.keys()]).toEqual(['name', 'owner.name']);
        expect(parsed.get('name')).toBe(a);
        expect(parsed.get('owner.name')).toBe(b);
      }),
    );
  });
});

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

describe('errorFromAnswer', () => {
  const body = (code: string, message = 'm'): string => JSON.stringify({ error: { code, message } });
  it.each([
    [500, body('1'), OntapTransientError],
    [404, body('4'), OntapNotFoundError],
    [404, JSON.stringify({ error: { message: 'API not found' } }), OntapApiError],
    [400, body('4'), OntapNotFoundError],
    [403, 'forbidden', OntapPermissionError],
    [409, body('1'), OntapDuplicateError],
    [409, body('8'), OntapConflictError],
    [400, body('5636129'), OntapApiError],
    [418, 'x', OntapApiError],
  ])('%i %s -> %p', (status, text, type) => {
    expect(errorFromAnswer(status, text, 'GET', '/api/x')).toBeInstanceOf(type);
  });

  it('keeps long ONTAP messages short', () => {
    expect(errorFromAnswer(400, body('2', 'x'.repeat(5000)), 'GET', '/api/x').message.length).toBeLessThan(400);
  });
});
